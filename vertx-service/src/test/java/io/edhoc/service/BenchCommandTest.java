package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.service.config.ServiceConfig;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code edhoc bench} through picocli against a real service on loopback: counts and output format, never timing. */
@Timeout(120)
class BenchCommandTest {
  static final Pattern SUMMARY = Pattern.compile(
      "bench: (\\d+) ok, (\\d+) failed, (\\d+) shed, \\d+\\.\\d/s, p50 \\d+\\.\\d ms, p90 \\d+\\.\\d ms, p99 \\d+\\.\\d ms, max \\d+\\.\\d ms");

  @TempDir Path dir;
  EdhocService svc;

  @BeforeEach
  void start() throws Exception {
    start("off");
  }

  /** A fresh service; {@code echo}: coap.echoReachability (off here: counts must not depend on the engine queue's momentary depth). */
  void start(String echo) throws Exception {
    if (svc != null) {
      svc.close();
    }
    ServiceConfig c = TestSupport.config(dir);
    c.limits.ratePerSourcePerSecond = 0;
    c.coap.echoReachability = echo;
    svc = EdhocService.start(c, null);
  }

  @AfterEach
  void stop() {
    svc.close();
  }

  String client() {
    return dir.resolve("client").toString();
  }

  /** The single stdout line, parsed: ok, failed, shed. */
  static long[] summary(CliRun r) {
    List<String> lines = r.out().lines().toList();
    assertThat(lines).as(r.toString()).hasSize(1);
    Matcher m = SUMMARY.matcher(lines.get(0));
    assertThat(m.matches()).as(r.toString()).isTrue();
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
  }

