package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.credentials.ConnectionIdCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link EdhocResource} on real Californium endpoints (127.0.0.1, ephemeral ports): the RFC 9175
 * Echo reachability check, the body limit and the hooks.
 */
class EdhocResourceTest {
  private static Configuration config;

  private final Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
  private final Fixtures.MutableClock clock = new Fixtures.MutableClock();
  private final List<CoapEndpoint> clientEndpoints = new CopyOnWriteArrayList<>();
  private CoapServer server;
  private ResponderEngine engine;
  private EdhocResource resource;
  private CaliforniumContexts serverContexts;
  private String base;

  @BeforeAll
  static void configuration() {
    CoapConfig.register();
    UdpConfig.register();
    config = Configuration.createStandardWithoutFile();
    Configuration.setStandard(config);
  }

  private void start() {
    HashMapCtxDB db = new HashMapCtxDB();
    serverContexts = new CaliforniumContexts(db);
    engine = ResponderEngine.builder(f.responder).recipientIdsInUse(serverContexts::recipientIdInUse)
        .listener(serverContexts.serverListener()).build();
    CoapEndpoint ep = new EdhocOscoreStackFactory(db, engine).endpointBuilder(config)
        .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    server = new CoapServer(config);
    server.addEndpoint(ep);
    resource = EdhocResource.addTo(server, engine);
    server.add(new OSCoreResource("hello", true) {
      @Override
      public void handleGET(CoapExchange exchange) {
        exchange.respond(ResponseCode.CONTENT, "hello");
      }
    });
    server.start();
    base = "coap://127.0.0.1:" + ep.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    clientEndpoints.forEach(CoapEndpoint::destroy);
    if (server != null) {
      server.destroy();
    }
  }

  /** A plain Californium client endpoint (no OSCORE, stock option registry) on its own port. */
  private CoapEndpoint plainEndpoint() throws Exception {
    CoapEndpoint ep = new CoapEndpoint.Builder().setConfiguration(config).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    ep.start();
    clientEndpoints.add(ep);
    return ep;
  }

  private CoapResponse post(CoapEndpoint ep, byte[] body, byte[] echo) throws Exception {
    Request req = Request.newPost();
    req.setURI(base + EdhocCoapClient.EDHOC_PATH);
    req.setPayload(body);
    req.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
    if (echo != null) {
      EchoOption.set(req.getOptions(), echo);
    }
    CoapClient c = new CoapClient();
    c.setEndpoint(ep);
    c.setTimeout(5000L);
    try {
      CoapResponse r = c.advanced(req);
      assertThat(r).as("response").isNotNull();
      return r;
    } finally {
      c.shutdown();
    }
  }

  private static byte[] withTrue(byte[] m1) {
    return EdhocCoapClient.concat(new byte[] {(byte) 0xf5}, m1);
  }

