package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.service.config.ServiceConfig;
import io.edhoc.service.http.HttpTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bounded half-open state under a message_1 flood, the per-source rate limit, and the event-loop measurement. */
class LimitsTest {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  HttpResponse<byte[]> post(EdhocService svc, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + svc.httpPort() + HttpTransport.PATH))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", HttpTransport.REQUEST_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static byte[] withTrue(byte[] m1) {
    return ServiceTest.withTrue(m1);
  }

  @Test
  @Timeout(60)
  void floodOfMessage1IsBoundedAndPendingHonestHandshakeCompletes() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.coap.enabled = false;
    c.limits.maxHalfOpen = 50;
    c.limits.halfOpenTtlSeconds = 5;
    c.limits.ratePerSourcePerSecond = 0;
    try (EdhocService svc = EdhocService.start(c, null)) {
      EdhocConfig client = TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT);
      // an honest client sends message_1 first
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(client).writeMessage1();
      HttpResponse<byte[]> r2 = post(svc, withTrue(w2.message1()));
      assertThat(r2.statusCode()).isEqualTo(200);

      // then 200 message_1 that are never continued
      int refused = 0;
      for (int i = 0; i < 200; i++) {
        byte[] m1 = Edhoc.initiator(client).writeMessage1().message1();
        int code = post(svc, withTrue(m1)).statusCode();
        if (code == 500) {
          refused++;
        } else {
          assertThat(code).isEqualTo(200);
        }
        assertThat(svc.sessionStore().size()).isLessThanOrEqualTo(50);
      }
      assertThat(refused).isGreaterThanOrEqualTo(100);
      assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_failed_total{reason=\"store_full\",transport=\"http\"}");

      // the honest handshake still completes
      Initiator.AwaitingMessage4 w4 = w2.readMessage2(r2.body()).writeMessage3();
      HttpResponse<byte[]> r4 = post(svc, ServiceTest.concat(ConnectionIdCodec.encode(w4.connectionIdR()), w4.message3()));
      assertThat(r4.statusCode()).isEqualTo(200);
      try (EdhocSession s = w4.complete()) {
        assertThat(s.method()).isEqualTo(Method.STAT_STAT);
      }

      // the flood expires: new honest handshakes complete again, and the evictions are counted
      Thread.sleep(5500);
      assertThat(svc.sessionStore().size()).isZero();
      assertThat(svc.sessionStore().evictions()).isGreaterThanOrEqualTo(49);
      EdhocClient_runOverHttp(svc, client);
      assertThat(svc.metrics().scrape()).contains("edhoc_half_open_evictions_total 49.0");
    }
  }

  private void EdhocClient_runOverHttp(EdhocService svc, EdhocConfig client) throws Exception {
    TestSupport.httpHandshake(svc, client, Method.STAT_STAT).session().close();
  }

  @Test
  @Timeout(60)
  void perSourceRateLimit() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.coap.enabled = false;
    c.limits.ratePerSourcePerSecond = 1;
    c.limits.rateBurst = 5;
    c.limits.halfOpenTtlSeconds = 1;
    try (EdhocService svc = EdhocService.start(c, null)) {
      EdhocConfig client = TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT);
      int ok = 0;
      int limited = 0;
      for (int i = 0; i < 20; i++) {
        int code = post(svc, withTrue(Edhoc.initiator(client).writeMessage1().message1())).statusCode();
        if (code == 429) {
          limited++;
        } else if (code == 200) {
          ok++;
        }
      }
      assertThat(ok).isBetween(5, 7);
      assertThat(limited).isEqualTo(20 - ok);
      assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_failed_total{reason=\"rate_limited\",transport=\"http\"}");
    }
  }

  @Test
  @Timeout(60)
  void perSourceRateLimitOverCoap() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.http.enabled = false;
    c.limits.ratePerSourcePerSecond = 1;
    c.limits.rateBurst = 3;
    c.limits.halfOpenTtlSeconds = 1;
    try (EdhocService svc = EdhocService.start(c, null)) {
      EdhocConfig client = TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT);
      URI uri = URI.create("coap://127.0.0.1:" + svc.coapPort() + "/.well-known/edhoc");
      org.eclipse.californium.core.CoapClient coap = new org.eclipse.californium.core.CoapClient(uri).setTimeout(10_000L);
      int ok = 0;
      int limited = 0;
      try {
        for (int i = 0; i < 10; i++) {
          org.eclipse.californium.core.coap.Request req = org.eclipse.californium.core.coap.Request.newPost();
          req.setURI(uri);
          req.setPayload(withTrue(Edhoc.initiator(client).writeMessage1().message1()));
          req.getOptions().setContentFormat(io.edhoc.oscore.EdhocOption.CID_EDHOC_CBOR_SEQ);
          org.eclipse.californium.core.CoapResponse r = coap.advanced(req);
          if (r.getCode() == org.eclipse.californium.core.coap.CoAP.ResponseCode.TOO_MANY_REQUESTS) {
            limited++;
            assertThat(r.getOptions().getMaxAge()).isEqualTo(1L);
          } else {
            assertThat(r.getCode()).isEqualTo(org.eclipse.californium.core.coap.CoAP.ResponseCode.CHANGED);
            ok++;
          }
        }
      } finally {
        coap.shutdown();
      }
      assertThat(ok).isBetween(3, 5);
      assertThat(limited).isEqualTo(10 - ok);
      assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_failed_total{reason=\"rate_limited\",transport=\"coap\"}");
    }
  }

  /**
   * The measurement behind limits.cryptoOnWorkers: time spent in the engine per request, i.e. how
   * long an event loop would be blocked if the crypto ran on it. Printed, and bounded loosely.
   */
  @Test
  @Timeout(120)
  void engineTimePerRequest() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.coap.enabled = false;
    c.limits.ratePerSourcePerSecond = 0;
    c.limits.cryptoOnWorkers = false; // measure on the event loop itself
    try (EdhocService svc = EdhocService.start(c, null)) {
      for (int[] ms : new int[][] {{3, 2}, {0, 2}, {3, 0}, {0, 0}}) {
        EdhocConfig client = TestSupport.clientConfig(dir, CipherSuite.fromId(ms[1]), Method.fromId(ms[0]));
        for (int i = 0; i < 60; i++) {
          EdhocClient_runOverHttp(svc, client, Method.fromId(ms[0]));
        }
      }
      String scrape = svc.metrics().scrape();
      scrape.lines().filter(l -> l.startsWith("edhoc_engine_step_seconds")).forEach(l -> System.out.println("[event-loop measurement] " + l));
      assertThat(scrape).contains("edhoc_engine_step_seconds_count{step=\"message_1\"} 240");
    }
  }

  private void EdhocClient_runOverHttp(EdhocService svc, EdhocConfig client, Method m) throws Exception {
    TestSupport.httpHandshake(svc, client, m).session().close();
  }
}
