package io.edhoc.oscore.store;

import java.util.Arrays;

/**
 * A map from long keys (never 0) to long values in two primitive arrays: open addressing, linear
 * probing, backward-shift deletion, grown to keep it at most half full. Not thread-safe.
 *
 * <p>Why not a {@code HashMap<Long, Long>}: a server keeps one entry per OSCORE context (Recipient
 * ID -> position or holder), and writes one per handshake. A map of objects allocates a node and
 * boxes per entry, and every write stores a reference into the long-lived table, which marks a card
 * of the old generation that the next young collection then scans: at a few thousand handshakes a
 * second those scattered cards were a third of every young pause (docs/performance.md). Writing
 * longs marks no card and allocates nothing.
 */
public final class LongLongTable {
  private long[] keys;
  private long[] values;
  private int size;
  private long probes;

  public LongLongTable() {
    this(16);
  }

  /** {@code expected}: entries to hold without growing. */
  public LongLongTable(int expected) {
    int cap = 16;
    while (cap < 2L * expected && cap < (1 << 30)) {
      cap <<= 1;
    }
    keys = new long[cap];
    values = new long[cap];
  }

  public int size() {
    return size;
  }

  /** Table slots examined since creation (for tests that count the work). */
  public long probes() {
    return probes;
  }

  private static int spread(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ h >>> 32);
  }

  private int indexOf(long key) {
    checkKey(key);
    int mask = keys.length - 1;
    for (int i = spread(key) & mask;; i = (i + 1) & mask) {
      probes++;
      long k = keys[i];
      if (k == key || k == 0) {
        return i;
      }
    }
  }

  private static void checkKey(long key) {
    if (key == 0) {
      throw new IllegalArgumentException("key 0 is reserved");
    }
  }

  public boolean containsKey(long key) {
    return keys[indexOf(key)] != 0;
  }

  /** The value for {@code key}, or {@code absent}. */
  public long get(long key, long absent) {
    int i = indexOf(key);
    return keys[i] != 0 ? values[i] : absent;
  }

  /** Maps {@code key} to {@code value}; returns the previous value or {@code absent}. */
  public long put(long key, long value, long absent) {
    int i = indexOf(key);
    if (keys[i] != 0) {
      long old = values[i];
      values[i] = value;
      return old;
    }
    if (2 * (size + 1) > keys.length) {
      grow();
      i = indexOf(key);
    }
    keys[i] = key;
    values[i] = value;
    size++;
    return absent;
  }

  /** Removes {@code key}; returns its value or {@code absent}. */
  public long remove(long key, long absent) {
    int i = indexOf(key);
    if (keys[i] == 0) {
      return absent;
    }
    long old = values[i];
    int mask = keys.length - 1;
    // close the gap: move later entries of the cluster back if their home allows it
    for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
      probes++;
      int home = spread(keys[j]) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        keys[i] = keys[j];
        values[i] = values[j];
        i = j;
      }
    }
    keys[i] = 0;
    values[i] = 0;
    size--;
    return old;
  }

  public void clear() {
    Arrays.fill(keys, 0);
    Arrays.fill(values, 0);
    size = 0;
  }

  private void grow() {
    if (keys.length >= (1 << 30)) {
      throw new IllegalStateException("table full");
    }
    long[] oldKeys = keys;
    long[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new long[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      long k = oldKeys[j];
      if (k != 0) {
        int i = spread(k) & mask;
        while (keys[i] != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = k;
        values[i] = oldValues[j];
      }
    }
  }
}
