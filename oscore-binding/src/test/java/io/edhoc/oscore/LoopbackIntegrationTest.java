package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocSession;
import io.edhoc.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSCoreResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real Californium endpoints on 127.0.0.1 (ephemeral ports): EDHOC, then OSCORE. */
class LoopbackIntegrationTest {
  private static Configuration config;

  private CoapServer server;
  private CoapEndpoint clientEndpoint;
  private HashMapCtxDB serverDb;
  private HashMapCtxDB clientDb;
  private CaliforniumContexts serverContexts;
  private CaliforniumContexts clientContexts;
  private EdhocOscoreStackFactory clientStack;
  private ResponderEngine engine;
  private String base;
  private final List<Object[]> established = new CopyOnWriteArrayList<>();
  private final AtomicReference<byte[]> lastProtectedRequest = new AtomicReference<>();

  @BeforeAll
  static void configuration() {
    CoapConfig.register();
    UdpConfig.register();
    config = Configuration.createStandardWithoutFile();
    Configuration.setStandard(config); // never write Californium3.properties
  }

  private void start(Fixtures f, boolean message4) {
    serverDb = new HashMapCtxDB();
    serverContexts = new CaliforniumContexts(serverDb);
    engine = ResponderEngine.builder(f.responder).message4(message4).recipientIdsInUse(serverContexts::recipientIdInUse)
        .listener(serverContexts.serverListener()).listener((s, c) -> established.add(new Object[] {s, c})).build();
    EdhocOscoreStackFactory serverStack = new EdhocOscoreStackFactory(serverDb, engine);
    CoapEndpoint serverEndpoint = serverStack.endpointBuilder(config).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    serverEndpoint.addInterceptor(new MessageInterceptorAdapter() {
      @Override
      public void receiveRequest(Request request) {
        if (request.getOptions().hasOscore() && request.getBytes() != null) {
          lastProtectedRequest.set(request.getBytes().clone());
        }
      }
    });
    server = new CoapServer(config);
    server.addEndpoint(serverEndpoint);
    EdhocResource.addTo(server, engine);
    server.add(new OSCoreResource("hello", true) {
      @Override
      public void handleGET(CoapExchange exchange) {
        exchange.respond(ResponseCode.CONTENT, "hello " + exchange.getRequestOptions().getUriQueryString());
      }

      @Override
      public void handlePOST(CoapExchange exchange) {
        exchange.respond(ResponseCode.CHANGED, "posted " + exchange.getRequestText());
      }
    });
    server.start();
    base = "coap://127.0.0.1:" + serverEndpoint.getAddress().getPort();

    clientDb = new HashMapCtxDB();
    clientContexts = new CaliforniumContexts(clientDb);
    clientStack = new EdhocOscoreStackFactory(clientDb, null);
    clientEndpoint = clientStack.endpointBuilder(config).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    try {
      clientEndpoint.start();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() {
    if (clientEndpoint != null) {
      clientEndpoint.destroy();
    }
    if (server != null) {
      server.destroy();
    }
  }

  private CoapResponse protectedGet(String query) throws Exception {
    Request get = Request.newGet();
    get.setURI(base + "/hello?" + query);
    get.getOptions().setOscore(Bytes.EMPTY);
    return send(get);
  }

  private CoapResponse send(Request r) throws Exception {
    CoapClient c = new CoapClient();
    c.setEndpoint(clientEndpoint);
    c.setTimeout(5000L);
    try {
      return c.advanced(r);
    } finally {
      c.shutdown();
    }
  }

  /** Both sides' Californium contexts: mirrored and equal in every parameter, and equal to ours. */
  private void assertContextsMirror(OscoreContext client, OSCoreCtx clientCtx) {
    OSCoreCtx serverCtx = serverDb.getContext(client.senderId());
    assertThat(serverCtx).isNotNull();
    OscoreContext server = (OscoreContext) established.get(established.size() - 1)[1];
    assertThat(client.peerView()).isEqualTo(server);
    assertThat(clientCtx.getMasterSecret()).isEqualTo(serverCtx.getMasterSecret()).isEqualTo(client.masterSecret());
    assertThat(clientCtx.getSalt()).isEqualTo(serverCtx.getSalt()).isEqualTo(client.masterSalt());
    assertThat(clientCtx.getSenderId()).isEqualTo(serverCtx.getRecipientId()).isEqualTo(client.senderId());
    assertThat(clientCtx.getRecipientId()).isEqualTo(serverCtx.getSenderId()).isEqualTo(client.recipientId());
    assertThat(clientCtx.getSenderKey()).isEqualTo(serverCtx.getRecipientKey()).isEqualTo(client.senderKey());
    assertThat(clientCtx.getRecipientKey()).isEqualTo(serverCtx.getSenderKey()).isEqualTo(client.recipientKey());
    assertThat(clientCtx.getCommonIV()).isEqualTo(serverCtx.getCommonIV()).isEqualTo(client.commonIv());
    assertThat(clientCtx.getAlg()).isEqualTo(serverCtx.getAlg()).isEqualTo(CaliforniumContexts.aead(client.aead()));
    assertThat(clientCtx.getKdf()).isEqualTo(serverCtx.getKdf());
    assertThat(clientCtx.getIdContext()).isEqualTo(serverCtx.getIdContext()).isNull();
  }

  @ParameterizedTest
  @CsvSource({"SIG_SIG,SUITE_0", "SIG_SIG,SUITE_2", "SIG_SIG,SUITE_3", "STAT_STAT,SUITE_0", "STAT_STAT,SUITE_2", "STAT_STAT,SUITE_3"})
  void edhocThenOscoreGetThenKeyUpdate(Method method, CipherSuite suite) throws Exception {
    Fixtures f = new Fixtures(method, suite);
    start(f, false);
    EdhocCoapClient edhoc = new EdhocCoapClient(f.initiator, clientEndpoint, clientContexts, clientStack);
    EdhocCoapClient.Established e = edhoc.establish(base);
    assertContextsMirror(e.oscoreContext(), e.installed());
    CoapResponse r = protectedGet("n=1");
    assertThat(r.getCode()).isEqualTo(ResponseCode.CONTENT);
    assertThat(r.getResponseText()).isEqualTo("hello n=1");
    assertThat(r.getOptions().hasOscore()).isTrue();

    // key update on both sides, same context
    byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8};
    EdhocSession serverSession = (EdhocSession) established.get(0)[0];
    OscoreContext serverUpdated = serverContexts.keyUpdateServer(serverSession, (OscoreContext) established.get(0)[1], nonce);
    EdhocCoapClient.Established e2 = edhoc.keyUpdate(e, nonce);
    established.add(new Object[] {serverSession, serverUpdated});
    assertThat(e2.oscoreContext()).isNotEqualTo(e.oscoreContext());
    assertContextsMirror(e2.oscoreContext(), e2.installed());
    CoapResponse r2 = protectedGet("n=2");
    assertThat(r2.getCode()).isEqualTo(ResponseCode.CONTENT);
    assertThat(r2.getResponseText()).isEqualTo("hello n=2");
  }

  /** Suites whose application AEAD is not AES-CCM: does Californium 3.13 run them? */
  @ParameterizedTest
  @CsvSource({"STAT_STAT,SUITE_1", "STAT_STAT,SUITE_4", "STAT_STAT,SUITE_5", "STAT_STAT,SUITE_6"})
  void otherSha256Suites(Method method, CipherSuite suite) throws Exception {
    Fixtures f = new Fixtures(method, suite);
    start(f, false);
    EdhocCoapClient.Established e = new EdhocCoapClient(f.initiator, clientEndpoint, clientContexts, clientStack).establish(base);
    assertContextsMirror(e.oscoreContext(), e.installed());
    CoapResponse r = protectedGet("s=" + suite.id());
    assertThat(r.getResponseText()).isEqualTo("hello s=" + suite.id());
  }

  @Test
  void methodFourWithMessage4ThenOscore() throws Exception {
    Fixtures f = Fixtures.psk(CipherSuite.SUITE_2);
    start(f, false); // method 4 answers a message_3 POSTed alone with message_4 whatever the policy
    EdhocCoapClient edhoc = new EdhocCoapClient(f.initiator, clientEndpoint, clientContexts, clientStack);
    EdhocCoapClient.Established e = edhoc.establish(base);
    assertThat(e.session().isResponderAuthenticated()).isTrue();
    assertContextsMirror(e.oscoreContext(), e.installed());
    assertThat(protectedGet("psk=1").getResponseText()).isEqualTo("hello psk=1");
  }

  @Test
  void methodFourWithCombinedRequestAuthenticatesTheResponderByTheOscoreResponse() throws Exception {
    Fixtures f = Fixtures.psk(CipherSuite.SUITE_2);
    start(f, false);
    EdhocCoapClient edhoc = new EdhocCoapClient(f.initiator, clientEndpoint, clientContexts, clientStack);
    Request post = Request.newPost();
    post.setURI(base + "/hello");
    post.setPayload("psk");
    EdhocCoapClient.CombinedResult c = edhoc.establishCombined(base, post);
    assertThat(c.response().getResponseText()).isEqualTo("posted psk");
    assertThat(c.response().getOptions().hasOscore()).isTrue();
    assertThat(c.established().session().isResponderAuthenticated()).isTrue();
    assertThat(engine.sessionStore().size()).isZero();
  }

  @ParameterizedTest
  @CsvSource({"SIG_SIG,SUITE_0", "STAT_STAT,SUITE_2", "STAT_STAT,SUITE_3", "SIG_SIG,SUITE_3"})
  void combinedRequest(Method method, CipherSuite suite) throws Exception {
    Fixtures f = new Fixtures(method, suite);
    start(f, false);
    EdhocCoapClient edhoc = new EdhocCoapClient(f.initiator, clientEndpoint, clientContexts, clientStack);
    Request post = Request.newPost();
    post.setURI(base + "/hello");
    post.setPayload("first");
    EdhocCoapClient.CombinedResult c = edhoc.establishCombined(base, post);
    assertThat(c.response().getCode()).isEqualTo(ResponseCode.CHANGED);
    assertThat(c.response().getResponseText()).isEqualTo("posted first");
    assertThat(c.response().getOptions().hasOscore()).isTrue();
    assertContextsMirror(c.established().oscoreContext(), c.established().installed());
    assertThat(engine.sessionStore().size()).isZero();
    // the context keeps working for plain OSCORE requests
    assertThat(protectedGet("after=combined").getResponseText()).isEqualTo("hello after=combined");
  }

  @Test
  void message4AndReverseFlow() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    start(f, true);
    EdhocCoapClient edhoc = new EdhocCoapClient(f.initiator, clientEndpoint, clientContexts, clientStack).expectMessage4(true);
    EdhocCoapClient.Established e = edhoc.establish(base);
    assertContextsMirror(e.oscoreContext(), e.installed());
    assertThat(protectedGet("m4").getResponseText()).isEqualTo("hello m4");
  }

