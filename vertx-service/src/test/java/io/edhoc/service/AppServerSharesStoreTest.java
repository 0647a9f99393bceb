package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.edhoc.CipherSuite;
import io.edhoc.Method;
import io.edhoc.cbor.Hex;
import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.EdhocCoapClient;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import io.edhoc.oscore.OscoreEchoClient;
import io.edhoc.oscore.StoreBackedCtxDB;
import io.edhoc.service.cluster.ClusterSetup;
import io.edhoc.service.cluster.HazelcastOscoreContextStore;
import io.edhoc.service.coap.CoapTransport;
import io.edhoc.service.config.ServiceConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * EDHOC at the key-establishment service (its own JVM, cluster mode, {@code oscore.store:
 * cluster}), then an OSCORE GET answered by an application server in another process that runs no
 * EDHOC and shares nothing with the service but the context store: a Hazelcast member of the same
 * cluster, the binding's {@link StoreBackedCtxDB} and stack, and a plain OSCORE resource (the
 * lines docs/oscore.md shows).
 */
class AppServerSharesStoreTest {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  void applicationServerAnswersWithAContextEstablishedAtTheService() throws Exception {
    TestSupport.config(dir);
    byte[] stateKey = new byte[32];
    new SecureRandom().nextBytes(stateKey);
    Path keyFile = dir.resolve("cluster-state.key");
    Files.writeString(keyFile, Hex.encode(stateKey));
    int base = 16800 + (int) (ProcessHandle.current().pid() % 150) * 2;
    String name = "edhoc-app-test-" + ProcessHandle.current().pid();
    Path cfg = dir.resolve("serve.yaml");
    Files.writeString(cfg, String.join("\n",
        "http:", "  enabled: false",
        "coap:", "  port: 0",
        "admin:", "  port: 0",
        "credentials:", "  directory: " + dir.resolve("server"),
        "limits:", "  ratePerSourcePerSecond: 0",
        "cluster:", "  enabled: true", "  port: " + base, "  portAutoIncrement: 0",
        "  members: ['127.0.0.1:" + base + "', '127.0.0.1:" + (base + 1) + "']", "  clusterName: " + name, "  stateKeyFile: " + keyFile,
        "oscore:", "  store: cluster", ""));

    Configuration coapConfig = CoapTransport.configuration();
    HazelcastInstance hz = null;
    CoapServer app = null;
    HashMapCtxDB clientDb = new HashMapCtxDB();
    EdhocOscoreStackFactory clientStack = new EdhocOscoreStackFactory(clientDb, null);
    CoapEndpoint clientEp = clientStack.endpointBuilder(coapConfig).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    clientEp.start();
    try (ServiceProcess service = ServiceProcess.start(cfg, dir.resolve("service.log")); UdpRelay relay = new UdpRelay()) {
      // the application server: a cluster member with the store, the binding's DB and stack, no EDHOC
      ServiceConfig.Cluster cluster = new ServiceConfig.Cluster();
      cluster.port = base + 1;
      cluster.portAutoIncrement = 0;
      cluster.members = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
      cluster.clusterName = name;
      hz = Hazelcast.newHazelcastInstance(ClusterSetup.hazelcastConfig(cluster));
      StoreBackedCtxDB db = new StoreBackedCtxDB(HazelcastOscoreContextStore.forCluster(hz, stateKey));
      CoapEndpoint appEp = new EdhocOscoreStackFactory(db, null).endpointBuilder(coapConfig)
          .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
      app = new CoapServer(coapConfig);
      app.addEndpoint(appEp);
      app.add(new OSCoreResource("temperature", true) {
        @Override
        public void handleGET(CoapExchange exchange) {
          exchange.respond(ResponseCode.CONTENT, "21.5 C");
        }
      });
      app.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (hz.getCluster().getMembers().size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(hz.getCluster().getMembers()).hasSize(2);

      // EDHOC with the service behind the balancer, then the balancer sends the client's OSCORE requests to the application
      relay.target(service.coapPort);
      EdhocCoapClient.Established e = new EdhocCoapClient(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT), clientEp,
          new CaliforniumContexts(clientDb), clientStack).establish(relay.uri());
      relay.target(appEp.getAddress().getPort());
      CoapClient client = new CoapClient();
      client.setEndpoint(clientEp);
      client.setTimeout(10_000L);
      CoapResponse r = OscoreEchoClient.get(client, relay.uri() + "/temperature");
      assertThat(r.getCode()).isEqualTo(ResponseCode.CONTENT);
      assertThat(r.getResponseText()).isEqualTo("21.5 C");
      assertThat(r.getOptions().hasOscore()).isTrue();
      assertThat(db.contextsLoaded()).isEqualTo(1);
      assertThat(db.echoRecoveries()).isEqualTo(1);
      assertThat(relay.responsesWithPartialIv()).as("one Echo round trip").isEqualTo(1);
      assertThat(OscoreEchoClient.get(client, relay.uri() + "/temperature").getResponseText()).isEqualTo("21.5 C");
      relay.nonceUses(e.oscoreContext().recipientId()).forEach((k, v) -> assertThat(v).as("nonce " + k).hasSize(1));
    } finally {
      clientEp.destroy();
      if (app != null) {
        app.destroy();
      }
      if (hz != null) {
        hz.getLifecycleService().terminate();
      }
    }
  }
}
