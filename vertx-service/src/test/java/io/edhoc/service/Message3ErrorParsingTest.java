package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.ErrorMessage;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.oscore.EdhocOption;
import io.edhoc.service.config.ServiceConfig;
import io.edhoc.service.http.HttpTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 9528 section 6 and 5.4.3 after C_R: only a well-formed EDHOC error message ends a pending
 * session silently; a body that merely starts with an int ({@code C_R || 17}) is a malformed
 * message_3 and gets the error response, through real HTTP and CoAP clients.
 */
class Message3ErrorParsingTest {
  @TempDir static Path dir;
  static EdhocService svc;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.limits.ratePerSourcePerSecond = 0;
    svc = EdhocService.start(c, null);
  }

  @AfterAll
  static void stop() {
    if (svc != null) {
      svc.close();
    }
  }

  static HttpResponse<byte[]> post(byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + svc.httpPort() + HttpTransport.PATH))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", HttpTransport.REQUEST_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Runs message_1 over HTTP; returns the encoded C_R of the now half-open session. */
  static byte[] halfOpen() throws Exception {
    EdhocConfig cfg = TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
    HttpResponse<byte[]> r2 = post(ServiceTest.withTrue(w2.message1()));
    assertThat(r2.statusCode()).isEqualTo(200);
    return ConnectionIdCodec.encode(w2.readMessage2(r2.body()).connectionIdR());
  }

  @Test
  void intThatIsNotAnErrorMessageIsAMalformedMessage3WithAnErrorResponse() throws Exception {
    byte[] cR = halfOpen();
    int before = svc.sessionStore().size();
    HttpResponse<byte[]> r = post(ServiceTest.concat(cR, new byte[] {0x11})); // C_R || 17: ERR_CODE without ERR_INFO
    assertThat(r.statusCode()).isEqualTo(400);
    ServiceTest.assertEdhocError(r.body());
    assertThat(ErrorMessage.parse(r.body()).code()).isEqualTo(ErrorMessage.UNSPECIFIED);
    // section 5.4.3: the session is discontinued, and the peer was told so
    assertThat(svc.sessionStore().size()).isEqualTo(before - 1);
    assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_failed_total{reason=\"malformed_message\",transport=\"http\"}");
  }

  @Test
  void errCode3WithWrongInfoIsMalformedToo() throws Exception {
    byte[] cR = halfOpen();
    HttpResponse<byte[]> r = post(ServiceTest.concat(cR, new byte[] {0x03, (byte) 0xf4})); // ERR_CODE 3, ERR_INFO false
    assertThat(r.statusCode()).isEqualTo(400);
    ServiceTest.assertEdhocError(r.body());
  }

  @Test
  void wellFormedErrorMessageEndsTheSessionWithAnEmptyAnswer() throws Exception {
    byte[] cR = halfOpen();
    int before = svc.sessionStore().size();
    HttpResponse<byte[]> r = post(ServiceTest.concat(cR, ErrorMessage.unspecified("initiator gives up")));
    assertThat(r.statusCode()).isBetween(200, 299);
    assertThat(r.body()).isEmpty();
    assertThat(svc.sessionStore().size()).isEqualTo(before - 1);
    assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_failed_total{reason=\"peer_error\",transport=\"http\"}");
  }

  @Test
  void overCoapTheSameBodyGets400WithAnEdhocError() throws Exception {
    byte[] cR = halfOpen();
    CoapClient c = new CoapClient("coap://127.0.0.1:" + svc.coapPort() + "/.well-known/edhoc").setTimeout(10_000L);
    try {
      Request req = Request.newPost();
      req.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
      req.setPayload(ServiceTest.concat(cR, new byte[] {0x11}));
      CoapResponse r = c.advanced(req);
      assertThat(r).isNotNull();
      assertThat(r.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      ServiceTest.assertEdhocError(r.getPayload());
    } finally {
      c.shutdown();
    }
  }
}