  @Test
  void closedLoopOverCoapCountsEveryHandshakeTheServerCompleted() {
    CliRun r = CliRun.of("bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--concurrency", "4", "--count", "24", "--quiet");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(summary(r)).containsExactly(24, 0, 0);
    assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"coap\"} 24.0");
    assertThat(svc.sessionStore().size()).isZero();
  }

  @Test
  void theCaliforniumClientRunsTheSameHandshakes() {
    CliRun r = CliRun.of("bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--concurrency", "3", "--count", "12",
        "--coap-client", "californium", "--quiet");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(summary(r)).containsExactly(12, 0, 0);
    assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"coap\"} 12.0");
  }

  @Test
  void closedLoopForADurationCountsEveryHandshakeItStarted() {
    CliRun r = CliRun.of("bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--concurrency", "2", "--duration", "2500ms",
        "--quiet");
    assertThat(r.exit()).as(r.toString()).isZero();
    long[] s = summary(r);
    assertThat(s[0]).isPositive();
    assertThat(r.err()).doesNotContain("unanswered");
    // everything the server completed was counted, the last ones included
    assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"coap\"} " + s[0] + ".0");
  }

  @Test
  void openLoopOverHttpWithJsonHistogramAndProgressLines() throws Exception {
    Path json = dir.resolve("bench.json");
    CliRun r = CliRun.of("bench", "http://127.0.0.1:" + svc.httpPort() + "/.well-known/edhoc", "--credentials", client(), "--rate", "20", "--arrivals",
        "fixed", "--duration", "1500ms", "--method", "0", "--suite", "0", "--json", json.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    long[] s = summary(r);
    assertThat(s[1]).isZero();
    assertThat(s[2]).isZero();
    // fixed arrivals at 20/s for 1.5 s: 30 arrivals (the first at t = 0)
    assertThat(s[0]).isBetween(29L, 31L);
    assertThat(r.err()).containsPattern("\\[ {3}1s\\] \\d+ ok, 0 failed, 0 shed");
    JsonObject o = new JsonObject(Files.readString(json));
    assertThat(o.getLong("ok")).isEqualTo(s[0]);
    assertThat(o.getString("mode")).isEqualTo("open loop");
    assertThat(o.getString("arrivals")).isEqualTo("fixed");
    JsonObject latency = o.getJsonObject("latency_ms");
    long inBuckets = latency.getJsonArray("histogram").stream().mapToLong(b -> ((JsonObject) b).getLong("count")).sum();
    assertThat(inBuckets).isEqualTo(s[0]);
    assertThat(latency.getDouble("p50")).isLessThanOrEqualTo(latency.getDouble("p99")).isLessThanOrEqualTo(latency.getDouble("max"));
    assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_completed_total{method=\"0\",suite=\"0\",transport=\"http\"} " + s[0] + ".0");
  }

  /** Both HTTP clients run whole handshakes against the service, each counted by the server as HTTP; no client thread outlives the run. */
  @Test
  void eitherHttpClientCompletesHandshakes() throws Exception {
    for (String client : List.of("lean", "vertx")) {
      CliRun r = CliRun.of("bench", "http://127.0.0.1:" + svc.httpPort(), "--credentials", client(), "--http-client", client, "--concurrency", "2",
          "--count", "6", "--method", "1", "--suite", "0", "--quiet");
      assertThat(r.exit()).as(client + ": " + r).isZero();
      assertThat(summary(r)).as(client).containsExactly(6, 0, 0);
    }
    assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_completed_total{method=\"1\",suite=\"0\",transport=\"http\"} 12.0");
    assertNoBenchThreadsLeft();
    CliRun bad = CliRun.of("bench", "http://127.0.0.1:" + svc.httpPort(), "--credentials", client(), "--http-client", "jdk", "--count", "1");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--http-client");
  }

  /** The warm-up's handshakes reach the server but none is in the figures; --count counts the measured ones only. */
  @Test
  void warmupRunsTheLoadWithoutCountingIt() throws Exception {
    Path json = dir.resolve("warm.json");
    CliRun r = CliRun.of("bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--concurrency", "2", "--warmup", "1500ms",
        "--count", "6", "--json", json.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(summary(r)).containsExactly(6, 0, 0);
    assertThat(r.err()).contains("warm-up 1.5 s").containsPattern("\\[ {3}1s\\] warm-up: \\d+ ok, 0 failed, 0 shed");
    JsonObject o = new JsonObject(Files.readString(json));
    long warm = o.getJsonObject("warmup").getLong("ok");
    assertThat(warm).isPositive();
    assertThat(o.getLong("ok")).isEqualTo(6);
    assertThat(o.getJsonObject("latency_ms").getLong("count")).isEqualTo(6);
    // the seconds (and so the rate) are those after the warm-up, not the whole run
    assertThat(o.getDouble("seconds")).isLessThan(1.5);
    assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"coap\"} " + (warm + 6) + ".0");
  }

  @Test
  void halfOpenFillsTheRespondersStoreFromManySourcePorts() {
    CliRun r = CliRun.of("bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--half-open", "40", "--source-ports", "8",
        "--quiet");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(summary(r)).as(r.toString()).containsExactly(40, 0, 0);
    assertThat(svc.sessionStore().size()).isEqualTo(40);
    assertThat(r.err()).contains("40 message_2");
  }

  @Test
  void halfOpenAgainstEchoOnIsChallengedAndLeavesNoState() throws Exception {
    start("on");
    CliRun r = CliRun.of("bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--half-open", "20", "--source-ports", "4",
        "--quiet");
    assertThat(summary(r)).as(r.toString()).containsExactly(0, 20, 0);
    assertThat(r.err()).contains("{4.01=20}").contains("failed 20x: 4.01 (Echo challenge");
    assertThat(svc.sessionStore().size()).isZero();
  }

  /**
   * The server binds an Echo value to the client's address and port (RFC 9175 2.4), so the lean
   * client repeats a challenged message_1 from the port the challenge went to, and keeps a
   * handshake on one port. Before, the repetition left from the next of its sockets and every
   * handshake failed with "refused twice" once the Echo check applied (under a flood with
   * {@code auto}).
   */
  @Test
  void honestHandshakesAnswerTheEchoChallengeFromTheirOwnSourcePort() throws Exception {
    start("on");
    CliRun r = CliRun.of("bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--concurrency", "2", "--count", "10",
        "--coap-endpoints", "3", "--quiet");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(summary(r)).as(r.toString()).containsExactly(10, 0, 0);
    assertThat(svc.metrics().scrape())
        .contains("edhoc_echo_challenges_total{reason=\"echo_required\",transport=\"coap\"} 10.0")
        .doesNotContain("reason=\"echo_rejected\"");
  }

  @Test
  void halfOpenAlongsideHonestHandshakes() {
    CliRun r = CliRun.of("bench", "http://127.0.0.1:" + svc.httpPort(), "--credentials", client(), "--half-open", "20", "--concurrency", "2",
        "--count", "10", "--quiet");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(summary(r)).containsExactly(10, 0, 0);
    assertThat(svc.sessionStore().size()).isEqualTo(20);
    assertThat(r.err()).contains("half-open: 20 of 20").contains("20 message_2");
  }

  /**
   * Issue 10 (bench bug 1): each socket counts its own Message IDs, so no (source port, MID) pair
   * repeats in a run and the server never takes a message_1 for a retransmission of another. With 16
   * IDs per socket and 2 sockets, the old scheme (MID = seq mod 16, socket = seq mod 2) sent message
   * 17 with message 1's pair; now all 30 become half-open sessions. More than 2 x 16 is refused.
   */
  @Test
  void halfOpenNeverReusesASourcePortAndMessageIdPair() {
    CliRun r = CliRun.of("bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--half-open", "30", "--source-ports", "2",
        "--half-open-message-ids", "16", "--quiet");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(summary(r)).as(r.toString()).containsExactly(30, 0, 0);
    assertThat(svc.sessionStore().size()).isEqualTo(30);
    CliRun tooMany = CliRun.of("bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--half-open", "33", "--source-ports", "2",
        "--half-open-message-ids", "16", "--quiet");
    assertThat(tooMany.exit()).as(tooMany.toString()).isEqualTo(2);
    assertThat(tooMany.err()).contains("--half-open 33 needs at least 3 --source-ports");
  }

  /**
   * Issue 10 (bench bug 2): one client endpoint cannot reuse a Message ID within EXCHANGE_LIFETIME,
   * so bench spreads handshakes over several endpoints (by default one per closed-loop slot). With 8
   * Message IDs per endpoint, 9 handshakes (18 requests) exhaust a single endpoint but not three.
   */
  @Test
  void coapHandshakesAreSpreadOverSeveralEndpoints() throws Exception {
    String[] common = {"bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--concurrency", "3", "--count", "9",
        "--coap-message-ids", "8", "--quiet"};
    CliRun one = CliRun.of(concat(common, "--coap-endpoints", "1"));
    long[] s1 = summary(one);
    assertThat(s1[1]).as(one.toString()).isPositive();
    assertThat(one.err()).contains("exhausted");
    CliRun auto = CliRun.of(concat(common));
    assertThat(auto.exit()).as(auto.toString()).isZero();
    assertThat(summary(auto)).as(auto.toString()).containsExactly(9, 0, 0);
    assertThat(svc.metrics().scrape())
        .contains("edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"coap\"} " + (s1[0] + 9) + ".0");
    CliRun open = CliRun.of("bench", "coap://127.0.0.1:" + svc.coapPort(), "--credentials", client(), "--rate", "30", "--arrivals", "fixed",
        "--count", "9", "--coap-message-ids", "8", "--coap-endpoints", "3", "--quiet");
    assertThat(summary(open)).as(open.toString()).containsExactly(9, 0, 0);
  }

  static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /**
   * Issue 10 (bench bug 3): an open loop whose requests all go unanswered ends cleanly: every
   * arrival counted once, no exception from an executor closed under it, no bench thread left.
   */
  @Test
  void openLoopAgainstASilentServerEndsCleanly() throws Exception {
    try (java.net.DatagramSocket silent = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      CliRun r = CliRun.of("bench", "coap://127.0.0.1:" + silent.getLocalPort(), "--credentials", client(), "--rate", "20", "--arrivals", "fixed",
          "--duration", "1s", "--timeout", "300", "--quiet");
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      long[] s = summary(r);
      assertThat(s[0]).isZero();
      assertThat(s[1]).as(r.toString()).isBetween(19L, 21L);
      assertThat(r.err()).contains("no CoAP answer").doesNotContain("Exception").doesNotContain("unanswered at the end");
    }
    assertNoBenchThreadsLeft();
  }

  /**
   * Issue 10 (bench bug 4): runs used to end about 15 s after the start whatever --duration said
   * (the wait for the end was timeout + 10 s from the start, so the load generator was closed under
   * a running arrivals thread). Now the end is waited for after the deadline: a 11 s run at a fixed
   * 4/s (beyond the old 10.3 s limit for --timeout 300) counts all 44 arrivals and reports >= 11 s.
   */
  @Test
  void openLoopRunsForTheWholeDuration() throws Exception {
    Path json = dir.resolve("long.json");
    CliRun r = CliRun.of("bench", "http://127.0.0.1:" + svc.httpPort(), "--credentials", client(), "--rate", "4", "--arrivals", "fixed",
        "--duration", "11s", "--timeout", "300", "--suite", "0", "--method", "0", "--json", json.toString(), "--quiet");
    assertThat(r.exit()).as(r.toString()).isZero();
    long[] s = summary(r);
    assertThat(s[0] + s[1]).as(r.toString()).isBetween(43L, 45L);
    assertThat(r.err()).doesNotContain("Exception");
    assertThat(new JsonObject(Files.readString(json)).getDouble("seconds")).isGreaterThanOrEqualTo(11.0);
    assertNoBenchThreadsLeft();
  }

  static void assertNoBenchThreadsLeft() throws InterruptedException {
    List<String> left = List.of();
    for (int i = 0; i < 50; i++) {
      left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).filter(n -> n.startsWith("bench-")).toList();
      if (left.isEmpty()) {
        return;
      }
      Thread.sleep(100);
    }
    assertThat(left).as("bench threads still running after the command returned").isEmpty();
  }

  @Test
  void inProcessRunsBothRolesWithoutNetwork() {
    CliRun r = CliRun.of("bench", "--in-process", "--credentials", client(), "--server-credentials", dir.resolve("server").toString(), "--count", "12",
        "--concurrency", "3", "--threads", "2", "--quiet");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(summary(r)).containsExactly(12, 0, 0);
    assertThat(svc.metrics().scrape()).doesNotContain("edhoc_handshakes_completed_total{method=\"3\"");
  }

  /** --crypto picks the library of the client (and the in-process responder); the start line names it; a bad name is a usage error. */
  @Test
  void cryptoOptionSelectsTheLibrary() {
    for (String lib : new String[] {"bouncycastle", "conscrypt"}) {
      if (lib.equals("conscrypt") && !io.edhoc.crypto.DefaultCrypto.conscryptAvailable()) {
        continue;
      }
      CliRun r = CliRun.of("bench", "--in-process", "--credentials", client(), "--server-credentials", dir.resolve("server").toString(), "--count", "6",
          "--concurrency", "2", "--threads", "1", "--crypto", lib);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(summary(r)).containsExactly(6, 0, 0);
      assertThat(r.err()).contains("crypto " + lib + ": " + lib);
    }
    CliRun bad = CliRun.of("bench", "--in-process", "--credentials", client(), "--count", "1", "--crypto", "openssl");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--crypto").contains("auto, conscrypt or bouncycastle");
  }

  @Test
  void sheddingAnswersAreCountedAsShedNotFailed() throws Exception {
    // a server whose EDHOC resource sheds everything (5.03 + Max-Age, as an overloaded responder answers)
    CoapServer shedding = new CoapServer(io.edhoc.service.coap.CoapTransport.configuration());
    CoapEndpoint ep = CoapEndpoint.builder().setConfiguration(io.edhoc.service.coap.CoapTransport.configuration())
        .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    shedding.addEndpoint(ep);
    CoapResource wellKnown = new CoapResource(".well-known");
    wellKnown.add(new CoapResource("edhoc") {
      @Override
      public void handlePOST(CoapExchange exchange) {
        exchange.setMaxAge(1);
        exchange.respond(ResponseCode.SERVICE_UNAVAILABLE);
      }
    });
    shedding.add(wellKnown);
    shedding.start();
    try {
      CliRun r = CliRun.of("bench", "coap://127.0.0.1:" + ep.getAddress().getPort(), "--credentials", client(), "--count", "7", "--concurrency", "2",
          "--quiet");
      assertThat(summary(r)).containsExactly(0, 0, 7);
      assertThat(r.exit()).as("nothing succeeded").isEqualTo(1);
      // how long the refusals took, on their own line and in the JSON (7 of them, ordered quantiles)
      assertThat(r.err()).containsPattern("shed: 7 answered 5.03/503, p50 \\d+\\.\\d ms, p99 \\d+\\.\\d ms, max \\d+\\.\\d ms");
      Path json = dir.resolve("shed.json");
      CliRun full = CliRun.of("bench", "coap://127.0.0.1:" + ep.getAddress().getPort(), "--credentials", client(), "--count", "5", "--concurrency", "1",
          "--coap-client", "californium", "--json", json.toString(), "--quiet");
      assertThat(summary(full)).as(full.toString()).containsExactly(0, 0, 5);
      JsonObject shed = new JsonObject(Files.readString(json)).getJsonObject("shed_latency_ms");
      assertThat(shed.getLong("count")).isEqualTo(5);
      assertThat(shed.getDouble("p50")).isPositive().isLessThanOrEqualTo(shed.getDouble("max"));
    } finally {
      shedding.destroy();
    }
  }

  /**
   * The open loop's HTTP connections (as many as handshakes may be in flight, up to 4,096) are
   * split over clients of at most 256: Vert.x's pool walks all of its connections to find a free
   * one, per request. The closed loop needs one client of --concurrency connections.
   */
  @Test
  void openLoopHttpConnectionsAreSplitOverClientsOfAtMost256() {
    BenchCommand open = new BenchCommand();
    new picocli.CommandLine(open).parseArgs("http://127.0.0.1:1", "--rate", "100");
    assertThat(open.httpConnections()).isEqualTo(BenchCommand.MAX_OPEN_LOOP_CONNECTIONS);
    assertThat(open.httpClientCount()).isEqualTo(16);
    BenchCommand bounded = new BenchCommand();
    new picocli.CommandLine(bounded).parseArgs("http://127.0.0.1:1", "--rate", "100", "--max-in-flight", "300");
    assertThat(bounded.httpConnections()).isEqualTo(300);
    assertThat(bounded.httpClientCount()).isEqualTo(2);
    BenchCommand closed = new BenchCommand();
    new picocli.CommandLine(closed).parseArgs("http://127.0.0.1:1", "--concurrency", "64");
    assertThat(closed.httpConnections()).isEqualTo(64);
    assertThat(closed.httpClientCount()).isEqualTo(1);
  }

  @Test
  void usageErrorsExit2WithOneLine() {
    CliRun both = CliRun.of("bench", "coap://127.0.0.1:1", "--concurrency", "2", "--rate", "5", "--credentials", client());
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).isEqualTo("bench: --concurrency (closed loop) and --rate (open loop) exclude each other" + System.lineSeparator());
    CliRun none = CliRun.of("bench", "--credentials", client());
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("give the server's URI, or --in-process");
    CliRun badDuration = CliRun.of("bench", "coap://127.0.0.1:1", "--duration", "soon");
    assertThat(badDuration.exit()).isEqualTo(2);
    assertThat(badDuration.err()).contains("'soon' is not a duration");
    CliRun warmHalfOpen = CliRun.of("bench", "coap://127.0.0.1:1", "--half-open", "10", "--warmup", "1s", "--credentials", client());
    assertThat(warmHalfOpen.exit()).isEqualTo(2);
    assertThat(warmHalfOpen.err()).contains("--warmup needs a load");
  }
}
