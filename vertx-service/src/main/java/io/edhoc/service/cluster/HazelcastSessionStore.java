package io.edhoc.service.cluster;

import com.hazelcast.map.IMap;
import io.edhoc.oscore.ResponderSessionStore;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Half-open responder sessions in a cluster-wide Hazelcast map (backups configured by {@link
 * ClusterSetup}), so message_3 may reach another node than message_1 and a node may die in
 * between. Values are already sealed by the caller ({@link io.edhoc.service.store.TimedSessionStore}
 * with a {@link io.edhoc.service.store.StateSealer}): nothing in the map is readable without the
 * cluster state key.
 *
 * <p>{@link #take} is Hazelcast's atomic {@code remove}, so two nodes receiving the same message_3
 * cannot both process it. Every operation is one keyed map operation; nothing scans the map.
 * The size bound is checked against the cluster-wide size, which Hazelcast computes from
 * per-partition counters in a call to every member: that call is made at most once per {@value
 * #SIZE_REFRESH_MILLIS} ms (by whichever thread finds the cached figure stale) and the figure is
 * counted forward by this node's own puts in between, so the bound is approximate (other nodes'
 * puts of the last interval are not seen). Expiry is Hazelcast's per-entry time to live; {@link
 * #evictions()} counts expirations and evictions of entries owned by this node.
 */
public final class HazelcastSessionStore implements ResponderSessionStore {
  public static final String MAP_NAME = "edhoc.half-open";
  private final IMap<String, byte[]> map;
  private final int maxSessions;
  static final long SIZE_REFRESH_MILLIS = 200;
  private final java.util.concurrent.atomic.AtomicInteger cachedSize = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong sizeRefreshedAt = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
  private final java.util.concurrent.atomic.LongAdder sizeCalls = new java.util.concurrent.atomic.LongAdder();

  public HazelcastSessionStore(IMap<String, byte[]> map, int maxSessions) {
    this.map = map;
    this.maxSessions = maxSessions;
  }

  /** Cluster-wide size() calls made so far (for tests: {@link #put} makes at most one per refresh interval). */
  public long sizeCalls() {
    return sizeCalls.sum();
  }

  private static String key(byte[] id) {
    return HexFormat.of().formatHex(id);
  }

  @Override
  public boolean put(byte[] connectionIdR, byte[] state, Duration timeToLive) {
    if (approximateSize() >= maxSessions) {
      return false;
    }
    boolean stored = map.putIfAbsent(key(connectionIdR), state.clone(), timeToLive.toMillis(), TimeUnit.MILLISECONDS) == null;
    if (stored) {
      cachedSize.incrementAndGet();
    }
    return stored;
  }

  @Override
  public byte[] take(byte[] connectionIdR) {
    return map.remove(key(connectionIdR));
  }

  @Override
  public boolean contains(byte[] connectionIdR) {
    return map.containsKey(key(connectionIdR));
  }

  @Override
  public int size() {
    return map.size();
  }

  /** The cached cluster-wide size (see the class description): no remote call on most calls. */
  @Override
  public int approximateSize() {
    long now = System.nanoTime() / 1_000_000;
    long at = sizeRefreshedAt.get();
    if ((at == Long.MIN_VALUE || now - at >= SIZE_REFRESH_MILLIS) && sizeRefreshedAt.compareAndSet(at, now)) {
      sizeCalls.increment();
      cachedSize.set(map.size());
    }
    return cachedSize.get();
  }

  @Override
  public long evictions() {
    var stats = map.getLocalMapStats();
    return stats.getExpirationCount() + stats.getEvictionCount();
  }
}
