package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.service.config.ConfigException;
import io.edhoc.service.config.ConfigLoader;
import io.edhoc.service.config.ServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsAreLoopback() throws Exception {
    ServiceConfig c = ConfigLoader.load(null, Map.of());
    assertThat(c.http.host).isEqualTo("127.0.0.1");
    assertThat(c.coap.host).isEqualTo("127.0.0.1");
    assertThat(c.admin.host).isEqualTo("127.0.0.1");
    assertThat(c.cluster.host).isEqualTo("127.0.0.1");
    assertThat(c.http.port).isEqualTo(8080);
    assertThat(c.coap.port).isEqualTo(5683);
  }

  @Test
  void yamlAndJsonFiles() throws Exception {
    Path y = dir.resolve("edhoc.yaml");
    Files.writeString(y, "http:\n  port: 9000\nedhoc:\n  suites: [0]\n  methods: [3]\nlimits:\n  maxHalfOpen: 7\n");
    ServiceConfig c = ConfigLoader.load(y, Map.of());
    assertThat(c.http.port).isEqualTo(9000);
    assertThat(c.edhoc.suites).containsExactly(0);
    assertThat(c.limits.maxHalfOpen).isEqualTo(7);
    Path j = dir.resolve("edhoc.json");
    Files.writeString(j, "{\"coap\": {\"port\": 5999, \"echoReachability\": false}}");
    assertThat(ConfigLoader.load(j, Map.of()).coap.port).isEqualTo(5999);
  }

  @Test
  void environmentOverridesFile() throws Exception {
    Path y = dir.resolve("edhoc.yaml");
    Files.writeString(y, "http:\n  port: 9000\n");
    ServiceConfig c = ConfigLoader.load(y, Map.of("EDHOC_HTTP_PORT", "9100", "EDHOC_EDHOC_SUITES", "2,0", "EDHOC_LIMITS_MAX_HALF_OPEN", "12",
        "EDHOC_CLUSTER_MEMBERS", "127.0.0.1:5701,127.0.0.1:5702"));
    assertThat(c.http.port).isEqualTo(9100);
    assertThat(c.edhoc.suites).containsExactly(2, 0);
    assertThat(c.limits.maxHalfOpen).isEqualTo(12);
    assertThat(c.cluster.members).containsExactly("127.0.0.1:5701", "127.0.0.1:5702");
    assertThat(ConfigLoader.environmentNames()).containsEntry("limits.halfOpenTtlSeconds", "EDHOC_LIMITS_HALF_OPEN_TTL_SECONDS");
  }

  @Test
  void errorsNameTheKey() throws Exception {
    assertProblem("http:\n  port: 70000\n", "http.port", "between 0 and 65535");
    assertProblem("http:\n  prot: 80\n", "http.prot", "unknown key");
    assertProblem("http:\n  port: eighty\n", "http.port", "eighty");
    assertProblem("edhoc:\n  methods: [4]\n", "edhoc.methods[0]", "enableMethod4");
    assertProblem("edhoc:\n  suites: [2, 99]\n", "edhoc.suites[1]", "unknown cipher suite 99");
    assertProblem("limits:\n  maxHalfOpen: 0\n", "limits.maxHalfOpen", "between 1");
    assertProblem("cluster:\n  stateKey: abc\n", "cluster.stateKey", "64 hex digits");
    assertProblem("credentials: 5\n", "credentials", "must be a map");
    assertProblem("coap:\n  echoWindowSeconds: 0\n", "coap.echoWindowSeconds", "between 1");
    assertProblem("coap:\n  receiverThreads: 0\n", "coap.receiverThreads", "between 1");
    assertProblem("coap:\n  receiverThreads: 17\n", "coap.receiverThreads", "between 1");
    assertProblem("oscore:\n  store: redis\n", "oscore.store", "memory, file or cluster");
    assertProblem("oscore:\n  ssnStep: 0\n", "oscore.ssnStep", "between 1");
    assertProblem("oscore:\n  file:\n    key: 00\n", "oscore.file.key", "64 hex digits");
    assertThat(ConfigLoader.parse("oscore:\n  store: file\n  file:\n    directory: /tmp/x\n").oscore.file.directory).isEqualTo("/tmp/x");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("EDHOC_ADMIN_PORT", "x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("admin.port");
  }

  @Test
  void echoReachabilityIsAccepted() throws Exception {
    ServiceConfig c = ConfigLoader.parse("coap:\n  echoReachability: true\n  echoWindowSeconds: 60\n");
    assertThat(c.coap.echoReachability).isEqualTo("on");
    assertThat(c.coap.echoWindowSeconds).isEqualTo(60);
    assertThat(c.coap.receiverThreads).as("default").isEqualTo(2);
    assertThat(ConfigLoader.parse("coap:\n  receiverThreads: 1\n").coap.receiverThreads).isEqualTo(1);
    assertThat(ConfigLoader.load(null, Map.of("EDHOC_COAP_ECHO_REACHABILITY", "true")).coap.echoReachability).isEqualTo("on");
    assertThat(ConfigLoader.parse("coap:\n  echoReachability: false\n").coap.echoReachability).isEqualTo("off");
    assertThat(ConfigLoader.parse("coap:\n  echoReachability: auto\n  echoAutoThreshold: 0.25\n").coap.echoAutoThreshold).isEqualTo(0.25);
    assertThat(new ServiceConfig().coap.echoReachability).as("the default").isEqualTo("auto");
    assertProblem("coap:\n  echoReachability: sometimes\n", "coap.echoReachability", "off, on or auto");
    assertProblem("coap:\n  echoAutoThreshold: 0\n", "coap.echoAutoThreshold", "fraction");
  }

  @Test
  void method4OnlyWhenEnabled() throws Exception {
    ServiceConfig c = ConfigLoader.parse("edhoc:\n  enableMethod4: true\n  methods: [3, 4]\n");
    assertThat(c.edhoc.methods).containsExactly(3, 4);
  }

  private void assertProblem(String yaml, String key, String text) throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, yaml);
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key))
        .hasMessageContaining(text);
  }

  @Test
  void clusterStoreNeedsClusterModeAndTheFileStoreKeyFileIsCreatedOwnerOnly(@TempDir Path tmp) throws Exception {
    ServiceConfig c = TestSupport.config(tmp);
    c.oscore.store = "cluster";
    assertThatThrownBy(() -> EdhocService.start(c, null)).hasMessageContaining("oscore.store: cluster needs cluster mode");
    ServiceConfig f = TestSupport.config(tmp);
    byte[] k = EdhocService.fileStoreKey(f, tmp.resolve("server"));
    assertThat(k).hasSize(32);
    Path keyFile = tmp.resolve("server").resolve("oscore-store.key");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    assertThat(EdhocService.fileStoreKey(f, tmp.resolve("server"))).isEqualTo(k);
  }
}
