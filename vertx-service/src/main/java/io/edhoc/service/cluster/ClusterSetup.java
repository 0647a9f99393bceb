package io.edhoc.service.cluster;

import com.hazelcast.config.Config;
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
    return cfg;
  }

  public static HazelcastClusterManager clusterManager(ServiceConfig.Cluster c) {
    return new HazelcastClusterManager(hazelcastConfig(c));
  }
}
