package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.edhoc.service.config.ServiceConfig;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connect} through picocli against a real service on loopback: what a user sees when the
 * handshake fails, negotiates or meets an unusual server (issue 13 items 1, 2, 4, 13, 14).
 */
@Timeout(120)
class ConnectCommandTest {
  @TempDir Path dir;
  EdhocService svc;

  EdhocService start(Consumer<ServiceConfig> tweak) throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.limits.ratePerSourcePerSecond = 0;
    tweak.accept(c);
    svc = EdhocService.start(c, null);
    return svc;
  }

  @AfterEach
  void stop() {
    if (svc != null) {
      svc.close();
    }
  }

  String client() {
    return dir.resolve("client").toString();
  }

  String coap() {
    return "coap://127.0.0.1:" + svc.coapPort() + "/.well-known/edhoc";
  }

  String http() {
    return "http://127.0.0.1:" + svc.httpPort() + "/.well-known/edhoc";
  }

  String scrape() {
    return svc.metrics().scrape();
  }

  /** The service no longer trusts the client's P-256 credential (kid 2b): unknown to it. */
  void serverForgetsClient() throws Exception {
    TestSupport.config(dir); // creates the pair
    Files.delete(dir.resolve("server/peers/client-p256.ccs"));
  }

  // ---------------------------------------------------------------------------- item 1: combined

  @Test
  void combinedRequestWithAnUntrustedCredentialPrintsNoContextAndSaysWhy() throws Exception {
    serverForgetsClient();
    start(c -> {});
    CliRun r = CliRun.of("connect", coap(), "--credentials", client(), "--get", "/hello", "--combined");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).as("no context before the server confirmed").doesNotContain("OSCORE context").doesNotContain("handshake completed");
    assertThat(r.err()).contains("nothing is confirmed until the server answers")
        .contains("the server refused message_3 of the combined request (4.00 Bad request)")
        .contains("the server does not know or trust your credential").contains("no OSCORE context was established")
        .doesNotContain("Exception");
    // counted as failed, not only as started
    assertThat(scrape()).contains("edhoc_handshakes_failed_total{reason=\"unknown_credential\",transport=\"coap+oscore\"} 1.0");
    assertThat(svc.sessionStore().size()).isZero();

    // the two-round-trip flow names the same problem (ERR_CODE 3 there)
    CliRun two = CliRun.of("connect", coap(), "--credentials", client());
    assertThat(two.exit()).isEqualTo(1);
    assertThat(two.err()).contains("the server does not know or trust your credential (EDHOC ERR_CODE 3");
    assertThat(two.out()).isEmpty();
  }

  // ---------------------------------------------------------------------------- item 2: 2xx

  @Test
  void httpAnswer204ToMessage3IsASuccess() throws Exception {
    start(c -> {});
    // a front that answers an empty 200 with 204 No Content (RFC 9110 15.3.5), as other responders do
    HttpClient upstream = HttpClient.newHttpClient();
    HttpServer front = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    front.createContext("/.well-known/edhoc", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      try {
        HttpResponse<byte[]> u = upstream.send(HttpRequest.newBuilder(URI.create(http())).header("Content-Type", "application/cid-edhoc+cbor-seq")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] out = u.body();
        u.headers().firstValue("Content-Type").ifPresent(t -> ex.getResponseHeaders().add("Content-Type", t));
        if (u.statusCode() == 200 && out.length == 0) {
          ex.sendResponseHeaders(204, -1);
        } else {
          ex.sendResponseHeaders(u.statusCode(), out.length == 0 ? -1 : out.length);
          ex.getResponseBody().write(out);
        }
      } catch (InterruptedException e) {
        ex.sendResponseHeaders(500, -1);
      }
      ex.close();
    });
    front.start();
    try {
      CliRun r = CliRun.of("connect", "http://127.0.0.1:" + front.getAddress().getPort() + "/.well-known/edhoc", "--credentials", client());
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("EDHOC handshake completed");
    } finally {
      front.stop(0);
    }
  }

  // ---------------------------------------------------------------------------- item 4: error after message_2

  @Test
  void message2ThatFailsVerificationIsAnsweredWithAnErrorAndTheHalfOpenSessionGoesAtOnce() throws Exception {
    TestSupport.config(dir);
    Files.delete(dir.resolve("client/peers/server-p256.ccs")); // the client no longer trusts the server
    start(c -> {});
    CliRun r = CliRun.of("connect", http(), "--credentials", client());
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("message_2 rejected").contains("EDHOC error message sent to the server");
    // the responder dropped the half-open session on the error message, not at its timeout
    assertThat(svc.sessionStore().size()).isZero();
    assertThat(scrape()).contains("edhoc_handshakes_failed_total{reason=\"peer_error\",transport=\"http\"} 1.0");

    // and the flow that ends in a combined request (CoAP): the same
    CliRun c = CliRun.of("connect", coap(), "--credentials", client(), "--get", "/hello", "--combined");
    assertThat(c.exit()).as(c.toString()).isEqualTo(1);
    assertThat(c.err()).contains("EDHOC error message sent to the server");
    assertThat(svc.sessionStore().size()).isZero();
    assertThat(scrape()).contains("edhoc_handshakes_failed_total{reason=\"peer_error\",transport=\"coap\"} 1.0");
  }

  // ---------------------------------------------------------------------------- item 13: messages

  @Test
  void httpWithNothingListeningSaysConnectionRefused() throws Exception {
    TestSupport.config(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CliRun r = CliRun.of("connect", "http://127.0.0.1:" + port + "/.well-known/edhoc", "--credentials", client());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("connect: connection refused: nothing listens on 127.0.0.1:" + port + " (TCP)" + System.lineSeparator());
  }

  @Test
  void coapWithNothingListeningSaysWhyItWaited() throws Exception {
    TestSupport.config(dir);
    int port;
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      port = s.getLocalPort();
    }
    CliRun r = CliRun.of("connect", "coap://127.0.0.1:" + port, "--credentials", client(), "--timeout", "300");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no CoAP answer from coap://127.0.0.1:" + port + "/.well-known/edhoc within 300 ms")
        .contains("is an EDHOC server listening on that UDP port?");
  }

  @Test
  void wrongPathsAreNamedNotParsedAndCoapCodesPrintOnce() throws Exception {
    start(c -> {});
    CliRun h = CliRun.of("connect", "http://127.0.0.1:" + svc.httpPort() + "/edhoc", "--credentials", client());
    assertThat(h.exit()).isEqualTo(1);
    assertThat(h.err()).contains("the server answered message_1 with HTTP 404 Not Found: no EDHOC resource at that path")
        .doesNotContain("malformed").doesNotContain("reserved additional information");
    CliRun c = CliRun.of("connect", "coap://127.0.0.1:" + svc.coapPort() + "/edhoc", "--credentials", client());
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.err()).contains("the server answered message_1 with 4.04 Not found: no EDHOC resource at that path");
    assertThat(c.err().split("4\\.04", -1)).as("the code once").hasSize(2);
  }

  @Test
  void aBaseUriWithoutPathUsesTheWellKnownPath() throws Exception {
    start(c -> {});
    for (String base : List.of("coap://127.0.0.1:" + svc.coapPort(), "http://127.0.0.1:" + svc.httpPort(), "http://127.0.0.1:" + svc.httpPort() + "/")) {
      CliRun r = CliRun.of("connect", base, "--credentials", client());
      assertThat(r.exit()).as(base + "\n" + r).isZero();
      assertThat(r.out()).contains("EDHOC handshake completed");
    }
  }

  @Test
  void usageAndConfigurationErrorsExit2WithOneCleanLine() throws Exception {
    TestSupport.config(dir);
    CliRun m = CliRun.of("connect", "coap://127.0.0.1:1", "--method", "7", "--credentials", client());
    assertThat(m.exit()).isEqualTo(2);
    assertThat(m.err()).startsWith("connect: --method must be 0, 1, 2, 3 or 4");
    CliRun creds = CliRun.of("connect", "coap://127.0.0.1:1", "--credentials", dir.resolve("nowhere").toString());
    assertThat(creds.exit()).isEqualTo(2);
    assertThat(creds.err()).isEqualTo("connect: no client credentials at " + dir.resolve("nowhere") + System.lineSeparator());
    CliRun psk = CliRun.of("connect", "coap://127.0.0.1:1", "--method", "4", "--credentials", client());
    assertThat(psk.exit()).isEqualTo(2);
    assertThat(psk.err()).contains("method 4 needs a PSK");
  }

  @Test
  void serveWithAPortInUseOrBadCredentialsExits2WithAHint() throws Exception {
    start(c -> {});
    Path udp = dir.resolve("udp-taken.yaml");
    Files.writeString(udp, "coap:\n  host: 127.0.0.1\n  port: " + svc.coapPort() + "\nhttp:\n  enabled: false\nadmin:\n  enabled: false\ncredentials:\n  directory: "
        + dir.resolve("server") + "\n");
    CliRun r = CliRun.of("serve", "--config", udp.toString());
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("edhoc serve: cannot listen: UDP").contains("is another instance running?").doesNotContain("Exception");
    Path tcp = dir.resolve("tcp-taken.yaml");
    Files.writeString(tcp, "coap:\n  enabled: false\nhttp:\n  host: 127.0.0.1\n  port: " + svc.httpPort() + "\nadmin:\n  enabled: false\ncredentials:\n  directory: "
        + dir.resolve("server") + "\n");
    r = CliRun.of("serve", "--config", tcp.toString());
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("edhoc serve: cannot listen:").contains("is another instance running?");
    Path badCreds = dir.resolve("bad-creds.yaml");
    Files.createDirectories(dir.resolve("empty"));
    Files.writeString(badCreds, "coap:\n  port: 0\nhttp:\n  port: 0\nadmin:\n  enabled: false\ncredentials:\n  config: " + dir.resolve("missing.yaml") + "\n");
    r = CliRun.of("serve", "--config", badCreds.toString());
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).startsWith("edhoc serve: ").doesNotContain("Exception:").hasLineCount(1);
  }

  // ---------------------------------------------------------------------------- item 14: method 4 and negotiation

  @Test
  void suiteMismatchWithoutFallbackNamesTheOfferedSuites() throws Exception {
    start(c -> c.edhoc.suites = new java.util.ArrayList<>(List.of(2)));
    CliRun r = CliRun.of("connect", coap(), "--credentials", client(), "--method", "0", "--suite", "0", "--no-fallback");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("the server does not accept cipher suite 0 and offers suites [2]").contains("switched off");
    CliRun ok = CliRun.of("connect", coap(), "--credentials", client(), "--method", "0", "--suite", "0");
    assertThat(ok.exit()).as(ok.toString()).isZero();
    assertThat(ok.out()).contains("cipher suite      2 (negotiated: the server refused suite 0 and offered [2])");
  }

  @Test
  void afterErrCode2EverySuiteTheCredentialsAllowIsOfferedAlsoInTheCombinedFlow() throws Exception {
    // suite 3 (P-256, AES-CCM-16-128-128): not in the old fixed list {chosen, 2, 0}
    start(c -> c.edhoc.suites = new java.util.ArrayList<>(List.of(3)));
    CliRun r = CliRun.of("connect", coap(), "--credentials", client());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("cipher suite      3 (negotiated: the server refused suite 2 and offered [3])");
    CliRun c = CliRun.of("connect", coap(), "--credentials", client(), "--get", "/hello", "--combined");
    assertThat(c.exit()).as(c.toString()).isZero();
    assertThat(c.out()).contains("cipher suite      3 (negotiated").contains("Hello");
  }

  @Test
  void method4WithAPsk() throws Exception {
    TestSupport.config(dir);
    CliRun k = CliRun.of("keygen", "psk", "--kid", "10", "--name", "site", "--out", dir.resolve("psk").toString());
    assertThat(k.exit()).as(k.toString()).isZero();
    Path creds = dir.resolve("psk-credentials.yaml");
    Files.writeString(creds, "psk:\n  - cred_i: psk/site.cred_i.ccs\n    cred_r: psk/site.cred_r.ccs\n");
    start(c -> {
      c.credentials.directory = "";
      c.credentials.config = creds.toString();
      c.edhoc.enableMethod4 = true;
      c.edhoc.methods = new java.util.ArrayList<>(List.of(4));
    });
    for (String uri : List.of(coap(), http())) {
      CliRun r = CliRun.of("connect", uri, "--method", "4", "--credentials", creds.toString());
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("method            4 (PSK)").contains("message_4         received");
    }
    CliRun g = CliRun.of("connect", coap(), "--method", "4", "--credentials", creds.toString(), "--get", "/hello");
    assertThat(g.exit()).as(g.toString()).isZero();
    assertThat(g.out()).contains("Hello");
  }
}
