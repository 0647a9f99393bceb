package io.edhoc.service.coap;

import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.CountingExecutor;
import io.edhoc.oscore.EchoVerifier;
import io.edhoc.oscore.EdhocResource;
import io.edhoc.oscore.EdhocReplayCache;
import io.edhoc.oscore.EdhocShedConnector;
import io.edhoc.oscore.EngineQueue;
import org.eclipse.californium.core.network.InMemoryMessageExchangeStore;
import org.eclipse.californium.core.network.RandomTokenGenerator;
import org.eclipse.californium.core.network.TokenGenerator;
import org.eclipse.californium.core.network.deduplication.DeduplicatorFactory;
import io.edhoc.oscore.ResponderEngine;
import io.edhoc.service.EdhocEndpoint;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import org.eclipse.californium.oscore.OSCoreResource;

/**
 * CoAP over UDP (Californium) in the service process: the binding's {@link EdhocResource} as
 * {@code /.well-known/edhoc} and the example OSCORE-protected resource ({@code /hello} by
 * default), on one endpoint whose stack (the binding's, with RFC 9668 combined requests)
 * unprotects OSCORE requests with the contexts EDHOC established ({@link CaliforniumContexts}).
 * The resource's hooks put the shared {@link EdhocEndpoint} (rate limit, metrics, listeners) in
 * front of the engine; its body limit answers 4.13 with Size1; with {@code echo} non-null it runs
 * the RFC 9175 Echo reachability check on message_1. Californium runs requests on its own
 * executor, not on a Vert.x event loop.
 */
public final class CoapTransport implements AutoCloseable {
  private final CoapServer server;
  private final CoapEndpoint endpoint;
  private final EdhocResource resource;
  private final EdhocReplayCache replay;
  private final EdhocShedConnector connector;

  public CoapTransport(String host, int port, EdhocEndpoint edhoc, CaliforniumContexts contexts, int maxBody, EchoVerifier echo,
      String helloPath) {
    this(host, port, edhoc, contexts, maxBody, echo, helloPath, null, 1, 100_000, 1);
  }

