package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreResource;
import org.eclipse.californium.oscore.OSException;
import org.eclipse.californium.oscore.OscoreOptionDecoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 8613 Appendix B.1 with real Californium endpoints on loopback: a server over a {@link
 * StoreBackedCtxDB} is replaced by a new one (new DB, same store, same port: what a restart with
 * the file store does), the client's next OSCORE GET succeeds after one Echo round trip, a request
 * captured before is never processed after, and the server's Sender Sequence Numbers stay within
 * what it reserved.
 */
class StoreRecoveryTest {
  private static Configuration config;
  /** Counts every store operation, to show that a request on a cached context costs none. */
  static final class CountingStore extends DelegatingContextStore {
    final AtomicInteger operations = new AtomicInteger();

    @Override
    void beforeRead(byte[] recipientId) {
      operations.incrementAndGet();
    }

    @Override
    void beforeWrite(byte[] recipientId) {
      operations.incrementAndGet();
    }
  }

  private final CountingStore store = new CountingStore();
  private final AtomicInteger handled = new AtomicInteger();
  private final AtomicReference<byte[]> lastProtectedRequest = new AtomicReference<>();
  private CoapServer server;
  private StoreBackedCtxDB serverDb;
  private CoapEndpoint clientEndpoint;
  private int port;

  @BeforeAll
  static void configuration() {
    CoapConfig.register();
    UdpConfig.register();
    config = Configuration.createStandardWithoutFile();
    Configuration.setStandard(config);
  }

  private void startServer(Fixtures f, int onPort) {
    serverDb = new StoreBackedCtxDB(store, 4, 32);
    CaliforniumContexts contexts = new CaliforniumContexts(serverDb);
    ResponderEngine engine = ResponderEngine.builder(f.responder).recipientIdsInUse(contexts::recipientIdInUse)
        .listener(contexts.serverListener()).build();
    CoapEndpoint ep = new EdhocOscoreStackFactory(serverDb, engine).endpointBuilder(config)
        .setInetSocketAddress(new InetSocketAddress("127.0.0.1", onPort)).build();
    ep.addInterceptor(new MessageInterceptorAdapter() {
      @Override
      public void receiveRequest(Request request) {
        if (request.getOptions().hasOscore() && request.getBytes() != null) {
          lastProtectedRequest.set(request.getBytes().clone());
        }
      }
    });
    server = new CoapServer(config);
    server.addEndpoint(ep);
    EdhocResource.addTo(server, engine);
    server.add(new OSCoreResource("hello", true) {
      @Override
      public void handleGET(CoapExchange exchange) {
        handled.incrementAndGet();
        exchange.respond(ResponseCode.CONTENT, "hello");
      }
    });
    server.start();
    port = ep.getAddress().getPort();
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

  /** Sends raw bytes to the server and returns its answer, parsed. */
  private Response raw(byte[] datagram) throws Exception {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(5000);
      s.send(new DatagramPacket(datagram, datagram.length, new InetSocketAddress("127.0.0.1", port)));
      byte[] buf = new byte[2048];
      while (true) { // skip an empty ACK of a separate response
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        org.eclipse.californium.core.coap.Message m = new UdpDataParser().parseMessage(java.util.Arrays.copyOf(buf, p.getLength()));
        if (m instanceof Response r) {
          return r;
        }
        assertThat(m.getType()).isEqualTo(org.eclipse.californium.core.coap.CoAP.Type.ACK);
      }
    }
  }

  @Test
  void restartRecoversWithOneEchoRoundTripAndNeverProcessesAReplay() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    startServer(f, 0);
    HashMapCtxDB clientDb = new HashMapCtxDB();
    CaliforniumContexts clientContexts = new CaliforniumContexts(clientDb);
    EdhocOscoreStackFactory clientStack = new EdhocOscoreStackFactory(clientDb, null);
    clientEndpoint = clientStack.endpointBuilder(config).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    clientEndpoint.start();
    String base = "coap://127.0.0.1:" + port;
    EdhocCoapClient edhoc = new EdhocCoapClient(f.initiator, clientEndpoint, clientContexts, clientStack);
    EdhocCoapClient.Established e = edhoc.establish(base);
    assertThat(store.size()).isEqualTo(1);
    CoapClient client = new CoapClient();
    client.setEndpoint(clientEndpoint);
    client.setTimeout(5000L);

