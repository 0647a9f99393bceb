package io.edhoc.service.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.edhoc.oscore.store.ContextSealer;
import io.edhoc.oscore.store.OscoreContextStore;
import io.edhoc.oscore.store.StoredContext;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * OSCORE contexts in a cluster-wide Hazelcast map (backups and the size bound configured by {@link
 * ClusterSetup}), sealed by a {@link ContextSealer} under a key derived from the cluster state key:
 * nothing in the map is readable, or can be moved to another Recipient ID, without it.
 *
 * <p>{@link #compareAndSet} is Hazelcast's atomic {@code putIfAbsent} / {@code replace(key, old,
 * new)} / {@code remove(key, old)} on the sealed bytes (compared in binary form; every write has a
 * fresh nonce, so equal bytes mean the same version). So two nodes can never reserve the same
 * Sender Sequence Numbers, take over a context at the same time, or both apply a key update.
 *
 * <p>An entry listener tells the local {@link io.edhoc.oscore.StoreBackedCtxDB} of every change
 * made anywhere (another holder, a key update, a removal, an eviction), so that node drops its
 * copy. Events arrive asynchronously (typically within milliseconds on a LAN).
 */
public final class HazelcastOscoreContextStore implements OscoreContextStore {
  public static final String MAP_NAME = "edhoc.oscore-contexts";
  private final IMap<String, byte[]> map;
  private final ContextSealer sealer;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final java.util.UUID registration;

  public HazelcastOscoreContextStore(IMap<String, byte[]> map, ContextSealer sealer) {
    this.map = map;
    this.sealer = sealer;
    this.registration = map.addEntryListener(new Events(), true);
  }

  /**
   * The store every node (and every application server joined to the cluster) uses: the map {@link
   * #MAP_NAME} of {@code hz}, sealed under a key derived from the cluster state key
   * (HMAC-SHA-256(state key, "EDHOC OSCORE context store")), so the half-open map's key is not
   * used directly for a second purpose.
   */
  public static HazelcastOscoreContextStore forCluster(com.hazelcast.core.HazelcastInstance hz, byte[] clusterStateKey) {
    return new HazelcastOscoreContextStore(hz.getMap(MAP_NAME), new ContextSealer(derive(clusterStateKey, "EDHOC OSCORE context store")));
  }

  static byte[] derive(byte[] key, String label) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
    }
  }

  private static String key(byte[] rid) {
    return HexFormat.of().formatHex(rid);
  }

  @Override
  public Versioned read(byte[] recipientId) {
    byte[] sealed = map.get(key(recipientId));
    if (sealed == null) {
      return null;
    }
    StoredContext r = sealer.open(recipientId, sealed);
    if (r == null) {
      throw new IllegalStateException("stored OSCORE context does not authenticate: nodes use different cluster state keys, or the map was altered");
    }
    return new Versioned(r, sealed);
  }

  @Override
  public boolean compareAndSet(byte[] recipientId, Object expected, StoredContext update) {
    String k = key(recipientId);
    if (expected == null) {
      return update != null && map.putIfAbsent(k, sealer.seal(recipientId, update)) == null;
    }
    if (update == null) {
      return map.remove(k, expected);
    }
    return map.replace(k, (byte[]) expected, sealer.seal(recipientId, update));
  }

  @Override
  public int size() {
    return map.size();
  }

  @Override
  public long evictions() {
    return map.getLocalMapStats().getEvictionCount();
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** Stops listening (the node leaves). */
  public void close() {
    try {
      map.removeEntryListener(registration);
    } catch (RuntimeException e) {
      // the member is already gone
    }
  }

  private void fire(String key, byte[] value) {
    byte[] rid;
    try {
      rid = HexFormat.of().parseHex(key);
    } catch (IllegalArgumentException e) {
      return;
    }
    long holder = 0;
    if (value != null) {
      StoredContext r = sealer.open(rid, value);
      holder = r == null ? 0 : r.holder();
    }
    for (Listener l : listeners) {
      l.changed(rid, holder);
    }
  }

  private final class Events implements EntryAddedListener<String, byte[]>, EntryUpdatedListener<String, byte[]>,
      EntryRemovedListener<String, byte[]>, EntryEvictedListener<String, byte[]>, EntryExpiredListener<String, byte[]> {
    @Override
    public void entryAdded(EntryEvent<String, byte[]> e) {
      fire(e.getKey(), e.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, byte[]> e) {
      fire(e.getKey(), e.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, byte[]> e) {
      fire(e.getKey(), null);
    }

    @Override
    public void entryEvicted(EntryEvent<String, byte[]> e) {
      fire(e.getKey(), null);
    }

    @Override
    public void entryExpired(EntryEvent<String, byte[]> e) {
      fire(e.getKey(), null);
    }
  }
}