  /**
   * With {@code queue}: the engine runs on the queue's workers, and a request that finds it full
   * gets 5.03 with Max-Age {@code shedMaxAge} at once (counted as shed). {@code replayEntries}
   * bounds the EDHOC deduplication cache ({@link EdhocReplayCache}). {@code receiverThreads}
   * threads receive on the socket and answer the early refusals ({@link EdhocShedConnector}).
   */
  public CoapTransport(String host, int port, EdhocEndpoint edhoc, CaliforniumContexts contexts, int maxBody, EchoVerifier echo,
      String helloPath, EngineQueue queue, int shedMaxAge, int replayEntries, int receiverThreads) {
    if (receiverThreads < 1) {
      throw new IllegalArgumentException("at least one receiver thread");
    }
    Configuration cfg = configuration();
    cfg.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, receiverThreads); // read by the connector below
    // a block-wise (Block1) transfer is reassembled by Californium up to this size (then 4.13 from
    // Californium); below it the resource's limit answers (4.13 + Size1, counted as too_large)
    cfg.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, Math.max(maxBody, cfg.get(CoapConfig.MAX_RESOURCE_BODY_SIZE)));
    // EDHOC requests are deduplicated by the resource in a few hundred bytes each, not by
    // Californium's exchange retention (about 4 KiB each for 247 s); others as before
    TokenGenerator tokens = new RandomTokenGenerator(cfg);
    InMemoryMessageExchangeStore exchanges = new InMemoryMessageExchangeStore("edhoc", cfg, tokens);
    exchanges.setDeduplicator(EdhocReplayCache.deduplicator(DeduplicatorFactory.getDeduplicatorFactory().createDeduplicator(cfg)));
    this.replay = new EdhocReplayCache(replayEntries, retransmitSpanMillis(cfg));
    // the 5.03 and 4.01 + Echo decisions under pressure on the UDP receive thread, before
    // Californium's (unbounded) executor queue
    EdhocShedConnector connector = new EdhocShedConnector(new InetSocketAddress(host, port), cfg);
    // the binding's stack: OSCORE plus the RFC 9668 EDHOC option layer (combined requests go to the engine)
    this.endpoint = new EdhocOscoreStackFactory(contexts.db(), edhoc.engine()).onCombinedResult(edhoc::combinedResult).endpointBuilder(cfg)
        .setConnector(connector)
        .setTokenGenerator(tokens)
        .setMessageExchangeStore(exchanges)
        .build();
    this.server = new CoapServer(cfg);
    // Californium's own executors, the protocol stage counted: the receive threads count the
    // datagrams they let through and still queued there as already waiting in the engine queue
    // when they decide a 5.03
    CountingExecutor protocolStage = CountingExecutor.installOn(server, cfg);
    server.addEndpoint(endpoint);
    CoapResource wellKnown = new CoapResource(".well-known");
    wellKnown.setVisible(false);
    EdhocResource resource = new EdhocResource(edhoc.engine()).maxBodySize(maxBody).hooks(new EndpointHooks(edhoc)).echoReachability(echo)
        .engineQueue(queue, shedMaxAge).replayCache(replay);
    this.resource = resource;
    connector.shedFor(resource, exchanges, protocolStage);
    this.connector = connector;
    resource.getAttributes().setTitle("EDHOC (RFC 9528)");
    wellKnown.add(resource);
    server.add(wellKnown);
    if (helloPath != null && !helloPath.isEmpty()) {
      server.add(new HelloResource(helloPath));
    }
  }

  /**
   * The largest UDP payload (IPv4: 65535 - 20 - 8). Californium's UDP connector drops a datagram
   * larger than {@link UdpConfig#UDP_DATAGRAM_SIZE} (default 2048) before parsing it, with a debug
   * log only, so a body of about 2 KiB and more got no answer at all. With the receive buffer at
   * the UDP maximum every datagram arrives whole and an oversized body gets 4.13 with Size1 from
   * the resource. Cost: one buffer of this size per receiver thread (not per message: a received
   * message is copied out at its own length).
   */
  public static final int MAX_UDP_PAYLOAD = 65_507;

  /**
   * The UDP socket's receive buffer (SO_RCVBUF; Linux caps it at net.core.rmem_max, often 208 KiB
   * by default). Under overload the receive thread answers 5.03 in microseconds, but it shares the
   * cores with the engine workers: a burst that arrives while it waits for a core overflowed the
   * default buffer, and a dropped CON costs its client a 2-3 s retransmission instead of a 5.03
   * (docs/performance.md, overload table). 1 MiB holds about 8,000 message_1s: milliseconds of
   * queue at the rates a receive thread drains, not a backlog of seconds.
   */
  public static final int RECEIVE_BUFFER_BYTES = 1 << 20;

  /** Californium configuration without writing Californium3.properties into the working directory. */
  public static synchronized Configuration configuration() {
    CoapConfig.register();
    UdpConfig.register();
    Configuration cfg = Configuration.createStandardWithoutFile();
    cfg.set(UdpConfig.UDP_DATAGRAM_SIZE, MAX_UDP_PAYLOAD);
    cfg.set(UdpConfig.UDP_RECEIVE_BUFFER_SIZE, RECEIVE_BUFFER_BYTES);
    Configuration.setStandard(cfg);
    return cfg;
  }

  /**
   * Starts the server. A UDP port in use is a {@link java.net.BindException} (checked by binding it
   * once first: Californium itself would only log a stack trace and go on without the endpoint).
   */
  public void start() throws java.io.IOException {
    InetSocketAddress address = endpoint.getAddress();
    if (address.getPort() != 0) {
      try (java.net.DatagramSocket probe = new java.net.DatagramSocket(address)) {
        probe.close();
      } catch (java.net.SocketException e) {
        java.net.BindException b = new java.net.BindException("UDP " + address.getHostString() + ":" + address.getPort() + ": " + e.getMessage());
        b.initCause(e);
        throw b;
      }
    }
    server.start();
  }

  /**
   * MAX_TRANSMIT_SPAN of RFC 7252 (section 4.8.2) for this configuration: the time within which a
   * client retransmits a confirmable request (45 s with the defaults).
   */
  static long retransmitSpanMillis(Configuration cfg) {
    long ack = cfg.get(CoapConfig.ACK_TIMEOUT, java.util.concurrent.TimeUnit.MILLISECONDS);
    int retransmit = cfg.get(CoapConfig.MAX_RETRANSMIT);
    float random = cfg.get(CoapConfig.ACK_INIT_RANDOM);
    return Math.max(1000, (long) (ack * ((1L << retransmit) - 1) * random));
  }

  /** The compact deduplication cache of EDHOC requests. */
  public EdhocReplayCache replayCache() {
    return replay;
  }

  /** Requests answered 5.03 on the receive thread, before Californium's executor. */
  public long shedBeforeExecutor() {
    return connector.shedBeforeExecutor();
  }

  /** message_1 answered 4.01 + Echo on the receive thread, before Californium's executor. */
  public long challengedBeforeExecutor() {
    return connector.challengedBeforeExecutor();
  }

  /** The EDHOC resource (for its settings). */
  public EdhocResource resource() {
    return resource;
  }

  /** The bound UDP port (after start). */
  public int port() {
    return endpoint.getAddress().getPort();
  }

  @Override
  public void close() {
    server.destroy();
  }

  /** The shared endpoint in front of the engine: empty bodies (4.00), the per-source rate (4.29), metrics. */
  static final class EndpointHooks implements EdhocResource.Hooks {
    private final EdhocEndpoint endpoint;

    EndpointHooks(EdhocEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public EdhocResource.Refusal admit(EdhocResource.Incoming in) {
      if (in.body().length == 0) { // the service does not run the reverse flow
        endpoint.refused(in.transport(), "empty_body");
        return EdhocResource.Refusal.of(ResponseCode.BAD_REQUEST);
      }
      if (!endpoint.admit(in.transport(), source(in), in.body())) {
        return new EdhocResource.Refusal(ResponseCode.TOO_MANY_REQUESTS, 1);
      }
      return null;
    }

    @Override
    public ResponderEngine.Result process(EdhocResource.Incoming in, ResponderEngine engine) {
      return endpoint.process(in.transport(), source(in), in.body()); // the endpoint's engine is the resource's
    }

    @Override
    public void refused(EdhocResource.Incoming in, String reason) {
      if (reason.equals("overloaded")) {
        endpoint.shed(in.transport(), in.body());
        return;
      }
      endpoint.refused(in.transport(), reason);
    }

    private static String source(EdhocResource.Incoming in) {
      return in.source() == null ? "" : in.source().getAddress().getHostAddress();
    }
  }

  /** The example resource: answers GET only through OSCORE (4.01 without it). */
  static final class HelloResource extends OSCoreResource {
    HelloResource(String name) {
      super(name, true);
      getAttributes().setTitle("Hello, over OSCORE keyed by EDHOC");
    }

    @Override
    public void handleGET(CoapExchange ex) {
      ex.respond(ResponseCode.CONTENT, "Hello from the EDHOC service, over OSCORE".getBytes(StandardCharsets.UTF_8),
          MediaTypeRegistry.TEXT_PLAIN);
    }
  }
}
