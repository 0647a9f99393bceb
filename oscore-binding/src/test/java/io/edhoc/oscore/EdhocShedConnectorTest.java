package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.InMemoryMessageExchangeStore;
import org.eclipse.californium.core.network.RandomTokenGenerator;
import org.eclipse.californium.core.network.TokenGenerator;
import org.eclipse.californium.core.network.deduplication.DeduplicatorFactory;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The 5.03 of an overloaded EDHOC resource is decided before Californium's executor. Made
 * deterministic by holding everything: the only engine worker is held inside the engine, its queue
 * (capacity 1) holds a second message_1, and Californium's only protocol-stage thread is held in
 * another resource's handler. Whatever is answered in that state was answered by the connector;
 * whatever needs Californium waits until it is let go.
 */
class EdhocShedConnectorTest {
  private final Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
  private final UdpDataSerializer serializer = new UdpDataSerializer();
  private final UdpDataParser parser = new UdpDataParser();
  private final CountDownLatch releaseWorker = new CountDownLatch(1);
  private final CountDownLatch releaseExecutor = new CountDownLatch(1);
  private CoapServer server;
  private EngineQueue queue;
  private DatagramSocket socket;
  private InetSocketAddress serverAddress;
  private int nextMid = 100;
  private final List<CoapServer> servers = new ArrayList<>();
  private final List<EngineQueue> queues = new ArrayList<>();

  @AfterEach
  void stop() {
    releaseWorker.countDown();
    releaseExecutor.countDown();
    if (socket != null) {
      socket.close();
    }
    if (server != null) {
      server.destroy();
    }
    if (queue != null) {
      queue.close();
    }
    servers.forEach(CoapServer::destroy);
    queues.forEach(EngineQueue::close);
  }

  /** One EDHOC server as the service builds it; {@code early}: the connector answers for the resource. */
  private record Node(CoapServer server, EdhocShedConnector connector, InetSocketAddress address, List<String> refused) {}

  private Node node(boolean early, EchoVerifier echo) throws Exception {
    CoapConfig.register();
    UdpConfig.register();
    Configuration cfg = Configuration.createStandardWithoutFile();
    TokenGenerator tokens = new RandomTokenGenerator(cfg);
    InMemoryMessageExchangeStore exchanges = new InMemoryMessageExchangeStore("echo-test", cfg, tokens);
    exchanges.setDeduplicator(EdhocReplayCache.deduplicator(DeduplicatorFactory.getDeduplicatorFactory().createDeduplicator(cfg)));
    EdhocShedConnector connector = new EdhocShedConnector(new InetSocketAddress("127.0.0.1", 0), cfg);
    CoapEndpoint ep = new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(connector).setTokenGenerator(tokens)
        .setMessageExchangeStore(exchanges).build();
    CoapServer s = new CoapServer(cfg);
    servers.add(s);
    s.addEndpoint(ep);
    EngineQueue q = new EngineQueue("echo-test", 1, 4);
    queues.add(q);
    List<String> refused = new CopyOnWriteArrayList<>();
    EdhocResource resource = EdhocResource.addTo(s, ResponderEngine.builder(f.responder).build()).engineQueue(q, 7)
        .replayCache(new EdhocReplayCache(1000, 45_000)).echoReachability(echo, () -> true).hooks(new EdhocResource.Hooks() {
          @Override
          public void refused(EdhocResource.Incoming in, String reason) {
            refused.add(reason);
          }
        });
    if (early) {
      connector.shedFor(resource, exchanges);
    }
    s.start();
    return new Node(s, connector, new InetSocketAddress("127.0.0.1", ep.getAddress().getPort()), refused);
  }

