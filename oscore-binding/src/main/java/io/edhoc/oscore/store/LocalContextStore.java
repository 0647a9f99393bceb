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
 * FileOscoreContextStore}: records in insertion order under one lock, the version token is the
 * record object itself, an optional size bound (creating one more context removes the least
 * recently created or key-updated one, O(1)), and listeners told after the lock is released.
 * Subclasses persist each change before it becomes visible.
 */
abstract class LocalContextStore implements OscoreContextStore {
  private final Map<String, StoredContext> records = new LinkedHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final int maxContexts;
  private long evictions;

  LocalContextStore(int maxContexts) {
    if (maxContexts < 1) {
      throw new IllegalArgumentException("maxContexts must be at least 1");
    }
    this.maxContexts = maxContexts;
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

  @Override
  public final boolean compareAndSet(byte[] recipientId, Object expected, StoredContext update) {
    if (update != null && !java.util.Arrays.equals(update.recipientId(), recipientId)) {
      throw new IllegalArgumentException("record stored under another Recipient ID");
    }
    List<Object[]> events = new ArrayList<>();
    synchronized (this) {
      String k = key(recipientId);
      StoredContext current = records.get(k);
      if (current != expected) {
        return false;
      }
      persist(recipientId, update);
      if (update == null) {
        records.remove(k);
        events.add(new Object[] {recipientId, 0L});
      } else {
        boolean newKeys = current == null || current.generation() != update.generation();
        if (newKeys) {
          records.remove(k); // created or key-updated: now the most recent
        }
        records.put(k, update);
        events.add(new Object[] {recipientId, update.holder()});
        Iterator<Map.Entry<String, StoredContext>> it = records.entrySet().iterator();
        while (records.size() > maxContexts && it.hasNext()) {
          Map.Entry<String, StoredContext> oldest = it.next();
          if (oldest.getKey().equals(k)) {
            continue;
          }
          byte[] rid = oldest.getValue().recipientId();
          persist(rid, null);
          it.remove();
          evictions++;
          events.add(new Object[] {rid, 0L});
        }
      }
    }
    for (Object[] e : events) {
      for (Listener l : listeners) {
        l.changed((byte[]) e[0], (Long) e[1]);
      }
    }
    return true;
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