    CoapResponse r1 = OscoreEchoClient.get(client, base + "/hello");
    assertThat(r1.getCode()).isEqualTo(ResponseCode.CONTENT);
    byte[] captured = lastProtectedRequest.get();
    assertThat(handled).hasValue(1);
    assertThat(serverDb.echoRecoveries()).isZero();

    // "restart": a new DB over the same store, same port; the in-memory Californium context is gone
    server.destroy();
    startServer(f, port);
    assertThat(serverDb.cached(e.oscoreContext().senderId())).isNull();

    // a request captured before the restart, replayed: answered with a challenge, never processed
    Response replay = raw(captured);
    assertThat(replay.getOptions().hasOscore()).isTrue();
    OscoreOptionDecoder d = new OscoreOptionDecoder(replay.getOptions().getOscore());
    assertThat(d.getPartialIV()).as("the challenge uses the server's own Partial IV, not the request's nonce").isNotNull();
    assertThat(d.getSequenceNumber()).as("above every bound reserved before the restart").isGreaterThanOrEqualTo(4);
    assertThat(handled).hasValue(1);
    assertThat(serverDb.contextsLoaded()).isEqualTo(1);

    // the client's next GET: one 4.01 + Echo round trip, then 2.05 without a new handshake
    AtomicInteger challenges = new AtomicInteger();
    clientEndpoint.addInterceptor(new MessageInterceptorAdapter() {
      @Override
      public void receiveResponse(Response response) {
        if (response.getOptions().hasOscore() && response.getOptions().getOscore().length > 0) {
          challenges.incrementAndGet(); // responses with a Partial IV: only the challenge carries one
        }
      }
    });
    Request get = Request.newGet();
    get.setURI(base + "/hello");
    get.getOptions().setOscore(org.eclipse.californium.elements.util.Bytes.EMPTY);
    CoapResponse r2 = edhoc.send(get); // the binding's client answers the challenge
    assertThat(r2.getCode()).isEqualTo(ResponseCode.CONTENT);
    assertThat(r2.getResponseText()).isEqualTo("hello");
    assertThat(challenges).hasValue(1);
    assertThat(handled).hasValue(2);
    assertThat(serverDb.echoRecoveries()).isEqualTo(1);
    assertThat(((StoredOSCoreCtx) serverDb.cached(e.oscoreContext().senderId())).isFresh()).isTrue();

    // the same capture after recovery: below the window, refused, not processed
    Response replay2 = raw(captured);
    assertThat(replay2.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
    assertThat(handled).hasValue(2);

    // and normal traffic carries on without challenges, and without touching the store
    int ops = store.operations.get();
    for (int i = 0; i < 20; i++) {
      assertThat(OscoreEchoClient.get(client, base + "/hello").getCode()).isEqualTo(ResponseCode.CONTENT);
    }
    assertThat(challenges).hasValue(1);
    assertThat(store.operations.get()).as("store operations for 20 requests on a cached context").isEqualTo(ops);
  }

  @Test
  void aContextBuiltByItsFirstRequestIsFreshUsableAndKeepsItsReplayWindow() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    startServer(f, 0);
    // a first context of the suite's AEAD, so that the handshake's own context is left unbuilt
    serverDb.establish(OscoreContext.derive(new byte[16], new byte[0], new byte[] {0x51}, new byte[] {0x52}, null,
        CipherSuite.SUITE_2.applicationAead(), CipherSuite.SUITE_2.applicationHash()));
    assertThat(serverDb.unbuiltContexts()).isZero();
    HashMapCtxDB clientDb = new HashMapCtxDB();
    EdhocOscoreStackFactory clientStack = new EdhocOscoreStackFactory(clientDb, null);
    clientEndpoint = clientStack.endpointBuilder(config).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    clientEndpoint.start();
    String base = "coap://127.0.0.1:" + port;
    EdhocCoapClient.Established e = new EdhocCoapClient(f.initiator, clientEndpoint, new CaliforniumContexts(clientDb), clientStack).establish(base);
    byte[] rid = e.oscoreContext().senderId(); // the server's Recipient ID
    assertThat(store.size()).isEqualTo(2);
    assertThat(serverDb.unbuiltContexts()).isEqualTo(1);
    assertThat(serverDb.cached(rid)).as("not built by the handshake").isNull();

