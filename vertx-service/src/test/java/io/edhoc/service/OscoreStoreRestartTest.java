package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Method;
import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.EdhocCoapClient;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import io.edhoc.oscore.OscoreEchoClient;
import io.edhoc.service.coap.CoapTransport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OscoreOptionDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store on a single node, with the service in its own JVM: handshake and OSCORE GET,
 * {@code kill -9} of the service process, a new process on the same store; the client's next GET
 * with the same context succeeds after one Echo round trip and no new EDHOC, a request captured
 * before the kill is never answered as fresh, and no (Sender ID, Partial IV) repeats on the wire.
 */
class OscoreStoreRestartTest {
  @TempDir Path dir;

  private Path config(String extra) throws Exception {
    TestSupport.config(dir); // creates server/ and client/ credentials
    Path f = dir.resolve("serve.yaml");
    Files.writeString(f, String.join("\n",
        "http:", "  enabled: false",
        "coap:", "  port: 0",
        "admin:", "  port: 0",
        "credentials:", "  directory: " + dir.resolve("server"),
        "limits:", "  ratePerSourcePerSecond: 0",
        "oscore:", "  store: file", "  ssnStep: 4",
        "  file:", "    directory: " + dir.resolve("contexts"), "    keyFile: " + dir.resolve("oscore-store.key"),
        extra, ""));
    return f;
  }

  static Response rawExchange(byte[] datagram, int port) throws Exception {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(5000);
      s.send(new DatagramPacket(datagram, datagram.length, new InetSocketAddress("127.0.0.1", port)));
      byte[] buf = new byte[2048];
      while (true) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        Message m = UdpRelay.parse(Arrays.copyOf(buf, p.getLength()));
        if (m instanceof Response r) {
          return r;
        }
      }
    }
  }

  @Test
  @Timeout(180)
  void contextSurvivesKillDashNineWithOneEchoRoundTripAndReplaysAreRefused() throws Exception {
    Path cfg = config("");
    Configuration coapConfig = CoapTransport.configuration();
    HashMapCtxDB clientDb = new HashMapCtxDB();
    CaliforniumContexts clientContexts = new CaliforniumContexts(clientDb);
    EdhocOscoreStackFactory stack = new EdhocOscoreStackFactory(clientDb, null);
    CoapEndpoint clientEp = stack.endpointBuilder(coapConfig).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    clientEp.start();
    CoapClient client = new CoapClient();
    client.setEndpoint(clientEp);
    client.setTimeout(10_000L);
    try (UdpRelay relay = new UdpRelay()) {
      EdhocCoapClient.Established e;
      String hello = relay.uri() + "/hello";
      try (ServiceProcess first = ServiceProcess.start(cfg, dir.resolve("first.log"))) {
        relay.target(first.coapPort);
        e = new EdhocCoapClient(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT), clientEp, clientContexts, stack)
            .establish(relay.uri());
        for (int i = 0; i < 3; i++) {
          assertThat(OscoreEchoClient.get(client, hello).getCode()).isEqualTo(ResponseCode.CONTENT);
        }
        assertThat(relay.responsesWithPartialIv()).isZero();
        assertThat(Files.list(dir.resolve("contexts")).filter(p -> p.toString().endsWith(".ctx")).count()).isEqualTo(1);
        first.kill9();
      }
      byte[] captured = relay.lastProtectedRequest();
      long edhocBefore = relay.edhocRequests();

      try (ServiceProcess second = ServiceProcess.start(cfg, dir.resolve("second.log"))) {
        relay.target(second.coapPort);
        // the captured request replayed to the new process: a challenge with the server's own Partial IV, never an answer
        Response challenge = rawExchange(captured, second.coapPort);
        OscoreOptionDecoder d = new OscoreOptionDecoder(challenge.getOptions().getOscore());
        assertThat(d.getPartialIV()).as("own Partial IV: the request's nonce is not reused").isNotNull();
        assertThat(d.getSequenceNumber()).as("above every range reserved before the kill").isGreaterThanOrEqualTo(4);

        long withPiv = relay.responsesWithPartialIv();
        CoapResponse r = OscoreEchoClient.get(client, hello);
        assertThat(r.getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(r.getResponseText()).contains("Hello");
        assertThat(relay.responsesWithPartialIv() - withPiv).as("one Echo round trip").isEqualTo(1);
        assertThat(relay.edhocRequests()).as("no new EDHOC handshake").isEqualTo(edhocBefore);
        assertThat(relay.outerEchoOptions()).as("the Echo option travels encrypted (class E) both ways").isZero();
        assertThat(OscoreEchoClient.get(client, hello).getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(relay.responsesWithPartialIv() - withPiv).isEqualTo(1);

        // replayed after the window was recovered: refused (unprotected 4.01), still not answered as fresh
        Response late = rawExchange(captured, second.coapPort);
        assertThat(late.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(late.getOptions().hasOscore()).isFalse();

        String metrics = second.metrics();
        assertThat(metrics).contains("edhoc_oscore_contexts_loaded_total 1.0").contains("edhoc_oscore_echo_recoveries_total 1.0")
            .contains("edhoc_oscore_ssn_reservations_total 1.0"); // the load; one challenge used one number of that range

        // every (Sender ID, Partial IV) put on the wire by the client or either server process is unique
        Map<String, List<String>> uses = relay.nonceUses(e.oscoreContext().recipientId());
        assertThat(uses).isNotEmpty();
        uses.forEach((k, v) -> assertThat(v).as("nonce " + k).hasSize(1));
      }
    } finally {
      clientEp.destroy();
    }
  }
}
