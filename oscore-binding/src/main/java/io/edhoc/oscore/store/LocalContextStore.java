package io.edhoc.oscore.store;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The in-process part shared by {@link InMemoryOscoreContextStore} and {@link
 * FileOscoreContextStore}: records in insertion order, the version token is the record object
 * itself, an optional size bound (creating one more context removes the least recently created or
 * key-updated one, O(1)), and listeners told after every lock is released. Subclasses persist each
 * change before it becomes visible; writes of different contexts proceed in parallel (see {@link
 * #compareAndSet}).
 */
abstract class LocalContextStore implements OscoreContextStore {
  private final Map<String, StoredContext> records = new LinkedHashMap<>();
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

  static String key(byte[] recipientId) {
    return HexFormat.of().formatHex(recipientId);
  }

  /** Makes {@code update} (null: removal) durable before it is visible. */
  abstract void persist(byte[] recipientId, StoredContext update);

  /** Loads a record at start-up (no persistence, no events). */
  final synchronized void restore(StoredContext r) {
    records.put(key(r.recipientId()), r);
  }

  @Override
  public final synchronized Versioned read(byte[] recipientId) {
    StoredContext r = records.get(key(recipientId));
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
    String k = key(recipientId);
    List<StoredContext> evicted = new ArrayList<>();
    synchronized (stripe(recipientId)) {
      synchronized (this) {
        if (records.get(k) != expected) {
          return false;
        }
      }
      persist(recipientId, update); // durable before anyone can see (or use) the change
      boolean evictedMeanwhile;
      synchronized (this) {
        StoredContext current = records.get(k);
        // Our stripe keeps other writers of k out, but a create under another stripe may have
        // evicted `expected` while we were persisting: compare again, or the record would come
        // back from the dead (the bound then evicts one context too many, and the evictor's
        // "gone" event contradicts the map).
        evictedMeanwhile = current != expected; // then the eviction won: fail like a lost CAS
        if (!evictedMeanwhile && update == null) {
          records.remove(k);
        } else if (!evictedMeanwhile) {
          if (current == null || current.generation() != update.generation()) {
            records.remove(k); // created or key-updated: now the most recent
          }
          records.put(k, update);
          Iterator<Map.Entry<String, StoredContext>> it = records.entrySet().iterator();
          while (records.size() > maxContexts && it.hasNext()) {
            Map.Entry<String, StoredContext> oldest = it.next();
            if (!oldest.getKey().equals(k)) {
              evicted.add(oldest.getValue());
              it.remove();
              evictions++;
            }
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
          recreated = records.containsKey(key(rid));
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
    return records.size();
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
