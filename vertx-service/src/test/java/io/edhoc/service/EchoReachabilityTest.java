package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.Method;
import io.edhoc.oscore.EchoOption;
import io.edhoc.oscore.EdhocOption;
import io.edhoc.service.config.ServiceConfig;
import java.net.URI;
import java.nio.file.Path;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code coap.echoReachability: true}: message_1 is challenged with 4.01 + Echo, and the clients still complete. */
class EchoReachabilityTest {
  @TempDir Path dir;

  @Test
  void clusterNodesAcceptEachOthersEchoValuesSingleNodesUseARandomKey() {
    ServiceConfig c = new ServiceConfig();
    assertThat(EdhocService.echoVerifier(c, null)).as("auto by default").isNotNull();
    c.coap.echoReachability = "off";
    assertThat(EdhocService.echoVerifier(c, null)).isNull();
    c.coap.echoReachability = "on";
    java.net.InetSocketAddress client = new java.net.InetSocketAddress("127.0.0.1", 50000);
    byte[] stateKey = new byte[32];
    stateKey[0] = 7;
    byte[] fromA = EdhocService.echoVerifier(c, stateKey.clone()).issue(client);
    assertThat(EdhocService.echoVerifier(c, stateKey.clone()).verify(fromA, client)).isTrue();
    byte[] single = EdhocService.echoVerifier(c, null).issue(client);
    assertThat(EdhocService.echoVerifier(c, null).verify(single, client)).isFalse();
    assertThat(EdhocService.echoVerifier(c, null).window()).isEqualTo(java.time.Duration.ofSeconds(30));
  }

  @Test
  @Timeout(60)
  void connectClientAndBindingClientCompleteWithEchoOn() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.http.enabled = false;
    c.coap.echoReachability = "on";
    c.limits.ratePerSourcePerSecond = 0;
    io.edhoc.service.config.ConfigLoader.validate(c); // no longer refused at start-up
    try (EdhocService svc = EdhocService.start(c, null)) {
      URI uri = URI.create("coap://127.0.0.1:" + svc.coapPort() + "/.well-known/edhoc");

      // a bare message_1: 4.01 with an Echo value, nothing stored, the engine not run
      byte[] m1 = Edhoc.initiator(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT)).writeMessage1().message1();
      CoapClient raw = new CoapClient(uri).setTimeout(10_000L);
      try {
        Request req = Request.newPost();
        req.setURI(uri);
        req.setPayload(ServiceTest.withTrue(m1));
        req.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
        CoapResponse r = raw.advanced(req);
        assertThat(r.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(EchoOption.get(r.getOptions())).hasSizeBetween(1, 40);
        assertThat(svc.sessionStore().size()).isZero();
      } finally {
        raw.shutdown();
      }

      // the connect command's client (InitiatorFlow over CoapEdhocTransport), then OSCORE
      try (TestSupport.CoapClient t = new TestSupport.CoapClient(uri)) {
        var o = TestSupport.handshake(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT), Method.STAT_STAT, t.transport());
        try {
          assertThat(svc.contexts().recipientIdInUse(o.oscore().senderId())).isTrue();
          assertThat(t.oscoreGet(o.oscore(), "/hello").getCode()).isEqualTo(ResponseCode.CONTENT);
        } finally {
          o.session().close();
        }
      }

      // the connect command end to end (method 0, suite 0) against the Echo-enabled service
      int exit = new picocli.CommandLine(new ConnectCommand()).execute(uri.toString(), "--method", "0", "--suite", "0",
          "--credentials", dir.resolve("client").toString(), "--get", "/hello");
      assertThat(exit).isZero();
      // and with the RFC 9668 combined request (the binding's EdhocCoapClient)
      exit = new picocli.CommandLine(new ConnectCommand()).execute(uri.toString(), "--credentials", dir.resolve("client").toString(),
          "--get", "/hello", "--combined");
      assertThat(exit).isZero();

      String m = svc.metrics().scrape();
      // one challenge per message_1, never for message_3
      assertThat(m).contains("edhoc_echo_challenges_total{reason=\"echo_required\",transport=\"coap\"} 4.0")
          .contains("edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"coap\"} 1.0")
          .contains("edhoc_handshakes_completed_total{method=\"0\",suite=\"0\",transport=\"coap\"} 1.0")
          .contains("edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"coap+oscore\"} 1.0")
          .doesNotContain("echo_rejected");
      assertThat(svc.sessionStore().size()).isZero();
    }
  }

  /**
   * {@code auto} (the default): no Echo round trip while the service is idle; once half-open
   * sessions reach the threshold, message_1 without a valid Echo gets 4.01 + Echo (so sources that
   * cannot receive cannot add more), and a client that answers the challenge still completes.
   */
  @Test
  @Timeout(60)
  void autoChallengesOnlyUnderPressure() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.http.enabled = false;
    c.limits.ratePerSourcePerSecond = 0;
    c.limits.maxHalfOpen = 8;
    c.coap.echoAutoThreshold = 0.5; // challenge from 4 half-open sessions on
    io.edhoc.service.config.ConfigLoader.validate(c);
    assertThat(c.coap.echoReachability).isEqualTo("auto");
    try (EdhocService svc = EdhocService.start(c, null)) {
      URI uri = URI.create("coap://127.0.0.1:" + svc.coapPort() + "/.well-known/edhoc");
      CoapClient raw = new CoapClient(uri).setTimeout(10_000L);
      try {
        // idle: message_1 is served at once, four times (what a flood without Echo can add)
        for (int i = 0; i < 4; i++) {
          assertThat(raw.advanced(message1(uri, null)).getCode()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(svc.sessionStore().size()).isEqualTo(4);
        // under pressure: challenged, nothing stored ...
        CoapResponse challenge = raw.advanced(message1(uri, null));
        assertThat(challenge.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        byte[] echo = EchoOption.get(challenge.getOptions());
        assertThat(echo).isNotNull();
        assertThat(svc.sessionStore().size()).isEqualTo(4);
        // ... until the Echo value comes back from the address it was sent to
        assertThat(raw.advanced(message1(uri, echo)).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(svc.sessionStore().size()).isEqualTo(5);
      } finally {
        raw.shutdown();
      }
      // an honest client answers the challenge and completes the handshake and OSCORE
      try (TestSupport.CoapClient t = new TestSupport.CoapClient(uri)) {
        var o = TestSupport.handshake(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT), Method.STAT_STAT, t.transport());
        try {
          assertThat(t.oscoreGet(o.oscore(), "/hello").getCode()).isEqualTo(ResponseCode.CONTENT);
        } finally {
          o.session().close();
        }
      }
      assertThat(svc.metrics().scrape()).contains("edhoc_echo_challenges_total{reason=\"echo_required\",transport=\"coap\"} 2.0");
      // both challenges were decided on the UDP receive thread, before Californium's executor
      assertThat(svc.coapTransport().challengedBeforeExecutor()).isEqualTo(2);
    }
  }

  private Request message1(URI uri, byte[] echo) throws Exception {
    byte[] m1 = Edhoc.initiator(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT)).writeMessage1().message1();
    Request req = Request.newPost();
    req.setURI(uri);
    req.setPayload(ServiceTest.withTrue(m1));
    req.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
    if (echo != null) {
      EchoOption.set(req.getOptions(), echo);
    }
    return req;
  }
}