  @Test
  void echoChallengeThenMessage2ThenUnchallengedMessage3() throws Exception {
    start();
    resource.echoReachability(EchoVerifier.fromSharedSecret(new byte[32], EchoVerifier.DEFAULT_WINDOW, clock));
    CoapEndpoint ep = plainEndpoint();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(f.initiator).writeMessage1();
    byte[] body = withTrue(w2.message1());

    CoapResponse challenge = post(ep, body, null);
    assertThat(challenge.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
    byte[] echo = EchoOption.get(challenge.getOptions());
    assertThat(echo).hasSize(EchoVerifier.VALUE_LENGTH);
    assertThat(challenge.getPayload()).isEmpty();
    assertThat(engine.pendingSessions()).as("no state for an unverified source").isZero();

    CoapResponse r2 = post(ep, body, echo);
    assertThat(r2.getCode()).isEqualTo(ResponseCode.CHANGED);
    assertThat(r2.getOptions().getContentFormat()).isEqualTo(EdhocOption.EDHOC_CBOR_SEQ);
    assertThat(engine.pendingSessions()).isEqualTo(1);
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(r2.getPayload()).writeMessage3();

    // message_3 carries no Echo and is not challenged
    CoapResponse r3 = post(ep, EdhocCoapClient.concat(ConnectionIdCodec.encode(w4.connectionIdR()), w4.message3()), null);
    assertThat(r3.getCode()).isEqualTo(ResponseCode.CHANGED);
    try (EdhocSession s = w4.complete()) {
      assertThat(serverContexts.recipientIdInUse(s.connectionIdR())).isTrue();
    }
    assertThat(engine.pendingSessions()).isZero();
  }

  @Test
  void forgedExpiredAndOtherAddressEchoValuesAreChallengedAgain() throws Exception {
    start();
    resource.echoReachability(EchoVerifier.fromSharedSecret(new byte[32], Duration.ofSeconds(30), clock));
    List<String> refusals = new CopyOnWriteArrayList<>();
    resource.hooks(new EdhocResource.Hooks() {
      @Override
      public void refused(EdhocResource.Incoming request, String reason) {
        refusals.add(reason);
      }
    });
    CoapEndpoint a = plainEndpoint();
    CoapEndpoint b = plainEndpoint();
    byte[] body = withTrue(Edhoc.initiator(f.initiator).writeMessage1().message1());
    byte[] echoA = EchoOption.get(post(a, body, null).getOptions());

    byte[] forged = echoA.clone();
    forged[10] ^= 0x40;
    CoapResponse r = post(a, body, forged);
    assertThat(r.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
    assertThat(EchoOption.get(r.getOptions())).isNotNull().isNotEqualTo(forged);

    // issued to a's address and port, replayed from b
    assertThat(post(b, body, echoA).getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);

    // a value from another key (another server, or a guess)
    byte[] foreign = EchoVerifier.random(Duration.ofSeconds(30)).issue(a.getAddress());
    assertThat(post(a, body, foreign).getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);

    clock.advance(Duration.ofSeconds(31));
    CoapResponse expired = post(a, body, echoA);
    assertThat(expired.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
    assertThat(engine.pendingSessions()).isZero();

    // the fresh value from the last challenge works
    assertThat(post(a, body, EchoOption.get(expired.getOptions())).getCode()).isEqualTo(ResponseCode.CHANGED);
    assertThat(engine.pendingSessions()).isEqualTo(1);
    assertThat(refusals).containsExactly("echo_required", "echo_rejected", "echo_rejected", "echo_rejected", "echo_rejected");
  }

  @Test
  void echoOffByDefault() throws Exception {
    start();
    assertThat(resource.echoReachability()).isNull();
    CoapResponse r = post(plainEndpoint(), withTrue(Edhoc.initiator(f.initiator).writeMessage1().message1()), null);
    assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
  }

  @Test
  void edhocCoapClientAnswersTheChallengeThenOscoreWorks() throws Exception {
    start();
    resource.echoReachability(EchoVerifier.random(EchoVerifier.DEFAULT_WINDOW));
    AtomicInteger challenges = new AtomicInteger();
    resource.hooks(new EdhocResource.Hooks() {
      @Override
      public void refused(EdhocResource.Incoming request, String reason) {
        challenges.incrementAndGet();
      }
    });
    HashMapCtxDB clientDb = new HashMapCtxDB();
    EdhocOscoreStackFactory stack = new EdhocOscoreStackFactory(clientDb, null);
    CoapEndpoint ep = stack.endpointBuilder(config).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    ep.start();
    clientEndpoints.add(ep);
    EdhocCoapClient client = new EdhocCoapClient(f.initiator, ep, new CaliforniumContexts(clientDb), stack);
    EdhocCoapClient.Established e = client.establish(base);
    assertThat(challenges.get()).isEqualTo(1);
    Request get = Request.newGet();
    get.setURI(base + "/hello");
    get.getOptions().setOscore(Bytes.EMPTY);
    CoapClient c = new CoapClient();
    c.setEndpoint(ep);
    c.setTimeout(5000L);
    try {
      CoapResponse r = c.advanced(get);
      assertThat(r.getCode()).isEqualTo(ResponseCode.CONTENT);
      assertThat(r.getResponseText()).isEqualTo("hello");
    } finally {
      c.shutdown();
      e.session().close();
    }
    // and the combined request (message_1 challenged once more, message_3 in the OSCORE request)
    Request first = Request.newGet();
    first.setURI(base + "/hello");
    EdhocCoapClient.CombinedResult cr = client.establishCombined(base, first);
    assertThat(cr.response().getCode()).isEqualTo(ResponseCode.CONTENT);
    cr.established().session().close();
    assertThat(challenges.get()).isEqualTo(2);
  }

  @Test
  void aServerThatRejectsEveryEchoMakesTheClientFailClearly() throws Exception {
    start();
    EchoVerifier issuing = EchoVerifier.random(EchoVerifier.DEFAULT_WINDOW);
    EchoVerifier other = EchoVerifier.random(EchoVerifier.DEFAULT_WINDOW);
    // a broken server: issues values with one key and checks them with another
    resource.echoReachability(issuing);
    resource.hooks(new EdhocResource.Hooks() {
      @Override
      public void refused(EdhocResource.Incoming request, String reason) {
        resource.echoReachability(other == resource.echoReachability() ? issuing : other);
      }
    });
    HashMapCtxDB clientDb = new HashMapCtxDB();
    EdhocOscoreStackFactory stack = new EdhocOscoreStackFactory(clientDb, null);
    CoapEndpoint ep = stack.endpointBuilder(config).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    ep.start();
    clientEndpoints.add(ep);
    EdhocCoapClient client = new EdhocCoapClient(f.initiator, ep, new CaliforniumContexts(clientDb), stack);
    assertThatThrownBy(() -> client.establish(base)).isInstanceOf(java.io.IOException.class).hasMessageContaining("4.01");
    assertThat(engine.pendingSessions()).isZero();
  }

  @Test
  void bodyLimitAnswers413WithSize1() throws Exception {
    start();
    resource.maxBodySize(64);
    CoapEndpoint ep = plainEndpoint();
    byte[] big = new byte[65];
    big[0] = (byte) 0xf5;
    CoapResponse r = post(ep, big, null);
    assertThat(r.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
    assertThat(r.getOptions().getSize1()).isEqualTo(64);
    // at the limit: reaches the engine (malformed, so 4.00 with an EDHOC error message)
    CoapResponse atLimit = post(ep, java.util.Arrays.copyOf(big, 64), null);
    assertThat(atLimit.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
    assertThat(atLimit.getOptions().getContentFormat()).isEqualTo(EdhocOption.EDHOC_CBOR_SEQ);
    assertThatThrownBy(() -> resource.maxBodySize(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hooksAdmitWrapAndObserve() throws Exception {
    start();
    AtomicReference<EdhocResource.Refusal> answer = new AtomicReference<>();
    List<String> events = new CopyOnWriteArrayList<>();
    resource.hooks(new EdhocResource.Hooks() {
      @Override
      public EdhocResource.Refusal admit(EdhocResource.Incoming request) {
        events.add("admit " + request.transport() + " " + request.isMessage1() + " " + request.source().getAddress().getHostAddress());
        return answer.get();
      }

      @Override
      public ResponderEngine.Result process(EdhocResource.Incoming request, ResponderEngine e) {
        events.add("process");
        return e.handle(request.body());
      }

      @Override
      public void handled(EdhocResource.Incoming request, ResponderEngine.Result result) {
        events.add("handled " + result.step() + " " + result.status());
      }

      @Override
      public void refused(EdhocResource.Incoming request, String reason) {
        events.add("refused " + reason);
      }
    });
    CoapEndpoint ep = plainEndpoint();
    byte[] body = withTrue(Edhoc.initiator(f.initiator).writeMessage1().message1());

    answer.set(new EdhocResource.Refusal(ResponseCode.TOO_MANY_REQUESTS, 1));
    CoapResponse limited = post(ep, body, null);
    assertThat(limited.getCode()).isEqualTo(ResponseCode.TOO_MANY_REQUESTS);
    assertThat(limited.getOptions().getMaxAge()).isEqualTo(1L);
    answer.set(EdhocResource.Refusal.of(ResponseCode.SERVICE_UNAVAILABLE));
    CoapResponse unavailable = post(ep, body, null);
    assertThat(unavailable.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
    assertThat(unavailable.getOptions().hasMaxAge()).isFalse();
    assertThat(engine.pendingSessions()).isZero();

    answer.set(null);
    assertThat(post(ep, body, null).getCode()).isEqualTo(ResponseCode.CHANGED);
    assertThat(engine.pendingSessions()).isEqualTo(1);

    Request wrongFormat = Request.newPost();
    wrongFormat.setURI(base + EdhocCoapClient.EDHOC_PATH);
    wrongFormat.setPayload(body);
    wrongFormat.getOptions().setContentFormat(60);
    CoapClient c = new CoapClient();
    c.setEndpoint(ep);
    c.setTimeout(5000L);
    try {
      assertThat(c.advanced(wrongFormat).getCode()).isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
    } finally {
      c.shutdown();
    }
    assertThat(events).containsExactly("admit coap true 127.0.0.1", "admit coap true 127.0.0.1", "admit coap true 127.0.0.1", "process",
        "handled MESSAGE_1 OK", "refused bad_media_type");

    assertThatThrownBy(() -> EdhocResource.Refusal.of(ResponseCode.CHANGED)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aThrowingHookGivesAnEmpty500() throws Exception {
    start();
    resource.hooks(new EdhocResource.Hooks() {
      @Override
      public EdhocResource.Refusal admit(EdhocResource.Incoming request) {
        throw new IllegalStateException("boom");
      }
    });
    CoapResponse r = post(plainEndpoint(), withTrue(Edhoc.initiator(f.initiator).writeMessage1().message1()), null);
    assertThat(r.getCode()).isEqualTo(ResponseCode.INTERNAL_SERVER_ERROR);
    assertThat(engine.pendingSessions()).isZero();
  }
}