  @Test
  void reverseFlowServerIsInitiator() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    // server runs the initiator identity and answers empty POSTs with message_1
    serverDb = new HashMapCtxDB();
    start(f, false);
    server.destroy();
    serverDb = new HashMapCtxDB();
    serverContexts = new CaliforniumContexts(serverDb);
    engine = ResponderEngine.builder(f.initiator).reverseFlow(true).recipientIdsInUse(serverContexts::recipientIdInUse)
        .listener(serverContexts.serverListener()).listener((s, c) -> established.add(new Object[] {s, c})).build();
    EdhocOscoreStackFactory serverStack = new EdhocOscoreStackFactory(serverDb, engine);
    CoapEndpoint ep = serverStack.endpointBuilder(config).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    server = new CoapServer(config);
    server.addEndpoint(ep);
    EdhocResource.addTo(server, engine);
    server.add(new OSCoreResource("hello", true) {
      @Override
      public void handleGET(CoapExchange exchange) {
        exchange.respond(ResponseCode.CONTENT, "hello " + exchange.getRequestOptions().getUriQueryString());
      }
    });
    server.start();
    base = "coap://127.0.0.1:" + ep.getAddress().getPort();
    EdhocCoapClient edhoc = new EdhocCoapClient(f.responder, clientEndpoint, clientContexts, clientStack);
    EdhocCoapClient.Established e = edhoc.establishReverse(base);
    assertThat(e.session().role()).isEqualTo(io.edhoc.Role.RESPONDER);
    assertContextsMirror(e.oscoreContext(), e.installed());
    assertThat(protectedGet("rev").getResponseText()).isEqualTo("hello rev");
  }

  @Test
  void unprotectedRequestAndReplayAreRejected() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    start(f, false);
    EdhocCoapClient edhoc = new EdhocCoapClient(f.initiator, clientEndpoint, clientContexts, clientStack);
    edhoc.establish(base);
    Request plain = Request.newGet();
    plain.setURI(base + "/hello?x");
    CoapResponse unprotected = send(plain);
    assertThat(unprotected.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
    assertThat(protectedGet("once").getCode()).isEqualTo(ResponseCode.CONTENT);
    byte[] captured = lastProtectedRequest.get();
    assertThat(captured).isNotNull();
    // replay the exact datagram from another socket (so CoAP deduplication does not answer from cache)
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(5000);
      InetSocketAddress to = new InetSocketAddress("127.0.0.1", Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)));
      s.send(new DatagramPacket(captured, captured.length, to));
      DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
      s.receive(p);
      int code = p.getData()[1] & 0xff;
      assertThat(code >> 5).as("response class").isEqualTo(4);
      assertThat(code & 0x1f).as("response detail (4.01)").isEqualTo(1);
    }
  }

  @Test
  void invalidMessage3InCombinedRequestGetsEdhocError() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    start(f, false);
    // a client with another identity: the server cannot authenticate it -> message_3 fails
    Fixtures stranger = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    io.edhoc.EdhocConfig strangerCfg = stranger.initiator.toBuilder().peers(f.initiator.peers()).build();
    // the stranger trusts the server (uses the fixtures' peer store for the server credential)
    EdhocCoapClient edhoc = new EdhocCoapClient(strangerCfg, clientEndpoint, clientContexts, clientStack);
    Request post = Request.newPost();
    post.setURI(base + "/hello");
    post.setPayload("x");
    EdhocCoapClient.CombinedResult c = edhoc.establishCombined(base, post);
    assertThat(c.response().getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
    assertThat(c.response().getOptions().getContentFormat()).isEqualTo(EdhocOption.EDHOC_CBOR_SEQ);
    assertThat(io.edhoc.ErrorMessage.parse(c.response().getPayload()).code()).isEqualTo(1);
    assertThat(c.response().getOptions().hasOscore()).isFalse();
    assertThat(serverDb.getContext(c.established().oscoreContext().senderId())).isNull();
  }

  @Test
  void contentFormatOtherThan65IsRefusedAndGetIsNotAllowed() throws Exception {
    start(new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2), false);
    Request bad = Request.newPost();
    bad.setURI(base + EdhocCoapClient.EDHOC_PATH);
    bad.setPayload(new byte[] {(byte) 0xf5, 3});
    bad.getOptions().setContentFormat(60);
    assertThat(send(bad).getCode()).isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
    Request get = Request.newGet();
    get.setURI(base + EdhocCoapClient.EDHOC_PATH);
    assertThat(send(get).getCode()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
    // a malformed message_1 without Content-Format (as aiocoap sends): 4.00 with an EDHOC error, CF 64
    Request m1 = Request.newPost();
    m1.setURI(base + EdhocCoapClient.EDHOC_PATH);
    m1.setPayload(new byte[] {(byte) 0xf5, 3, 2});
    CoapResponse r = send(m1);
    assertThat(r.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
    assertThat(r.getOptions().getContentFormat()).isEqualTo(EdhocOption.EDHOC_CBOR_SEQ);
    assertThat(io.edhoc.ErrorMessage.parse(r.getPayload()).code()).isEqualTo(1);
  }

  @Test
  void aiocoapStyleMessage1WithoutContentFormatAndWithEad15() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    start(f, false);
    io.edhoc.Initiator.AwaitingMessage2 w2 = io.edhoc.Edhoc.initiator(f.initiator).writeMessage1(List.of(new io.edhoc.EadItem(15, null)));
    Request m1 = Request.newPost();
    m1.setURI(base + EdhocCoapClient.EDHOC_PATH);
    m1.setPayload(EdhocCoapClient.concat(new byte[] {(byte) 0xf5}, w2.message1()));
    CoapResponse r = send(m1);
    assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
    assertThat(r.getOptions().getContentFormat()).isEqualTo(EdhocOption.EDHOC_CBOR_SEQ);
    assertThat(w2.readMessage2(r.getPayload()).connectionIdR()).isNotEmpty();
  }

  @Test
  void rfc9668ExampleFraming() {
    // RFC 9668 section 3.4: OSCORE option 0x090001 (kid 0x01), payload = message_3 || OSCORE ciphertext
    assertThat(EdhocCombinedLayer.kid(java.util.HexFormat.of().parseHex("090001"))).containsExactly(1);
    assertThat(EdhocCombinedLayer.kid(java.util.HexFormat.of().parseHex("19000101aa"))).containsExactly(0xaa);
    assertThat(EdhocCombinedLayer.kid(java.util.HexFormat.of().parseHex("01"))).isNull();
    assertThat(EdhocCombinedLayer.kid(new byte[0])).isNull();
  }

  @Test
  void combinedRequestWithoutOscoreOptionOrWithGarbageIsBadRequest() throws Exception {
    start(new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2), false);
    Request r = Request.newPost();
    r.setURI(base + "/hello");
    r.setPayload(new byte[] {0x41, 0x00, 0x01});
    r.getOptions().addOption(EdhocOption.DEFINITION.create(new byte[0]));
    assertThat(send(r).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
  }

  @Test
  void suites24And25AreRefusedByTheCaliforniumAdapterWithAClearError() {
    OscoreContext c24 = OscoreContext.derive(new byte[32], new byte[8], new byte[] {1}, new byte[] {2}, null,
        CipherSuite.SUITE_24.applicationAead(), CipherSuite.SUITE_24.applicationHash());
    assertThatThrownBy(() -> new CaliforniumContexts(new HashMapCtxDB()).installServer(c24))
        .isInstanceOf(CaliforniumContexts.UnsupportedOscoreContextException.class).hasMessageContaining("SHA_384");
    OscoreContext c25 = OscoreContext.derive(new byte[32], new byte[8], new byte[] {1}, new byte[] {2}, null,
        CipherSuite.SUITE_25.applicationAead(), CipherSuite.SUITE_25.applicationHash());
    assertThatThrownBy(() -> new CaliforniumContexts(new HashMapCtxDB()).installServer(c25))
        .isInstanceOf(CaliforniumContexts.UnsupportedOscoreContextException.class).hasMessageContaining("SHAKE256");
  }

  @Test
  void recipientIdInUseIsRefused() {
    CaliforniumContexts cc = new CaliforniumContexts(new HashMapCtxDB());
    OscoreContext a = OscoreContext.derive(new byte[16], new byte[8], new byte[] {1}, new byte[] {2}, null,
        CipherSuite.SUITE_2.applicationAead(), CipherSuite.SUITE_2.applicationHash());
    cc.installServer(a);
    assertThat(cc.recipientIdInUse(new byte[] {2})).isTrue();
    assertThatThrownBy(() -> cc.installServer(a)).isInstanceOf(CaliforniumContexts.UnsupportedOscoreContextException.class)
        .hasMessageContaining("already installed");
  }
}
