package io.edhoc.oscore.store;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The in-process part shared by {@link InMemoryOscoreContextStore} and {@link
 * FileOscoreContextStore}: records in insertion order, the version token is the record object
 * itself, an optional size bound (creating one more context removes the least recently created or
 * key-updated one, O(1)), and listeners told after every lock is released. Subclasses persist each
 * change before it becomes visible; writes of different contexts proceed in parallel (see {@link
 * #compareAndSet}).
 *
 * <p><b>Layout.</b> The records sit in a ring in creation order ({@code ring}, a removed or moved
 * record leaves a hole that the eviction skips), found through a primitive table from the packed
 * Recipient ID ({@link OscoreContextStore#packedId}) to the ring slot. A server creates a context
 * per handshake and evicts the oldest at the bound, so the two reference writes per handshake land
 * at the ring's two ends, a few cards of the old generation for a whole young collection's worth of
 * handshakes; a linked hash map wrote into its table, the previous tail and the next head, about
 * four scattered cards per handshake, which every young collection had to scan
 * (docs/performance.md).
 */
abstract class LocalContextStore implements OscoreContextStore {
  /** The records from the oldest ({@code head}) on; null: a hole. Capacity a power of two. */
  private StoredContext[] ring = new StoredContext[16];
  /** The packed Recipient ID of each ring slot (0 for holes and free slots). */
  private long[] ringIds = new long[16];
  private int head;
  /** Slots used from {@code head}, holes included. */
  private int used;
  private int size;
  /** Packed Recipient ID -> ring slot. */
  private final LongLongTable index = new LongLongTable();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final int maxContexts;
  private final Object[] stripes = new Object[64];
  private long evictions;

  LocalContextStore(int maxContexts) {
    if (maxContexts < 1) {
      throw new IllegalArgumentException("maxContexts must be at least 1");
    }
    this.maxContexts = maxContexts;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  /** The Recipient ID in hex (file names). */
  static String key(byte[] recipientId) {
    return HexFormat.of().formatHex(recipientId);
  }

  /** The packed Recipient ID of a record to store (at most 7 bytes, as every OSCORE ID). */
  private static long id(byte[] recipientId) {
    long id = OscoreContextStore.packedId(recipientId);
    if (id == 0) {
      throw new IllegalArgumentException("OSCORE Recipient IDs are at most 7 bytes (nonce length - 6), not " + recipientId.length);
    }
    return id;
  }

  // --- the ring and its index, under this object's lock ------------------------------------------

  private StoredContext get(long id) {
    if (id == 0) {
      return null; // longer than any stored ID
    }
    long slot = index.get(id, -1);
    return slot < 0 ? null : ring[(int) slot];
  }

  /** Puts a record at the newest end. */
  private void append(long id, StoredContext r) {
    if (used == ring.length) {
      resize(size * 2 > ring.length ? ring.length * 2 : ring.length); // grow, or only close the holes
    }
    int slot = (head + used) & (ring.length - 1);
    ring[slot] = r;
    ringIds[slot] = id;
    used++;
    size++;
    index.put(id, slot, -1);
  }

  private void remove(long id) {
    long slot = id == 0 ? -1 : index.remove(id, -1);
    if (slot >= 0) {
      ring[(int) slot] = null;
      ringIds[(int) slot] = 0;
      size--;
      skipHoles();
    }
  }

  /** Removes and returns the oldest record. */
  private StoredContext removeOldest() {
    skipHoles();
    StoredContext r = ring[head];
    remove(ringIds[head]);
    return r;
  }

  private void skipHoles() {
    int mask = ring.length - 1;
    while (used > 0 && ring[head] == null) {
      head = (head + 1) & mask;
      used--;
    }
  }

  /** Copies the records, in order and without holes, into a ring of {@code capacity} slots. */
  private void resize(int capacity) {
    StoredContext[] r = new StoredContext[capacity];
    long[] ids = new long[capacity];
    int n = 0;
    int mask = ring.length - 1;
    for (int i = 0; i < used; i++) {
      int from = (head + i) & mask;
      if (ring[from] != null) {
        r[n] = ring[from];
        ids[n] = ringIds[from];
        index.put(ids[n], n, -1);
        n++;
      }
    }
    ring = r;
    ringIds = ids;
    head = 0;
    used = n;
  }

  /** Makes {@code update} (null: removal) durable before it is visible. */
  abstract void persist(byte[] recipientId, StoredContext update);

  /** Loads a record at start-up (no persistence, no events). */
  final synchronized void restore(StoredContext r) {
    long id = id(r.recipientId());
    remove(id);
    append(id, r);
  }

  @Override
  public final synchronized Versioned read(byte[] recipientId) {
    StoredContext r = get(OscoreContextStore.packedId(recipientId));
    return r == null ? null : new Versioned(r, r);
  }

  private Object stripe(byte[] recipientId) {
    return stripes[java.util.Arrays.hashCode(recipientId) & (stripes.length - 1)];
  }

  /**
   * Compare, persist, then publish: one writer per Recipient ID at a time (its stripe's lock), so
   * the version compared is still current when the change becomes visible; the store-wide lock is
   * held only for map updates, never during {@link #persist}, so slow writes (fsync) of different
   * contexts overlap and readers never wait for the disk. Evicted records leave the map at once
   * and their files are deleted afterwards under their own stripe (unless re-created meanwhile); a
   * write whose record was evicted while it was persisting fails (false) instead of bringing the
   * record back, so the bound and the eviction count stay exact.
   */
  @Override
  public final boolean compareAndSet(byte[] recipientId, Object expected, StoredContext update) {
    if (update != null && !java.util.Arrays.equals(update.recipientId(), recipientId)) {
      throw new IllegalArgumentException("record stored under another Recipient ID");
    }
    long k = update == null ? OscoreContextStore.packedId(recipientId) : id(recipientId);
    List<StoredContext> evicted = new ArrayList<>();
    synchronized (stripe(recipientId)) {
      synchronized (this) {
        if (get(k) != expected) {
          return false;
        }
      }
      persist(recipientId, update); // durable before anyone can see (or use) the change
      boolean evictedMeanwhile;
      synchronized (this) {
        StoredContext current = get(k);
        // Our stripe keeps other writers of k out, but a create under another stripe may have
        // evicted `expected` while we were persisting: compare again, or the record would come
        // back from the dead (the bound then evicts one context too many, and the evictor's
        // "gone" event contradicts the map).
        evictedMeanwhile = current != expected; // then the eviction won: fail like a lost CAS
        if (!evictedMeanwhile && update == null) {
          remove(k);
        } else if (!evictedMeanwhile) {
          if (current == null || current.generation() != update.generation()) {
            remove(k); // created or key-updated: now the most recent
            append(k, update);
          } else {
            ring[(int) index.get(k, -1)] = update; // same keys (a reservation): same place
          }
          while (size > maxContexts) {
            evicted.add(removeOldest()); // never the one just written: it is the newest, and maxContexts >= 1
            evictions++;
          }
        }
      }
      if (evictedMeanwhile) {
        if (update != null) {
          persist(recipientId, null); // undo our file now (the evictor's deferred delete follows)
        }
        return false;
      }
    }
    fire(recipientId, update == null ? 0L : update.holder());
    for (StoredContext gone : evicted) {
      byte[] rid = gone.recipientId();
      synchronized (stripe(rid)) {
        boolean recreated;
        synchronized (this) {
          recreated = get(OscoreContextStore.packedId(rid)) != null;
        }
        if (!recreated) {
          persist(rid, null);
        }
      }
      fire(rid, 0L);
    }
    return true;
  }

  private void fire(byte[] recipientId, long holder) {
    for (Listener l : listeners) {
      l.changed(recipientId, holder);
    }
  }

  @Override
  public final synchronized int size() {
    return size;
  }

  @Override
  public final synchronized long evictions() {
    return evictions;
  }

  public final int maxContexts() {
    return maxContexts;
  }

  @Override
  public final void addListener(Listener listener) {
    listeners.add(listener);
  }
}
