package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
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
  }

  @Test
  @Timeout(60)
  void aSaturatedEngineIsAnswered503OnTheReceiveThreadWhileCaliforniumsExecutorIsHeld() throws Exception {
    CoapConfig.register();
    UdpConfig.register();
    Configuration cfg = Configuration.createStandardWithoutFile();
    cfg.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
    TokenGenerator tokens = new RandomTokenGenerator(cfg);
    InMemoryMessageExchangeStore exchanges = new InMemoryMessageExchangeStore("shed-test", cfg, tokens);
    exchanges.setDeduplicator(EdhocReplayCache.deduplicator(DeduplicatorFactory.getDeduplicatorFactory().createDeduplicator(cfg)));
    EdhocShedConnector connector = new EdhocShedConnector(new InetSocketAddress("127.0.0.1", 0), cfg);
    CoapEndpoint ep = new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(connector).setTokenGenerator(tokens)
        .setMessageExchangeStore(exchanges).build();
    server = new CoapServer(cfg);
    server.addEndpoint(ep);
    ResponderEngine engine = ResponderEngine.builder(f.responder).build();
    queue = new EngineQueue("shed-test", 1, 1);
    CountDownLatch workerHeld = new CountDownLatch(1);
    CountDownLatch executorHeld = new CountDownLatch(1);
    List<String> refused = new CopyOnWriteArrayList<>();
    EchoVerifier echo = EchoVerifier.random(Duration.ofSeconds(30));
    EdhocResource resource = EdhocResource.addTo(server, engine).engineQueue(queue, 7).replayCache(new EdhocReplayCache(1000, 45_000));
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
    connector.shedFor(resource, exchanges);
    server.start();
    serverAddress = new InetSocketAddress("127.0.0.1", ep.getAddress().getPort());
    socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    socket.setSoTimeout(20_000); // a safety net only: every assertion counts answers

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

    // a burst of message_1s (CON and NON) is answered 5.03 + Max-Age while nothing else moves
    List<Request> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(message1(i % 4 == 3 ? Type.NON : Type.CON, null));
    }
    burst.forEach(this::send);
    expectShed(burst);
    // requests the early path must leave to Californium: a message_1 the Echo check would
    // challenge, and a retransmission of B (pending in the replay cache); one with a valid Echo
    // (sent last) is shed, and it is the only answer while Californium is held
    resource.echoReachability(echo, () -> true); // as `auto` under this pressure
    Request noEcho = message1(Type.CON, null);
    Request withEcho = message1(Type.CON, echo.issue((InetSocketAddress) socket.getLocalSocketAddress()));
    send(noEcho);
    send(b);
    send(withEcho);
    expectShed(List.of(withEcho));
    assertThat(connector.shedBeforeExecutor()).isEqualTo(21);
    assertThat(queue.shedStarts()).isEqualTo(21);
    assertThat(refused).hasSize(21).containsOnly("overloaded");
    assertThat(executorHeld.getCount()).isZero(); // still held: none of these went through Californium

    // let Californium go: the challenged message_1 gets 4.01 + Echo there, B's copy is
    // deduplicated (no second answer), the held GET is answered; nothing more is shed early
    releaseExecutor.countDown();
    Response challenge = null;
    boolean holdAnswered = false;
    while (challenge == null || !holdAnswered) {
      Response r = receive();
      if (r.getToken().equals(noEcho.getToken())) {
        challenge = r;
      } else {
        assertThat(r.getToken()).isEqualTo(hold.getToken());
        holdAnswered = true;
      }
    }
    assertThat(challenge.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
    assertThat(challenge.getType()).isEqualTo(Type.ACK);
    assertThat(EchoOption.get(challenge.getOptions())).isNotNull();
    assertThat(refused).containsOnly("overloaded", "echo_required");

    // let the engine go: A and B are answered once each with message_2
    releaseWorker.countDown();
    List<Token> answered = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Response r = receive();
      assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
      answered.add(r.getToken());
    }
    assertThat(answered).containsExactlyInAnyOrder(a.getToken(), b.getToken());
    assertThat(connector.shedBeforeExecutor()).isEqualTo(21);
    assertThat(queue.shedStarts()).isEqualTo(21);
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
    Request r = Request.newPost();
    r.setType(type);
    r.getOptions().setUriPath(".well-known/edhoc");
    r.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
    if (echoValue != null) {
      EchoOption.set(r.getOptions(), echoValue);
    }
    r.setPayload(EdhocCoapClient.concat(new byte[] {(byte) 0xf5}, Edhoc.initiator(f.initiator).writeMessage1().message1()));
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
