package io.edhoc.service;

import io.edhoc.EdhocSession;
import io.edhoc.oscore.OscoreContext;
import io.edhoc.oscore.ResponderEngine;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both transports call: rate limit, the {@link ResponderEngine}, metrics and the
 * established-session listeners. Transports only frame, check media types and sizes, and map
 * {@link ResponderEngine.Status} to their codes. Never logs message contents or state.
 */
public final class EdhocEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(EdhocEndpoint.class);
  /** The switchable one-line-per-handshake log ({@code log.handshakes}). */
  static final Logger HANDSHAKES = LoggerFactory.getLogger("io.edhoc.service.handshake");
  private static final byte CBOR_TRUE = (byte) 0xf5;

  /** What a completed handshake tells the application; no key material. */
  public record Established(String transport, String source, byte[] connectionIdI, byte[] connectionIdR, int method, int suite,
      String peer) {}

  /** In-process listener: gets the public facts and, during the call, the session and OSCORE context. */
  @FunctionalInterface
  public interface Listener {
    void established(Established info, EdhocSession session, OscoreContext context) throws Exception;
  }

  private final ResponderEngine engine;
  private final ServiceMetrics metrics;
  private final RateLimiter limiter;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Timer engineTimer;

  /** Per-step engine time, for the event-loop measurement. */
  public interface Timer {
    void record(String step, long nanos);
  }

  public EdhocEndpoint(ResponderEngine engine, ServiceMetrics metrics, RateLimiter limiter) {
    this.engine = engine;
    this.metrics = metrics;
    this.limiter = limiter;
    this.engineTimer = (step, nanos) -> io.micrometer.core.instrument.Timer.builder("edhoc.engine.step")
        .description("time spent in the EDHOC engine per request (crypto included)").tag("step", step)
        .publishPercentiles(0.5, 0.99).register(metrics.registry()).record(Duration.ofNanos(nanos));
  }

  public ResponderEngine engine() {
    return engine;
  }

  private volatile boolean handshakeLog;

  /** Switches the one-line-per-handshake log on or off (config {@code log.handshakes}). */
  public void logHandshakes(boolean on) {
    this.handshakeLog = on;
  }

  public void addListener(Listener l) {
    listeners.add(l);
  }

  public void removeListener(Listener l) {
    listeners.remove(l);
  }

  /** True if the body starts a handshake (A.2 {@code true} prefix). */
  public static boolean isMessage1(byte[] body) {
    return body.length > 0 && body[0] == CBOR_TRUE;
  }

  /** Applies the per-source limit to handshake starts; counts a refusal. */
  public boolean admit(String transport, String source, byte[] body) {
    if (isMessage1(body) && !limiter.tryAcquire(source)) {
      metrics.failed(transport, "rate_limited");
      if (handshakeLog) {
        String[] ms = methodAndSuite(body);
        HANDSHAKES.info("transport={} peer={} method={} suite={} outcome=refused reason=rate_limited", transport, source, ms[0], ms[1]);
      }
      return false;
    }
    return true;
  }

  /**
   * Counts a request refused by the transport before the engine (media type, size, method). The
   * Echo reachability challenges (CoAP 4.01, reasons {@code echo_required} / {@code echo_rejected})
   * are part of a normal handshake and go to their own counter, not to the failures.
   */
  public void refused(String transport, String reason) {
    if (reason.startsWith("echo_")) {
      metrics.echoChallenge(transport, reason);
    } else {
      metrics.failed(transport, reason);
    }
  }

  /** Counts a request answered 5.03 / 503 at once because the transport's engine queue was full. */
  public void shed(String transport, byte[] body) {
    metrics.shed(transport, isMessage1(body) ? "message_1" : "other");
  }

  /** Runs the engine on the calling thread (a worker, or Californium's executor). */
  public ResponderEngine.Result process(String transport, String source, byte[] body) {
    long t0 = System.nanoTime();
    ResponderEngine.Result r = engine.handle(body, new ResponderEngine.Origin(transport, source));
    engineTimer.record(r.step().name().toLowerCase(Locale.ROOT), System.nanoTime() - t0);
    switch (r.status()) {
      case OK:
        if (r.step() == ResponderEngine.Step.MESSAGE_1) {
          metrics.started(transport);
        } else if (r.completed()) {
          r.session().close(); // counted and announced by the engine listener already
        } else if (r.step() == ResponderEngine.Step.PEER_ERROR) {
          metrics.failed(transport, "peer_error");
        }
        break;
      case UNKNOWN_SESSION:
        metrics.failed(transport, "unknown_c_r");
        break;
      case CLIENT_ERROR:
        if (r.step() == ResponderEngine.Step.MESSAGE_1 && r.failure() == io.edhoc.Failure.WRONG_SELECTED_SUITE) {
          metrics.negotiated(transport); // ERR_CODE 2: negotiation, the initiator retries
          break;
        }
        metrics.failed(transport, reason(r));
        LOG.debug("{} from {}: {} {}", transport, source, r.status(), r.diagnostic());
        break;
      default:
        metrics.failed(transport, reason(r));
        LOG.debug("{} from {}: {} {}", transport, source, r.status(), r.diagnostic());
    }
    if (handshakeLog) {
      logOutcome(transport, source, body, r, System.nanoTime() - t0);
    }
    return r;
  }

  /**
   * The handshake line for a request that ended a handshake without completing it (completions are
   * logged by the engine listener, with the peer credential). A message_1 that got message_2 ends
   * nothing: no line.
   */
  private void logOutcome(String transport, String source, byte[] body, ResponderEngine.Result r, long nanos) {
    String outcome;
    if (r.status() == ResponderEngine.Status.OK) {
      if (r.step() != ResponderEngine.Step.PEER_ERROR) {
        return;
      }
      outcome = "aborted_by_peer";
    } else if (r.step() == ResponderEngine.Step.MESSAGE_1 && r.failure() == io.edhoc.Failure.WRONG_SELECTED_SUITE) {
      outcome = "negotiated"; // ERR_CODE 2 with the suites offered: the initiator retries
    } else {
      outcome = "failed";
    }
    String[] ms = r.step() == ResponderEngine.Step.MESSAGE_1 ? methodAndSuite(body) : new String[] {"-", "-"};
    String reason = r.status() == ResponderEngine.Status.UNKNOWN_SESSION ? "unknown_c_r" : reason(r);
    HANDSHAKES.info("transport={} peer={} method={} suite={} outcome={} step={} reason={} duration_ms={} detail=\"{}\"", transport, source,
        ms[0], ms[1], outcome, r.step().name().toLowerCase(Locale.ROOT), reason, nanos / 1_000_000,
        r.diagnostic() == null ? "" : r.diagnostic().replace('"', '\''));
  }

  /** METHOD and the selected suite (the last of SUITES_I) of {@code true || message_1}, or "-". */
  static String[] methodAndSuite(byte[] body) {
    try {
      io.edhoc.cbor.CborReader rd = new io.edhoc.cbor.CborReader(java.util.Arrays.copyOfRange(body, 1, body.length));
      long method = rd.readInt();
      long suite;
      if (rd.peekType() == io.edhoc.cbor.CborType.ARRAY) {
        int n = rd.readArrayHeader();
        suite = -1;
        for (int i = 0; i < n; i++) {
          suite = rd.readInt();
        }
      } else {
        suite = rd.readInt();
      }
      return new String[] {Long.toString(method), Long.toString(suite)};
    } catch (io.edhoc.cbor.CborException | RuntimeException e) {
      return new String[] {"-", "-"};
    }
  }

  /**
   * The result of an RFC 9668 combined request (the CoAP stack hands those to the engine
   * directly): a failure is counted like one through {@link #process}, under transport
   * "coap+oscore"; a completion is counted by {@link #engineListener()}.
   */
  public void combinedResult(ResponderEngine.Result r) {
    if (r.completed()) {
      return;
    }
    if (r.status() == ResponderEngine.Status.UNKNOWN_SESSION) {
      metrics.failed(COMBINED, "unknown_c_r");
    } else if (r.status() != ResponderEngine.Status.OK) {
      metrics.failed(COMBINED, reason(r));
      LOG.debug("{}: {} {}", COMBINED, r.status(), r.diagnostic());
    }
  }

  /** The transport name of RFC 9668 combined requests in metrics and events. */
  static final String COMBINED = io.edhoc.oscore.EdhocCombinedLayer.TRANSPORT;

  /**
   * The engine listener (registered after the OSCORE context installer): counts the completion and
   * tells the application. Runs for every completion, including RFC 9668 combined requests that
   * the CoAP stack hands to the engine directly (transport "coap+oscore").
   */
  public ResponderEngine.EstablishedListener engineListener() {
    return new ResponderEngine.EstablishedListener() {
      @Override
      public void established(EdhocSession session, OscoreContext ctx) {
        established(session, ctx, new ResponderEngine.Completion(ResponderEngine.Origin.UNKNOWN, -1));
      }

      @Override
      public void established(EdhocSession session, OscoreContext ctx, ResponderEngine.Completion c) {
        // what the request carried, handed over by the engine (no thread-local: the engine may
        // run on any thread, and combined requests reach it from the CoAP stack directly)
        String transport = c.origin().transport().isEmpty() ? "unknown" : c.origin().transport();
        long startMillis = c.startedAtMillis();
        Duration took = startMillis > 0 ? Duration.ofMillis(Math.max(0, System.currentTimeMillis() - startMillis)) : null;
        metrics.completed(transport, session.method().id(), session.suite().id(), took);
        if (handshakeLog) {
          HANDSHAKES.info("transport={} peer={} method={} suite={} peer_credential=\"{}\" outcome=completed duration_ms={}", transport,
              c.origin().source().isEmpty() ? "-" : c.origin().source(), session.method().id(), session.suite().id(),
              session.describePeer().replace('"', '\''), took == null ? "-" : Long.toString(took.toMillis()));
        }
        notifyListeners(transport, c.origin().source(), session, ctx);
      }
    };
  }

  private static String reason(ResponderEngine.Result r) {
    if (r.step() == ResponderEngine.Step.MESSAGE_1 && r.status() == ResponderEngine.Status.SERVER_ERROR && r.diagnostic() != null
        && r.diagnostic().startsWith("session store refused")) {
      return "store_full";
    }
    return r.failure() == null ? "unspecified" : r.failure().name().toLowerCase(Locale.ROOT);
  }

  private void notifyListeners(String transport, String source, EdhocSession s, OscoreContext ctx) {
    Established info = new Established(transport, source, s.connectionIdI(), s.connectionIdR(), s.method().id(), s.suite().id(),
        s.describePeer());
    for (Listener l : listeners) {
      try {
        l.established(info, s, ctx);
      } catch (Exception e) {
        LOG.warn("established-session listener failed: {}", e.toString());
      }
    }
  }
}
