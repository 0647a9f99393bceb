package io.edhoc.crypto;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A small, thread-safe LRU cache of parsed public keys keyed by their encoded bytes. Only public
 * values go in here. Parsing (point decompression / validation) is done outside the lock; two
 * threads parsing the same key at once both get a valid result.
 */
final class BoundedCache<V> {
  private final int capacity;
  private final LinkedHashMap<Key, V> map;

  BoundedCache(int capacity) {
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, V> eldest) {
        return size() > BoundedCache.this.capacity;
      }
    };
  }

  /** The cached value for bytes, else parser.apply(bytes) (cached unless null). */
  V get(byte[] bytes, Function<byte[], V> parser) {
    Key k = new Key(bytes);
    synchronized (map) {
      V v = map.get(k);
      if (v != null) {
        return v;
      }
    }
    V v = parser.apply(bytes);
    if (v != null) {
      synchronized (map) {
        map.put(k, v);
      }
    }
    return v;
  }

  int size() {
    synchronized (map) {
      return map.size();
    }
  }

  private static final class Key {
    private final byte[] b;
    private final int h;

    Key(byte[] b) {
      this.b = b.clone();
      this.h = Arrays.hashCode(b);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && Arrays.equals(b, ((Key) o).b);
    }

    @Override
    public int hashCode() {
      return h;
    }
  }
}
