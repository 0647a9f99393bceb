package io.edhoc.service.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import io.edhoc.service.config.ServiceConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The Hazelcast configuration of {@code serve --cluster}: Vert.x's defaults for its own maps, TCP/IP
 * join on the configured members only (multicast, auto-detection and cloud discovery off), bound to
 * the configured interface (127.0.0.1 by default), phone-home off, and the half-open session map
 * with the configured number of synchronous backups.
 */
public final class ClusterSetup {
  private ClusterSetup() {}

  public static Config hazelcastConfig(ServiceConfig.Cluster c) {
    return hazelcastConfig(c, Integer.MAX_VALUE);
  }

  /**
   * As {@link #hazelcastConfig(ServiceConfig.Cluster)}, with the OSCORE context map ({@link
   * HazelcastOscoreContextStore}): the same backups, and at most {@code maxOscoreContexts} entries
   * per member (Hazelcast's LRU eviction, O(1) per put by sampling; evicted contexts are dropped on
   * every node through the store's listener).
   */
  public static Config hazelcastConfig(ServiceConfig.Cluster c, int maxOscoreContexts) {
    System.setProperty("hazelcast.phone.home.enabled", "false");
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    Config cfg = ConfigUtil.loadConfig();
    cfg.setClusterName(c.clusterName);
    cfg.setProperty("hazelcast.phone.home.enabled", "false");
    cfg.setProperty("hazelcast.socket.bind.any", "false");
    cfg.setProperty("hazelcast.local.localAddress", c.host);
    // fast failure detection and shutdown: a dead node's partitions move to the survivors quickly
    cfg.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    cfg.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    cfg.setProperty("hazelcast.graceful.shutdown.max.wait", "20");
    cfg.setProperty("hazelcast.wait.seconds.before.join", "1");
    cfg.setProperty("hazelcast.max.wait.seconds.before.join", "2");
    NetworkConfig net = cfg.getNetworkConfig();
    net.setPort(c.port).setPortAutoIncrement(c.portAutoIncrement > 0).setPortCount(Math.max(1, c.portAutoIncrement + 1));
    net.setPublicAddress(null);
    net.getInterfaces().setEnabled(true).clear().addInterface(c.host);
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    join.getGcpConfig().setEnabled(false);
    join.getAzureConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);
    join.getEurekaConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(c.members).setConnectionTimeoutSeconds(2);
    cfg.addMapConfig(new MapConfig(HazelcastSessionStore.MAP_NAME).setBackupCount(c.backupCount).setAsyncBackupCount(0));
    MapConfig oscore = new MapConfig(HazelcastOscoreContextStore.MAP_NAME).setBackupCount(c.backupCount).setAsyncBackupCount(0);
    if (maxOscoreContexts < Integer.MAX_VALUE) {
      oscore.setEvictionConfig(new EvictionConfig().setEvictionPolicy(EvictionPolicy.LRU).setMaxSizePolicy(MaxSizePolicy.PER_NODE)
          .setSize(maxOscoreContexts));
    }
    cfg.addMapConfig(oscore);
    return cfg;
  }

  public static HazelcastClusterManager clusterManager(ServiceConfig.Cluster c) {
    return new HazelcastClusterManager(hazelcastConfig(c));
  }

  public static HazelcastClusterManager clusterManager(ServiceConfig.Cluster c, int maxOscoreContexts) {
    return new HazelcastClusterManager(hazelcastConfig(c, maxOscoreContexts));
  }
}
