package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.cbor.Hex;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.credentials.KeygenCommand;
import io.edhoc.service.config.ServiceConfig;
import io.edhoc.service.http.HttpTransport;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What an operator sees: the start-up report of what was loaded and can be served, refusal to
 * start when nothing can, /health, and the switchable one-line-per-handshake log (real HTTP).
 */
class OperatorLoggingTest {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final ListAppender<ILoggingEvent> service = new ListAppender<>();
  final ListAppender<ILoggingEvent> handshakes = new ListAppender<>();

  @BeforeEach
  void attach() {
    service.start();
    handshakes.start();
    ((Logger) LoggerFactory.getLogger(EdhocService.class)).addAppender(service);
    ((Logger) LoggerFactory.getLogger("io.edhoc.service.handshake")).addAppender(handshakes);
  }

  @AfterEach
  void detach() {
    ((Logger) LoggerFactory.getLogger(EdhocService.class)).detachAppender(service);
    ((Logger) LoggerFactory.getLogger("io.edhoc.service.handshake")).detachAppender(handshakes);
  }

  static List<String> lines(ListAppender<ILoggingEvent> a, String level) {
    return a.list.stream().filter(e -> e.getLevel().toString().equals(level)).map(ILoggingEvent::getFormattedMessage).toList();
  }

