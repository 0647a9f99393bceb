package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocPeerErrorException;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.cbor.CborReader;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.oscore.EdhocOption;
import io.edhoc.service.config.ServiceConfig;
import io.edhoc.service.http.HttpTransport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Starts the real service (HTTP, CoAP, admin on ephemeral loopback ports) and drives it with real
 * clients: Vert.x WebClient for HTTP, Californium for CoAP (EDHOC, then OSCORE to /hello).
 */
class ServiceTest {
  @TempDir static Path dir;
  static EdhocService svc;
  static WebClient web;
  static final BlockingQueue<JsonObject> published = new ArrayBlockingQueue<>(100);

  @BeforeAll
  static void start() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.limits.ratePerSourcePerSecond = 0; // the rate limit has its own test
    svc = EdhocService.start(c, null);
    web = WebClient.create(svc.vertx());
    svc.vertx().eventBus().<JsonObject>consumer(EdhocService.ESTABLISHED_ADDRESS, m -> published.offer(m.body()));
  }

  @AfterAll
  static void stop() {
    if (web != null) {
      web.close();
    }
    if (svc != null) {
      svc.close();
    }
  }

  @AfterEach
  void noSessionLeftBehind() {
    assertThat(svc.sessionStore().size()).as("half-open sessions after the test").isZero();
  }

  String httpUri() {
    return "http://127.0.0.1:" + svc.httpPort() + HttpTransport.PATH;
  }

  URI coapUri() {
    return URI.create("coap://127.0.0.1:" + svc.coapPort() + "/.well-known/edhoc");
  }

  /** EDHOC over HTTP with the Vert.x WebClient. */
  io.edhoc.oscore.EdhocTransport webClientTransport() {
    return new io.edhoc.oscore.EdhocTransport() {
      @Override
      public java.util.concurrent.CompletableFuture<Reply> post(byte[] body) {
        return web.postAbs(httpUri()).putHeader("Content-Type", HttpTransport.REQUEST_TYPE).sendBuffer(Buffer.buffer(body))
            .map(r -> new Reply(r.statusCode() / 100 == 2 ? Kind.SUCCESS : r.statusCode() == 503 ? Kind.OVERLOADED : Kind.ERROR,
                "HTTP " + r.statusCode(), r.body() == null ? new byte[0] : r.body().getBytes(), true))
            .toCompletionStage().toCompletableFuture();
      }

      @Override
      public String target() {
        return httpUri();
      }
    };
  }

  HttpResponse<Buffer> httpPost(String contentType, byte[] body) throws Exception {
    var req = web.postAbs(httpUri());
    if (contentType != null) {
      req.putHeader("Content-Type", contentType);
    }
    return TestSupport.await(req.sendBuffer(Buffer.buffer(body)));
  }

  CoapResponse coapPost(Integer contentFormat, byte[] body) throws Exception {
    CoapClient c = new CoapClient(coapUri()).setTimeout(10_000L);
    try {
      Request req = Request.newPost();
      req.setURI(coapUri());
      req.setPayload(body);
      if (contentFormat != null) {
        req.getOptions().setContentFormat(contentFormat);
      }
      return c.advanced(req);
    } finally {
      c.shutdown();
    }
  }

  static byte[] withTrue(byte[] m1) {
    byte[] b = new byte[m1.length + 1];
    b[0] = (byte) 0xf5;
    System.arraycopy(m1, 0, b, 1, m1.length);
    return b;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // ------------------------------------------------------------------------------ success

  @ParameterizedTest(name = "HTTP, method {0}, suite {1}")
  @CsvSource({"0, 2", "3, 2", "0, 0", "3, 0"})
  void httpHandshakeWithWebClient(int method, int suite) throws Exception {
    EdhocConfig cfg = TestSupport.clientConfig(dir, CipherSuite.fromId(suite), Method.fromId(method));
    published.clear();
    var o = TestSupport.handshake(cfg, Method.fromId(method), webClientTransport());
    try {
      assertThat(o.session().method().id()).isEqualTo(method);
      assertThat(o.session().suite().id()).isEqualTo(suite);
      // the server installed the matching OSCORE context under its Recipient ID = C_R
      assertThat(svc.contexts().recipientIdInUse(o.oscore().senderId())).isTrue();
      JsonObject event = published.poll(10, TimeUnit.SECONDS);
      assertThat(event).isNotNull();
      assertThat(event.getString("c_r")).isEqualTo(io.edhoc.cbor.Hex.encode(o.session().connectionIdR()));
      assertThat(event.getInteger("method")).isEqualTo(method);
      assertThat(event.getString("transport")).isEqualTo("http");
      assertThat(event.fieldNames()).containsExactlyInAnyOrder("transport", "c_i", "c_r", "method", "suite", "peer");
    } finally {
      o.session().close();
    }
  }

  @ParameterizedTest(name = "CoAP, method {0}, suite {1}, then OSCORE GET /hello")
  @CsvSource({"0, 2", "3, 2", "0, 0", "3, 0"})
  void coapHandshakeThenOscore(int method, int suite) throws Exception {
    EdhocConfig cfg = TestSupport.clientConfig(dir, CipherSuite.fromId(suite), Method.fromId(method));
    try (TestSupport.CoapClient t = new TestSupport.CoapClient(coapUri())) {
      var o = TestSupport.handshake(cfg, Method.fromId(method), t.transport());
      try {
        assertThat(o.session().method().id()).isEqualTo(method);
        CoapResponse r = t.oscoreGet(o.oscore(), "/hello");
        assertThat(r.getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(r.getResponseText()).contains("Hello");
        assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_started_total{transport=\"coap\"}")
            .contains("edhoc_handshakes_completed_total{method=\"" + method + "\",suite=\"" + suite + "\",transport=\"coap\"}");
      } finally {
        o.session().close();
      }
    }
  }

  @Test
  void combinedRequestRfc9668WithTheBindingsClient() throws Exception {
    org.eclipse.californium.oscore.HashMapCtxDB db = new org.eclipse.californium.oscore.HashMapCtxDB();
    io.edhoc.oscore.EdhocOscoreStackFactory stack = new io.edhoc.oscore.EdhocOscoreStackFactory(db, null);
    org.eclipse.californium.core.network.CoapEndpoint ep = stack.endpointBuilder(io.edhoc.service.coap.CoapTransport.configuration())
        .setInetSocketAddress(new java.net.InetSocketAddress("127.0.0.1", 0)).build();
    ep.start();
    try {
      io.edhoc.oscore.EdhocCoapClient client = new io.edhoc.oscore.EdhocCoapClient(
          TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.SIG_SIG), ep, new io.edhoc.oscore.CaliforniumContexts(db), stack);
      Request get = Request.newGet();
      get.setURI("coap://127.0.0.1:" + svc.coapPort() + "/hello");
      published.clear();
      var r = client.establishCombined("coap://127.0.0.1:" + svc.coapPort(), get);
      try {
        assertThat(r.response().getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(r.response().getResponseText()).contains("Hello");
        JsonObject event = published.poll(10, TimeUnit.SECONDS);
        assertThat(event).isNotNull();
        assertThat(event.getString("transport")).isEqualTo("coap+oscore");
      } finally {
        r.established().session().close();
      }
    } finally {
      ep.destroy();
    }
  }

  @Test
  void helloWithoutOscoreIsUnauthorized() throws Exception {
    CoapClient c = new CoapClient("coap://127.0.0.1:" + svc.coapPort() + "/hello").setTimeout(10_000L);
    try {
      assertThat(c.get().getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
    } finally {
      c.shutdown();
    }
  }

  // ------------------------------------------------------------------------------ HTTP errors

  @Test
  void httpGarbageIs400WithErrorMessage() throws Exception {
    HttpResponse<Buffer> r = httpPost(HttpTransport.REQUEST_TYPE, new byte[] {(byte) 0xf5, (byte) 0xff, 0x00, 0x13});
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).isEqualTo(HttpTransport.RESPONSE_TYPE);
    assertEdhocError(r.body().getBytes());
  }

  @Test
  void httpUnframedGarbageIs400() throws Exception {
    HttpResponse<Buffer> r = httpPost(HttpTransport.REQUEST_TYPE, "hello, world".getBytes(StandardCharsets.US_ASCII));
    assertThat(r.statusCode()).isEqualTo(400);
  }

  @Test
  void httpTruncatedMessage1Is400() throws Exception {
    byte[] m1 = Edhoc.initiator(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT)).writeMessage1().message1();
    byte[] truncated = java.util.Arrays.copyOf(withTrue(m1), m1.length / 2);
    HttpResponse<Buffer> r = httpPost(HttpTransport.REQUEST_TYPE, truncated);
    assertThat(r.statusCode()).isEqualTo(400);
    assertEdhocError(r.body().getBytes());
  }

  @Test
  void httpTruncatedMessage3Is400AndDropsTheSession() throws Exception {
    EdhocConfig cfg = TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
    HttpResponse<Buffer> r2 = httpPost(HttpTransport.REQUEST_TYPE, withTrue(w2.message1()));
    assertThat(r2.statusCode()).isEqualTo(200);
    assertThat(svc.sessionStore().size()).isEqualTo(1);
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(r2.body().getBytes()).writeMessage3();
    byte[] m3 = w4.message3();
    byte[] body = concat(ConnectionIdCodec.encode(w4.connectionIdR()), java.util.Arrays.copyOf(m3, m3.length - 3));
    HttpResponse<Buffer> r = httpPost(HttpTransport.REQUEST_TYPE, body);
    assertThat(r.statusCode()).isEqualTo(400);
    assertEdhocError(r.body().getBytes());
    // the session is gone: the full message_3 now meets an unknown C_R
    HttpResponse<Buffer> again = httpPost(HttpTransport.REQUEST_TYPE, concat(ConnectionIdCodec.encode(w4.connectionIdR()), m3));
    assertThat(again.statusCode()).isEqualTo(400);
  }

  @Test
  void httpOversizedIs413() throws Exception {
    byte[] big = new byte[svc.config().limits.maxBodyBytes + 1];
    big[0] = (byte) 0xf5;
    HttpResponse<Buffer> r = httpPost(HttpTransport.REQUEST_TYPE, big);
    assertThat(r.statusCode()).isEqualTo(413);
  }

  @Test
  void httpOversizedByContentLengthIs413AndTheConnectionCloses() throws Exception {
    try (RawHttp c = new RawHttp(svc.httpPort())) {
      c.write("POST " + HttpTransport.PATH + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + HttpTransport.REQUEST_TYPE
          + "\r\nContent-Length: " + (svc.config().limits.maxBodyBytes + 1) + "\r\n\r\n");
      assertThat(c.readStatus()).isEqualTo(413);
      assertThat(c.closedByServer()).as("the rest of the body is not read").isTrue();
    }
  }

  @Test
  void httpOversizedChunkedBodyIs413AsSoonAsItPassesTheLimitAndTheConnectionCloses() throws Exception {
    int half = svc.config().limits.maxBodyBytes / 2 + 1;
    String tooLarge = "edhoc_handshakes_failed_total{reason=\"too_large\",transport=\"http\"}";
    double before = metric(tooLarge);
    try (RawHttp c = new RawHttp(svc.httpPort())) {
      c.write("POST " + HttpTransport.PATH + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + HttpTransport.REQUEST_TYPE
          + "\r\nTransfer-Encoding: chunked\r\n\r\n");
      c.chunk(new byte[half]);
      c.chunk(new byte[half]); // no last chunk: the server must not wait for the end of the body
      assertThat(c.readStatus()).isEqualTo(413);
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(metric(tooLarge)).as("counted once").isEqualTo(before + 1);
  }

  /** The value of one series in /metrics, 0 when absent. */
  static double metric(String series) {
    for (String line : svc.metrics().scrape().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  @Test
  void httpMessage1InSeveralChunksIsOneMessage() throws Exception {
    EdhocConfig cfg = TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
    byte[] body = withTrue(w2.message1());
    byte[] message2;
    try (RawHttp c = new RawHttp(svc.httpPort())) {
      c.write("POST " + HttpTransport.PATH + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + HttpTransport.REQUEST_TYPE
          + "\r\nTransfer-Encoding: chunked\r\n\r\n");
      int third = body.length / 3;
      for (int[] r : new int[][] {{0, third}, {third, 2 * third}, {2 * third, body.length}}) {
        c.chunk(java.util.Arrays.copyOfRange(body, r[0], r[1]));
        Thread.sleep(30); // separate reads on the server
      }
      c.write("0\r\n\r\n");
      assertThat(c.readStatus()).isEqualTo(200);
      message2 = c.readBody();
    }
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(message2).writeMessage3();
    HttpResponse<Buffer> r3 = httpPost(HttpTransport.REQUEST_TYPE, concat(ConnectionIdCodec.encode(w4.connectionIdR()), w4.message3()));
    assertThat(r3.statusCode()).isEqualTo(200);
  }

  @Test
  void httpEmptyBodyIs400AndCounted() throws Exception {
    String empty = "edhoc_handshakes_failed_total{reason=\"empty_body\",transport=\"http\"}";
    double before = metric(empty);
    assertThat(httpPost(HttpTransport.REQUEST_TYPE, new byte[0]).statusCode()).isEqualTo(400);
    assertThat(metric(empty)).isEqualTo(before + 1);
  }

  @Test
  void httpOtherPathsAre404() throws Exception {
    byte[] m1 = Edhoc.initiator(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT)).writeMessage1().message1();
    var r = TestSupport.await(web.postAbs("http://127.0.0.1:" + svc.httpPort() + "/.well-known/core")
        .putHeader("Content-Type", HttpTransport.REQUEST_TYPE).sendBuffer(Buffer.buffer(withTrue(m1))));
    assertThat(r.statusCode()).isEqualTo(404);
  }

  /** HTTP/1.1 by hand, for what the WebClient does not send: a body in chunks, a body cut short. */
  static final class RawHttp implements AutoCloseable {
    private final java.net.Socket socket;
    private final java.io.InputStream in;
    private final java.io.OutputStream out;
    private int contentLength;

    RawHttp(int port) throws java.io.IOException {
      socket = new java.net.Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      socket.setTcpNoDelay(true);
      in = new java.io.BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    void write(String ascii) throws java.io.IOException {
      out.write(ascii.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    void chunk(byte[] data) throws java.io.IOException {
      out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(data);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    /** The status of the answer; its head is read, its Content-Length kept for {@link #readBody}. */
    int readStatus() throws java.io.IOException {
      String status = line();
      contentLength = 0;
      for (String h = line(); !h.isEmpty(); h = line()) {
        if (h.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          contentLength = Integer.parseInt(h.substring(15).trim());
        }
      }
      return Integer.parseInt(status.split(" ")[1]);
    }

    byte[] readBody() throws java.io.IOException {
      return in.readNBytes(contentLength);
    }

    /** True when the server closed the connection after its answer (end of stream, or reset). */
    boolean closedByServer() throws java.io.IOException {
      readBody();
      try {
        return in.read() == -1;
      } catch (java.net.SocketTimeoutException e) {
        return false; // still open after the socket's timeout
      } catch (java.net.SocketException e) {
        return true;
      }
    }

    private String line() throws java.io.IOException {
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new java.io.EOFException("connection closed in the answer's head: " + b);
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }

  @Test
  void httpUnknownConnectionIdIs400() throws Exception {
    byte[] body = concat(ConnectionIdCodec.encode(new byte[] {0x11, 0x22, 0x33}), new byte[] {0x58, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    HttpResponse<Buffer> r = httpPost(HttpTransport.REQUEST_TYPE, body);
    assertThat(r.statusCode()).isEqualTo(400);
    assertEdhocError(r.body().getBytes());
  }

  @Test
  void httpWrongMediaTypeIs415() throws Exception {
    byte[] m1 = Edhoc.initiator(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT)).writeMessage1().message1();
    assertThat(httpPost("application/cbor", withTrue(m1)).statusCode()).isEqualTo(415);
    assertThat(httpPost(null, withTrue(m1)).statusCode()).isEqualTo(415);
  }

  @Test
  void httpOtherMethodsAre405() throws Exception {
    HttpResponse<Buffer> get = TestSupport.await(web.getAbs(httpUri()).send());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.getHeader("Allow")).isEqualTo("POST");
    assertThat(TestSupport.await(web.putAbs(httpUri()).sendBuffer(Buffer.buffer("x"))).statusCode()).isEqualTo(405);
    assertThat(TestSupport.await(web.deleteAbs(httpUri()).send()).statusCode()).isEqualTo(405);
  }

  // ------------------------------------------------------------------------------ CoAP errors

  @Test
  void coapGarbageTruncatedOversizedUnknownAndWrongFormat() throws Exception {
    CoapResponse garbage = coapPost(EdhocOption.CID_EDHOC_CBOR_SEQ, new byte[] {(byte) 0xf5, (byte) 0xff, 0x00});
    assertThat(garbage.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
    assertThat(garbage.getOptions().getContentFormat()).isEqualTo(EdhocOption.EDHOC_CBOR_SEQ);
    assertEdhocError(garbage.getPayload());

    byte[] m1 = Edhoc.initiator(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT)).writeMessage1().message1();
    CoapResponse truncated = coapPost(EdhocOption.CID_EDHOC_CBOR_SEQ, java.util.Arrays.copyOf(withTrue(m1), 10));
    assertThat(truncated.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
    assertEdhocError(truncated.getPayload());

    byte[] big = new byte[svc.config().limits.maxBodyBytes + 1];
    big[0] = (byte) 0xf5;
    CoapResponse oversized = coapPost(EdhocOption.CID_EDHOC_CBOR_SEQ, big);
    assertThat(oversized.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
    assertThat(oversized.getOptions().getSize1()).isEqualTo(svc.config().limits.maxBodyBytes);

    CoapResponse empty = coapPost(EdhocOption.CID_EDHOC_CBOR_SEQ, new byte[0]);
    assertThat(empty.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);

    CoapResponse unknown = coapPost(EdhocOption.CID_EDHOC_CBOR_SEQ,
        concat(ConnectionIdCodec.encode(new byte[] {0x44, 0x55}), new byte[] {0x43, 1, 2, 3}));
    assertThat(unknown.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
    assertEdhocError(unknown.getPayload());

    CoapResponse wrongFormat = coapPost(60 /* application/cbor */, withTrue(m1));
    assertThat(wrongFormat.getCode()).isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);

    assertThat(svc.metrics().scrape())
        .contains("edhoc_handshakes_failed_total{reason=\"malformed_message\",transport=\"coap\"}")
        .contains("edhoc_handshakes_failed_total{reason=\"too_large\",transport=\"coap\"}")
        .contains("edhoc_handshakes_failed_total{reason=\"empty_body\",transport=\"coap\"}")
        .contains("edhoc_handshakes_failed_total{reason=\"unknown_c_r\",transport=\"coap\"}")
        .contains("edhoc_handshakes_failed_total{reason=\"bad_media_type\",transport=\"coap\"}");

    CoapClient c = new CoapClient(coapUri()).setTimeout(10_000L);
    try {
      assertThat(c.get().getCode()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
    } finally {
      c.shutdown();
    }
  }

  // ------------------------------------------------------------------------------ admin

  @Test
  void healthAndMetrics() throws Exception {
    HttpResponse<Buffer> h = TestSupport.await(web.get(svc.adminPort(), "127.0.0.1", "/health").send());
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(h.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    // one failure and one success so that the counters exist
    httpPost(HttpTransport.REQUEST_TYPE, new byte[] {(byte) 0xf5, 0x00});
    TestSupport.handshake(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT), Method.STAT_STAT, webClientTransport()).session().close();
    String m = TestSupport.await(web.get(svc.adminPort(), "127.0.0.1", "/metrics").send()).bodyAsString();
    assertThat(m).contains("edhoc_handshakes_started_total{transport=\"http\"}")
        .contains("edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"http\"}")
        .contains("edhoc_handshakes_failed_total{reason=\"malformed_message\",transport=\"http\"}")
        .contains("edhoc_handshake_duration_seconds_bucket{transport=\"http\"")
        .contains("edhoc_half_open_sessions")
        .contains("edhoc_half_open_evictions_total")
        .contains("edhoc_events_dropped_total 0.0");
  }

  @Test
  void errorBodiesAreEdhocErrorMessages() throws Exception {
    // a suite the server does not support: ERR_CODE 2 with SUITES_R, and the client retries by itself
    EdhocConfig cfg = EdhocConfig.builder().suites(CipherSuite.SUITE_24, CipherSuite.SUITE_2).methods(Method.STAT_STAT)
        .peers(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT).peers())
        .credential(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT).credentials().get(0))
        .credential(io.edhoc.vectors.TestCredentials.ccs(io.edhoc.cose.CoseCurve.P_384, "p384", new byte[] {0x01}))
        .build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
    HttpResponse<Buffer> r = httpPost(HttpTransport.REQUEST_TYPE, withTrue(w2.message1()));
    assertThat(r.statusCode()).isEqualTo(400);
    EdhocPeerErrorException e = assertThrows(EdhocPeerErrorException.class, () -> w2.readMessage2(r.body().getBytes()));
    assertThat(e.peerErrorCode()).isEqualTo(2);
    assertThat(e.suitesR()).contains(2);
  }

  /** The body is an EDHOC error message: ERR_CODE (int) then ERR_INFO. */
  static void assertEdhocError(byte[] body) throws Exception {
    assertThat(body).isNotEmpty();
    CborReader r = new CborReader(body);
    long code = r.readInt();
    assertThat(code).isIn(1L, 2L, 3L);
    r.skipItem();
    assertThat(r.hasMore()).isFalse();
  }

  static List<Integer> list(int... v) {
    return java.util.Arrays.stream(v).boxed().toList();
  }
}
