package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocPeerErrorException;
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
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics over real HTTP: the JVM and process meters, and suite negotiation counted as such. */
class MetricsTest {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  HttpResponse<byte[]> post(EdhocService svc, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + svc.httpPort() + HttpTransport.PATH))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", HttpTransport.REQUEST_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  String scrape(EdhocService svc) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + svc.adminPort() + "/metrics"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  @Test
  void jvmAndProcessMetersAreScraped() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.coap.enabled = false;
    try (EdhocService svc = EdhocService.start(c, null)) {
      assertThat(scrape(svc)).contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
          "process_cpu_usage", "system_cpu_count", "process_uptime_seconds", "process_files_open_files");
    }
  }

  @Test
  void errCode2ThenSuccessIsANegotiationNotAFailure() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.coap.enabled = false;
    c.limits.ratePerSourcePerSecond = 0;
    try (EdhocService svc = EdhocService.start(c, null)) {
      EdhocConfig suite2 = TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT);
      // prefers suite 24 (the server offers 2 and 0), can do 2
      EdhocConfig.Builder b = EdhocConfig.builder().suites(CipherSuite.SUITE_24, CipherSuite.SUITE_2).methods(Method.STAT_STAT)
          .peers(suite2.peers()).credential(io.edhoc.vectors.TestCredentials.ccs(io.edhoc.cose.CoseCurve.P_384, "p384", new byte[] {0x01}));
      suite2.credentials().forEach(b::credential);
      EdhocConfig cfg = b.build();
      Initiator.AwaitingMessage2 first = Edhoc.initiator(cfg).writeMessage1();
      HttpResponse<byte[]> err = post(svc, ServiceTest.withTrue(first.message1()));
      assertThat(err.statusCode()).isEqualTo(400);
      EdhocPeerErrorException e = assertThrows(EdhocPeerErrorException.class, () -> first.readMessage2(err.body()));
      assertThat(e.peerErrorCode()).isEqualTo(2);

      Initiator.AwaitingMessage2 w2 = first.retryAfter(e).writeMessage1();
      HttpResponse<byte[]> r2 = post(svc, ServiceTest.withTrue(w2.message1()));
      assertThat(r2.statusCode()).isEqualTo(200);
      Initiator.AwaitingMessage4 w4 = w2.readMessage2(r2.body()).writeMessage3();
      assertThat(post(svc, ServiceTest.concat(ConnectionIdCodec.encode(w4.connectionIdR()), w4.message3())).statusCode()).isEqualTo(200);
      try (EdhocSession s = w4.complete()) {
        assertThat(s.suite()).isEqualTo(CipherSuite.SUITE_2);
      }

      String m = scrape(svc);
      assertThat(m).contains("edhoc_suite_negotiations_total{transport=\"http\"} 1.0")
          .contains("edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"http\"} 1.0")
          .doesNotContain("edhoc_handshakes_failed_total");
    }
  }
}
