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
 * cannot both process it. The size bound is checked before each insert against the cluster-wide
 * size, so it is approximate under concurrent inserts (off by at most the number of concurrent
 * puts). Expiry is Hazelcast's per-entry time to live; {@link #evictions()} counts expirations and
 * evictions of entries owned by this node.
 */
public final class HazelcastSessionStore implements ResponderSessionStore {
  public static final String MAP_NAME = "edhoc.half-open";
  private final IMap<String, byte[]> map;
  private final int maxSessions;

  public HazelcastSessionStore(IMap<String, byte[]> map, int maxSessions) {
    this.map = map;
    this.maxSessions = maxSessions;
  }

  private static String key(byte[] id) {
    return HexFormat.of().formatHex(id);
  }

  @Override
  public boolean put(byte[] connectionIdR, byte[] state, Duration timeToLive) {
    if (map.size() >= maxSessions) {
      return false;
    }
    return map.putIfAbsent(key(connectionIdR), state.clone(), timeToLive.toMillis(), TimeUnit.MILLISECONDS) == null;
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

  @Override
  public long evictions() {
    var stats = map.getLocalMapStats();
    return stats.getExpirationCount() + stats.getEvictionCount();
  }
}