  /**
   * The challenge the connector sends is the one the resource sends through Californium: the same
   * request (bytes, source address and port) to a server that answers early and to one that does
   * not, with the same Echo key and a fixed clock, gets the same datagram back; for a NON request
   * up to the Message ID, which each server draws from its own exchange store.
   */
  @Test
  @Timeout(60)
  void theEarlyChallengeIsByteForByteWhatTheLatePathSends() throws Exception {
    Clock fixed = Clock.fixed(Instant.now(), ZoneOffset.UTC);
    byte[] secret = new byte[32];
    java.util.Arrays.fill(secret, (byte) 7);
    EchoVerifier echo = EchoVerifier.fromSharedSecret(secret, Duration.ofSeconds(30), fixed);
    Node earlyNode = node(true, echo);
    Node lateNode = node(false, echo);
    socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    socket.setSoTimeout(20_000);
    byte[] stale = EchoVerifier.fromSharedSecret(secret, Duration.ofSeconds(30), Clock.fixed(Instant.now().minusSeconds(60), ZoneOffset.UTC))
        .issue((InetSocketAddress) socket.getLocalSocketAddress());
    List<Request> requests = List.of(message1(Type.CON, null), message1(Type.NON, null), message1(Type.CON, new byte[] {1, 2, 3}),
        message1(Type.CON, stale));
    for (Request req : requests) {
      byte[] bytes = serializer.getByteArray(req);
      byte[] fromEarly = exchange(bytes, earlyNode.address());
      byte[] fromLate = exchange(bytes, lateNode.address());
      Response r = (Response) parser.parseMessage(fromEarly);
      assertThat(r.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
      assertThat(r.getToken()).isEqualTo(req.getToken());
      if (req.getType() == Type.CON) {
        assertThat(fromEarly).as("CON: piggybacked ACK, identical").isEqualTo(fromLate);
      } else {
        assertThat(r.getType()).isEqualTo(Type.NON);
        fromEarly[2] = fromEarly[3] = fromLate[2] = fromLate[3] = 0; // the Message ID
        assertThat(fromEarly).as("NON: identical but for the Message ID").isEqualTo(fromLate);
      }
    }
    assertThat(earlyNode.connector().challengedBeforeExecutor()).isEqualTo(4);
    assertThat(lateNode.connector().challengedBeforeExecutor()).isZero();
    assertThat(earlyNode.refused()).containsExactly("echo_required", "echo_required", "echo_rejected", "echo_rejected");
    assertThat(lateNode.refused()).containsExactlyElementsOf(earlyNode.refused());
  }

  private byte[] exchange(byte[] request, InetSocketAddress to) throws Exception {
    socket.send(new DatagramPacket(request, request.length, to));
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    socket.receive(p);
    assertThat(p.getSocketAddress()).isEqualTo(to);
    return java.util.Arrays.copyOf(p.getData(), p.getLength());
  }

  @Test
  @Timeout(60)
  void underPressureShedsAndEchoChallengesAreAnsweredOnTheReceiveThreadWhileCaliforniumsExecutorIsHeld() throws Exception {
    Held h = held(1, false);
    EdhocShedConnector connector = h.connector();
    EdhocResource resource = h.resource();
    java.util.concurrent.atomic.AtomicInteger viaSenderThread = h.viaSenderThread();
    CountDownLatch workerHeld = h.workerHeld();
    CountDownLatch executorHeld = h.executorHeld();
    List<String> refused = h.refused();
    EchoVerifier echo = EchoVerifier.random(Duration.ofSeconds(30));

    // the worker is held inside the engine (A), the queue of one is full (B)
    Request a = message1(Type.CON, null);
    send(a);
    assertThat(workerHeld.await(20, TimeUnit.SECONDS)).isTrue();
    Request b = message1(Type.CON, null);
    send(b);
    while (queue.waiting() < 1) {
      Thread.sleep(5);
    }
    // Californium's only protocol-stage thread is held
    Request hold = Request.newGet();
    hold.setType(Type.CON);
    hold.getOptions().setUriPath("hold");
    send(prepare(hold));
    assertThat(executorHeld.await(20, TimeUnit.SECONDS)).isTrue();

    int queuedForSenderBefore = viaSenderThread.get();
    // a burst of message_1s (CON and NON) is answered 5.03 + Max-Age while nothing else moves
    List<Request> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(message1(i % 4 == 3 ? Type.NON : Type.CON, null));
    }
    burst.forEach(this::send);
    expectShed(burst);
    // the Echo check applies now (as `auto` under this pressure): message_1s without a valid Echo
    // (none, CON and NON; a forged one) are challenged here, one with a valid Echo is shed; a
    // retransmission of B (pending in the replay cache) and a message_3 (never challenged, and
    // room for continuations) wait for Californium
    resource.echoReachability(echo, () -> true);
    InetSocketAddress me = (InetSocketAddress) socket.getLocalSocketAddress();
    Request noEcho = message1(Type.CON, null);
    Request noEchoNon = message1(Type.NON, null);
    Request forged = message1(Type.CON, new byte[EchoVerifier.VALUE_LENGTH]);
    Request withEcho = message1(Type.CON, echo.issue(me));
    Request m3 = post(Type.CON, new byte[] {0x05, 0x43, 1, 2, 3}); // C_R 5 || a bstr: message_3 framing
    send(noEcho);
    send(noEchoNon);
    send(forged);
    send(b);
    send(m3);
    send(withEcho);
    List<Request> early = List.of(noEcho, noEchoNon, forged, withEcho);
    for (int i = 0; i < early.size(); i++) {
      Response r = receive();
      Request req = early.stream().filter(q -> q.getToken().equals(r.getToken())).findFirst().orElseThrow();
      if (req == withEcho) {
        assertThat(r.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
        assertThat(r.getOptions().getMaxAge()).isEqualTo(7L);
      } else {
        assertThat(r.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(echo.verify(EchoOption.get(r.getOptions()), me)).as("a fresh Echo value for this source").isTrue();
      }
      if (req.getType() == Type.CON) {
        assertThat(r.getType()).isEqualTo(Type.ACK);
        assertThat(r.getMID()).isEqualTo(req.getMID());
      } else {
        assertThat(r.getType()).isEqualTo(Type.NON);
      }
    }
    assertThat(connector.challengedBeforeExecutor()).isEqualTo(3);
    assertThat(connector.shedBeforeExecutor()).isEqualTo(21);
    assertThat(queue.shedStarts()).isEqualTo(21);
    assertThat(refused).hasSize(24).containsOnly("overloaded", "echo_required", "echo_rejected");
    assertThat(refused.stream().filter("echo_required"::equals)).hasSize(2);
    assertThat(refused.stream().filter("echo_rejected"::equals)).hasSize(1);
    assertThat(executorHeld.getCount()).isZero(); // still held: none of these went through Californium
    // and none through its sender thread: the receive thread sent all 24 answers itself
    assertThat(viaSenderThread.get()).isEqualTo(queuedForSenderBefore);

    // let Californium go: B's copy is deduplicated (no second answer), the message_3 is queued for
    // the engine, the held GET is answered; nothing is shed or challenged late
    releaseExecutor.countDown();
    Response holdAnswer = receive();
    assertThat(holdAnswer.getToken()).isEqualTo(hold.getToken());
    assertThat(holdAnswer.getCode()).isEqualTo(ResponseCode.CONTENT);
    // the one protocol thread takes B's copy before the message_3: once the message_3 waits in
    // the engine queue, the copy has met B pending. Releasing the engine earlier lets B finish
    // first, and the copy then rightly gets B's message_2 again (a second answer this test
    // does not expect)
    while (queue.waiting() < 2) {
      Thread.sleep(5);
    }

    // let the engine go: A and B are answered once each with message_2, the message_3 with 4.00
    releaseWorker.countDown();
    List<Token> answered = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Response r = receive();
      if (r.getToken().equals(m3.getToken())) {
        assertThat(r.getCode()).isEqualTo(ResponseCode.BAD_REQUEST); // unknown C_R, but not challenged
      } else {
        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
      }
      answered.add(r.getToken());
    }
    assertThat(answered).containsExactlyInAnyOrder(a.getToken(), b.getToken(), m3.getToken());
    assertThat(connector.shedBeforeExecutor()).isEqualTo(21);
    assertThat(connector.challengedBeforeExecutor()).isEqualTo(3);
    assertThat(queue.shedStarts()).isEqualTo(21);
    assertThat(refused).hasSize(24);
  }

  /**
   * What waits in Californium's executor counts as waiting in the engine queue: with one engine
   * place left free by the requests already let through, the next message_1 is refused on the
   * receive thread at once, instead of being let through and refused after the executor (where,
   * under overload, 42-44 % of the refusals were decided, and the refusals' tail with them).
   */
  @Test
  @Timeout(60)
  void workQueuedInCaliforniumsExecutorCountsAsWaitingForTheEarlyRefusal() throws Exception {
    Held h = held(2, true);
    EdhocShedConnector connector = h.connector();
    CountingExecutor protocolStage = h.protocolStage();
    CountDownLatch workerHeld = h.workerHeld();
    CountDownLatch executorHeld = h.executorHeld();

    // the one worker is held inside the engine (A); the queue (two places) is empty
    Request a = message1(Type.CON, null);
    send(a);
    assertThat(workerHeld.await(20, TimeUnit.SECONDS)).isTrue();
    // Californium's only protocol thread is held (its task has started: not counted)
    Request hold = Request.newGet();
    hold.setType(Type.CON);
    hold.getOptions().setUriPath("hold");
    send(prepare(hold));
    assertThat(executorHeld.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(protocolStage.waiting()).isZero();
    // B and C find the queue empty and nothing ahead of them: let through, they wait in the executor
    Request b = message1(Type.CON, null);
    Request c = message1(Type.CON, null);
    send(b);
    send(c);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (protocolStage.waiting() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(protocolStage.waiting()).isEqualTo(2);
    assertThat(queue.waiting()).isZero();
    // D: the engine queue is empty, but B and C will take its two places: refused here, at once
    Request d = message1(Type.NON, null);
    send(d);
    expectShed(List.of(d));
    assertThat(connector.shedBeforeExecutor()).isEqualTo(1);
    assertThat(executorHeld.getCount()).isZero(); // Californium still held: decided on the receive thread

    // Californium goes: B and C take the two places, nothing is refused late
    releaseExecutor.countDown();
    assertThat(receive().getToken()).isEqualTo(hold.getToken());
    while (queue.waiting() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(queue.waiting()).isEqualTo(2);
    assertThat(queue.shedStarts()).as("only D, on the receive thread").isEqualTo(1);
    // the engine goes: A, B and C get their message_2
    releaseWorker.countDown();
    List<Token> answered = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Response r = receive();
      assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
      answered.add(r.getToken());
    }
    assertThat(answered).containsExactlyInAnyOrder(a.getToken(), b.getToken(), c.getToken());
    assertThat(protocolStage.waiting()).isZero();
  }

  /** A server as the service builds it, whose engine worker and protocol thread tests can hold. */
  private record Held(EdhocShedConnector connector, EdhocResource resource, CountingExecutor protocolStage,
      java.util.concurrent.atomic.AtomicInteger viaSenderThread, CountDownLatch workerHeld, CountDownLatch executorHeld,
      List<String> refused) {}

  /**
   * Starts {@link #server} with one engine worker that waits for {@link #releaseWorker}, an engine
   * queue of {@code capacity}, Californium's protocol stage of one thread (counted; the connector
   * counts it as waiting when {@code countAhead}) and a GET /hold that holds that thread until
   * {@link #releaseExecutor}; opens {@link #socket}.
   */
  private Held held(int capacity, boolean countAhead) throws Exception {
    CoapConfig.register();
    UdpConfig.register();
    Configuration cfg = Configuration.createStandardWithoutFile();
    cfg.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
    TokenGenerator tokens = new RandomTokenGenerator(cfg);
    InMemoryMessageExchangeStore exchanges = new InMemoryMessageExchangeStore("shed-test", cfg, tokens);
    exchanges.setDeduplicator(EdhocReplayCache.deduplicator(DeduplicatorFactory.getDeduplicatorFactory().createDeduplicator(cfg)));
    java.util.concurrent.atomic.AtomicInteger viaSenderThread = new java.util.concurrent.atomic.AtomicInteger();
    EdhocShedConnector connector = new EdhocShedConnector(new InetSocketAddress("127.0.0.1", 0), cfg) {
      @Override
      public void send(org.eclipse.californium.elements.RawData msg) {
        viaSenderThread.incrementAndGet(); // Californium's path: queued for its sender thread
        super.send(msg);
      }
    };
    CoapEndpoint ep = new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(connector).setTokenGenerator(tokens)
        .setMessageExchangeStore(exchanges).build();
    server = new CoapServer(cfg);
    CountingExecutor protocolStage = CountingExecutor.installOn(server, cfg);
    server.addEndpoint(ep);
    queue = new EngineQueue("shed-test", 1, capacity);
    CountDownLatch workerHeld = new CountDownLatch(1);
    CountDownLatch executorHeld = new CountDownLatch(1);
    List<String> refused = new CopyOnWriteArrayList<>();
    EdhocResource resource = EdhocResource.addTo(server, ResponderEngine.builder(f.responder).build()).engineQueue(queue, 7)
        .replayCache(new EdhocReplayCache(1000, 45_000));
    resource.hooks(new EdhocResource.Hooks() {
      @Override
      public ResponderEngine.Result process(EdhocResource.Incoming in, ResponderEngine e) {
        workerHeld.countDown();
        try {
          releaseWorker.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException x) {
          Thread.currentThread().interrupt();
        }
        return e.handle(in.body(), in.origin());
      }

      @Override
      public void refused(EdhocResource.Incoming in, String reason) {
        refused.add(reason);
      }
    });
    server.add(new CoapResource("hold") {
      @Override
      public void handleGET(CoapExchange exchange) {
        executorHeld.countDown();
        try {
          releaseExecutor.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException x) {
          Thread.currentThread().interrupt();
        }
        exchange.respond(ResponseCode.CONTENT);
      }
    });
    if (countAhead) {
      connector.shedFor(resource, exchanges, protocolStage);
    } else {
      connector.shedFor(resource, exchanges);
    }
    server.start();
    serverAddress = new InetSocketAddress("127.0.0.1", ep.getAddress().getPort());
    socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    socket.setSoTimeout(20_000); // a safety net only: every assertion counts answers
    return new Held(connector, resource, protocolStage, viaSenderThread, workerHeld, executorHeld, refused);
  }

  private void expectShed(List<Request> sent) throws Exception {
    for (int i = 0; i < sent.size(); i++) {
      Response r = receive();
      Request req = sent.stream().filter(q -> q.getToken().equals(r.getToken())).findFirst().orElseThrow();
      assertThat(r.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(r.getOptions().getMaxAge()).isEqualTo(7L);
      if (req.getType() == Type.CON) {
        assertThat(r.getType()).isEqualTo(Type.ACK); // piggybacked, with the request's MID
        assertThat(r.getMID()).isEqualTo(req.getMID());
      } else {
        assertThat(r.getType()).isEqualTo(Type.NON);
      }
    }
  }

  private Request message1(Type type, byte[] echoValue) throws Exception {
    Request r = post(type, EdhocCoapClient.concat(new byte[] {(byte) 0xf5}, Edhoc.initiator(f.initiator).writeMessage1().message1()));
    if (echoValue != null) {
      EchoOption.set(r.getOptions(), echoValue);
    }
    return r;
  }

  private Request post(Type type, byte[] body) {
    Request r = Request.newPost();
    r.setType(type);
    r.getOptions().setUriPath(".well-known/edhoc");
    r.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
    r.setPayload(body);
    return prepare(r);
  }

  private Request prepare(Request r) {
    int mid = nextMid++;
    r.setMID(mid);
    r.setToken(new Token(new byte[] {(byte) (mid >> 8), (byte) mid, 0x5e}));
    r.setDestinationContext(new AddressEndpointContext(serverAddress == null ? new InetSocketAddress("127.0.0.1", 1) : serverAddress));
    return r;
  }

  private void send(Request r) {
    byte[] bytes = serializer.getByteArray(r);
    try {
      socket.send(new DatagramPacket(bytes, bytes.length, serverAddress));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Response receive() throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    socket.receive(p);
    byte[] bytes = java.util.Arrays.copyOf(p.getData(), p.getLength());
    return (Response) parser.parseMessage(bytes);
  }
}