    AtomicInteger challenges = new AtomicInteger();
    clientEndpoint.addInterceptor(new MessageInterceptorAdapter() {
      @Override
      public void receiveResponse(Response response) {
        if (response.getOptions().hasOscore() && response.getOptions().getOscore().length > 0) {
          challenges.incrementAndGet(); // a response with a Partial IV: only a challenge carries one
        }
      }
    });
    CoapClient client = new CoapClient();
    client.setEndpoint(clientEndpoint);
    client.setTimeout(5000L);
    CoapResponse r1 = OscoreEchoClient.get(client, base + "/hello");
    assertThat(r1.getCode()).isEqualTo(ResponseCode.CONTENT);
    assertThat(challenges).as("no Echo challenge: the copy was built fresh").hasValue(0);
    byte[] captured = lastProtectedRequest.get();
    assertThat(serverDb.builtOnFirstUse()).isEqualTo(1);
    assertThat(serverDb.unbuiltContexts()).isZero();
    assertThat(serverDb.contextsLoaded()).isZero();
    StoredOSCoreCtx built = (StoredOSCoreCtx) serverDb.cached(rid);
    assertThat(built.isFresh()).isTrue();
    assertThat(built.reservedUpTo()).isEqualTo(4);
    assertThat(store.read(rid).record().ssnBound()).as("no reservation beyond the creation's").isEqualTo(4);

    // the captured request again: the window built with the copy refuses it
    Response replay = raw(captured);
    assertThat(replay.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
    assertThat(handled).hasValue(1);
    assertThat(OscoreEchoClient.get(client, base + "/hello").getCode()).isEqualTo(ResponseCode.CONTENT);
    assertThat(serverDb.builtOnFirstUse()).isEqualTo(1);
    assertThat(serverDb.cached(rid)).isSameAs(built);
  }

  @Test
  void crossingTheReservedBoundReservesFirstAndATakenOverCopyStops() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    OscoreContext serverCtx = OscoreContext.derive(new byte[16], new byte[0], new byte[] {1}, new byte[] {2}, null,
        io.edhoc.crypto.AeadAlgorithm.AES_CCM_16_64_128, io.edhoc.crypto.HashAlgorithm.SHA_256);
    StoreBackedCtxDB a = new StoreBackedCtxDB(store, 4, 32);
    new EdhocOscoreStackFactory(a, null).endpointBuilder(config); // no layer yet: stacks are built by endpoints
    StoredOSCoreCtx ctx = (StoredOSCoreCtx) new CaliforniumContexts(a).installServer(serverCtx);
    assertThat(ctx.reservedUpTo()).isEqualTo(4);
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (int i = 0; i < 10; i++) {
      int seq = ctx.getSenderSeq(); // what Californium puts in the Partial IV
      assertThat(seq).isLessThan((int) ctx.reservedUpTo());
      used.add(seq);
      ctx.increaseSenderSeq();
    }
    assertThat(store.read(new byte[] {2}).record().ssnBound()).isEqualTo(12);
    assertThat(a.ssnReservations()).isEqualTo(3);

    // another process loads it: starts at 12, and the first copy can no longer reserve
    StoreBackedCtxDB b = new StoreBackedCtxDB(store, 4, 32);
    StoredOSCoreCtx taken = (StoredOSCoreCtx) b.getContext(new byte[] {2});
    assertThat(taken.getSenderSeq()).isEqualTo(12);
    assertThat(taken.isFresh()).isFalse();
    assertThat(a.cached(new byte[] {2})).as("the first copy was dropped when the store changed holder").isNull();
    ctx.increaseSenderSeq(); // 10 -> 11, still inside its own range
    assertThatThrownBy(ctx::increaseSenderSeq).isInstanceOf(OSException.class); // 12 is not its to use
    for (int i = 0; i < 5; i++) {
      assertThat(used.add(taken.getSenderSeq())).isTrue();
      taken.increaseSenderSeq();
    }
  }
}