  HttpResponse<byte[]> post(EdhocService svc, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + svc.httpPort() + HttpTransport.PATH))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", HttpTransport.REQUEST_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void startUpReportsCredentialsAndServableMethodsAndWarnsAboutTheRest() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.coap.enabled = false;
    c.edhoc.suites = new java.util.ArrayList<>(List.of(2, 0, 24)); // the development credentials have no P-384 key
    try (EdhocService svc = EdhocService.start(c, null)) {
      List<String> info = lines(service, "INFO");
      assertThat(info).anySatisfy(l -> assertThat(l).contains("credentials from " + dir.resolve("server"), "3 own credential(s)", "0 PSK(s)"));
      assertThat(info).anySatisfy(l -> assertThat(l).contains("kid h'32'", "p-256"));
      assertThat(info).anySatisfy(l -> assertThat(l).contains("x25519"));
      assertThat(info).anySatisfy(l -> assertThat(l).startsWith("servable: ").contains("method 3 suite 2", "method 0 suite 0"));
      assertThat(lines(service, "WARN")).contains("configured but not servable: method 0 suite 24: no own p-384 signature credential",
          "configured but not servable: method 3 suite 24: no own p-384 static DH credential");
      HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + svc.adminPort() + "/health")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(h.statusCode()).isEqualTo(200);
      JsonObject j = new JsonObject(h.body());
      assertThat(j.getString("status")).isEqualTo("UP");
      assertThat(j.getJsonArray("servable").getList()).contains("method 3 suite 2").doesNotContain("method 3 suite 24");
    }
    assertThat(service.list).noneSatisfy(e -> assertThat(e.getFormattedMessage()).containsPattern("[0-9a-f]{32}")); // no key-sized hex
  }

  @Test
  void nothingServableRefusesToStartThroughTheCli() throws Exception {
    // a credentials file with a PSK only, while the service offers methods 0-3
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    assertThat(KeygenCommand.execute(new String[] {"psk", "--kid", "10", "--name", "psk/site", "--out", dir.toString()}, quiet, quiet)).isZero();
    Files.writeString(dir.resolve("credentials.yaml"), "psk:\n  - {cred_i: psk/site.cred_i.ccs, cred_r: psk/site.cred_r.ccs}\n");
    Path cfg = dir.resolve("edhoc.yaml");
    Files.writeString(cfg, String.join("\n", "http: {port: 0}", "coap: {port: 0}", "admin: {port: 0}",
        "credentials: {config: credentials.yaml}", ""));
    PrintStream savedErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true));
    int code;
    try {
      code = Main.commandLine().execute("serve", "--config", cfg.toString());
    } finally {
      System.setErr(savedErr);
    }
    assertThat(code).isEqualTo(2);
    // (the console log goes to the same stream: pick the command's own line)
    List<String> serveLines = err.toString().lines().filter(x -> x.startsWith("edhoc serve:")).toList();
    assertThat(serveLines).singleElement().asString()
        .startsWith("edhoc serve: nothing can be served with the credentials from " + dir.resolve("credentials.yaml"))
        .contains("method 3 suite 2: no own p-256 static DH credential");
    assertThat(err.toString()).doesNotContain("Exception", "\tat ");
    assertThat(lines(service, "WARN")).isNotEmpty();
  }

  @Test
  void handshakeLogHasOneLinePerHandshakeWhenSwitchedOn() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.coap.enabled = false;
    c.limits.ratePerSourcePerSecond = 0;
    c.log.handshakes = true;
    EdhocConfig client = TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT);
    byte[] exported;
    try (EdhocService svc = EdhocService.start(c, null)) {
      // 1: completes
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(client).writeMessage1();
      HttpResponse<byte[]> r2 = post(svc, ServiceTest.withTrue(w2.message1()));
      Initiator.AwaitingMessage4 w4 = w2.readMessage2(r2.body()).writeMessage3();
      assertThat(post(svc, ServiceTest.concat(ConnectionIdCodec.encode(w4.connectionIdR()), w4.message3())).statusCode()).isEqualTo(200);
      try (EdhocSession s = w4.complete()) {
        exported = s.exporter(0, new byte[0], 16); // the OSCORE master secret
      }
      // 2: message_3 tampered: fails
      Initiator.AwaitingMessage2 b2 = Edhoc.initiator(client).writeMessage1();
      HttpResponse<byte[]> b2r = post(svc, ServiceTest.withTrue(b2.message1()));
      Initiator.AwaitingMessage4 b4 = b2.readMessage2(b2r.body()).writeMessage3();
      byte[] m3 = b4.message3();
      m3[m3.length - 1] ^= 1;
      assertThat(post(svc, ServiceTest.concat(ConnectionIdCodec.encode(b4.connectionIdR()), m3)).statusCode()).isEqualTo(400);
      // 3: a suite the server does not offer first: ERR_CODE 2
      EdhocConfig prefers24 = EdhocConfig.builder().suites(CipherSuite.SUITE_24, CipherSuite.SUITE_2).methods(Method.STAT_STAT)
          .peers(client.peers()).credential(client.credentials().get(0))
          .credential(io.edhoc.vectors.TestCredentials.ccs(io.edhoc.cose.CoseCurve.P_384, "p384", new byte[] {0x01})).build();
      assertThat(post(svc, ServiceTest.withTrue(Edhoc.initiator(prefers24).writeMessage1().message1())).statusCode()).isEqualTo(400);
    }
    List<String> l = lines(handshakes, "INFO");
    assertThat(l).hasSize(3);
    assertThat(l.get(0)).matches("transport=http peer=127\\.0\\.0\\.1 method=3 suite=2 peer_credential=\".*client.*\" outcome=completed duration_ms=\\d+");
    assertThat(l.get(1)).startsWith("transport=http peer=127.0.0.1 method=- suite=- outcome=failed step=message_3 reason=")
        .containsPattern("duration_ms=\\d+");
    assertThat(l.get(2)).startsWith("transport=http peer=127.0.0.1 method=3 suite=24 outcome=negotiated step=message_1 reason=wrong_selected_suite");
    String all = String.join("\n", l);
    assertThat(all).doesNotContain(Hex.encode(exported));
    assertThat(Arrays.stream(all.split("[^0-9a-f]+")).filter(t -> t.length() >= 32)).isEmpty(); // no key-sized hex at all
  }

  @Test
  void handshakeLogIsOffByDefault() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.coap.enabled = false;
    assertThat(c.log.handshakes).isFalse();
    try (EdhocService svc = EdhocService.start(c, null)) {
      assertThat(post(svc, new byte[] {(byte) 0xf5, 0x00}).statusCode()).isEqualTo(400);
    }
    assertThat(handshakes.list).isEmpty();
  }
}
