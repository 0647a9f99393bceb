package io.edhoc.oscore;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EDHOC resource {@code /.well-known/edhoc} of RFC 9528 Appendix A.2, a thin CoAP adapter over
 * a {@link ResponderEngine}. A POST goes through these steps, in this order:
 *
 * <ol>
 *   <li>request Content-Format 65 (application/cid-edhoc+cbor-seq) or none (aiocoap sends none),
 *       anything else 4.15 (reason {@code bad_media_type});
 *   <li>with {@link #maxBodySize(int)}: a larger payload gets 4.13 with Size1 = the limit (reason
 *       {@code too_large});
 *   <li>with {@link #echoReachability(EchoVerifier)}: a message_1 request (payload starting with
 *       CBOR {@code true}, 0xf5) without a valid Echo option gets 4.01 with a fresh Echo option
 *       (RFC 9175; reasons {@code echo_required} when absent, {@code echo_rejected} when invalid or
 *       expired); nothing is stored and the engine is not called. message_3 and other requests are
 *       never challenged: the handshake has proved reachability by then;
 *   <li>{@link Hooks#admit}: the application may refuse (e.g. 4.29 for a rate limit);
 *   <li>with {@link #engineQueue(EngineQueue, int)}: the request is queued for the engine's
 *       workers, or, when the queue is full, answered at once with 5.03 and Max-Age (reason
 *       {@code overloaded});
 *   <li>{@link Hooks#process} runs the engine (by default {@code engine.handle(body, origin)}),
 *       then {@link Hooks#handled} sees the result;
 *   <li>2.04 with Content-Format 64 and message_2 / message_3 (reverse flow) / message_4 as payload
 *       (an empty 2.04 when there is nothing to send); 4.00 or 5.00 with Content-Format 64 and the
 *       EDHOC error message as payload on failure.
 * </ol>
 *
 * Steps 1 to 3 and the queue report their refusals to {@link Hooks#refused}. Settings may be changed before the
 * server starts; they are read once per request.
 *
 * <p>Under pressure the refusals of steps 3 and 5 are also given before Californium's executor:
 * an {@link EdhocShedConnector} asks {@link #answerEarly} on the UDP receive thread, which applies
 * the same rules in the same order and builds the same responses; the checks here stay for the
 * requests that meet the pressure only once they reach this resource.
 */
public class EdhocResource extends CoapResource {
  /** The transport name handed to {@link Hooks} (and used for metrics by the service). */
  public static final String TRANSPORT = "coap";
  private static final Logger LOG = LoggerFactory.getLogger(EdhocResource.class);
  private static final byte CBOR_TRUE = (byte) 0xf5;

  private final ResponderEngine engine;
  private volatile int maxBodySize;
  private volatile Hooks hooks = Hooks.NONE;
  private volatile EchoVerifier echo;
  private volatile java.util.function.BooleanSupplier echoWhen;
  private volatile EngineQueue queue;
  private volatile int shedMaxAge = 1;
  private volatile EdhocReplayCache replay;

  /** One request as the hooks see it. {@code body} is the request payload (never null; do not modify). */
  public record Incoming(String transport, InetSocketAddress source, byte[] body) {
    /** True for {@code true || message_1} (a handshake start). */
    public boolean isMessage1() {
      return body.length > 0 && body[0] == CBOR_TRUE;
    }

    /** The request's origin as the engine carries it to listeners (source: the peer's IP address). */
    public ResponderEngine.Origin origin() {
      return new ResponderEngine.Origin(transport, source == null ? "" : source.getAddress().getHostAddress());
    }
  }

  /**
   * How to refuse a request before the engine: an error response code (4.xx or 5.xx), with a
   * Max-Age option when {@code maxAgeSeconds} is not null (e.g. 4.29 Too Many Requests, Max-Age 1).
   */
  public record Refusal(ResponseCode code, Integer maxAgeSeconds) {
    public Refusal {
      Objects.requireNonNull(code);
      if (!code.isClientError() && !code.isServerError()) {
        throw new IllegalArgumentException("a refusal needs a 4.xx or 5.xx code, not " + code);
      }
      if (maxAgeSeconds != null && maxAgeSeconds < 0) {
        throw new IllegalArgumentException("Max-Age must not be negative");
      }
    }

    public static Refusal of(ResponseCode code) {
      return new Refusal(code, null);
    }
  }

  /**
   * What an application adds around the engine: admission (rate limits, ...), a wrapper around
   * the engine call (timing, per-request context for listeners), and observation of results and
   * refusals (metrics). Called on Californium's executor thread of the request. All methods have
   * defaults; a hook that throws fails the request with an empty 5.00.
   */
  public interface Hooks {
    Hooks NONE = new Hooks() {};

    /** Before the engine (after the media type, size and Echo checks): null to go on, or a refusal. */
    default Refusal admit(Incoming request) {
      return null;
    }

    /** Runs the engine for the request; override to wrap the call. */
    default ResponderEngine.Result process(Incoming request, ResponderEngine engine) {
      return engine.handle(request.body(), request.origin());
    }

    /** After the engine, with its result (before the response is sent). */
    default void handled(Incoming request, ResponderEngine.Result result) {}

    /**
     * The resource itself refused the request before the engine; {@code reason} is one of {@code
     * bad_media_type}, {@code too_large}, {@code echo_required}, {@code echo_rejected}, {@code
     * overloaded} (the {@link #engineQueue engine queue} was full: answered 5.03).
     */
    default void refused(Incoming request, String reason) {}
  }

  public EdhocResource(ResponderEngine engine) {
    this("edhoc", engine);
  }

  public EdhocResource(String name, ResponderEngine engine) {
    super(name);
    this.engine = Objects.requireNonNull(engine);
    getAttributes().addResourceType("core.edhoc");
  }

  /** Adds a new EDHOC resource as {@code /.well-known/edhoc} to the server (keeping /.well-known/core). */
  public static EdhocResource addTo(CoapServer server, ResponderEngine engine) {
    Resource wellKnown = server.getRoot().getChild(".well-known");
    if (wellKnown == null) {
      wellKnown = new CoapResource(".well-known");
      server.add(wellKnown);
    }
    EdhocResource r = new EdhocResource(engine);
    wellKnown.add(r);
    return r;
  }

  public ResponderEngine engine() {
    return engine;
  }

  /** Payloads larger than {@code bytes} get 4.13 with Size1; 0 (the default) means no limit here. */
  public EdhocResource maxBodySize(int bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("maxBodySize must not be negative");
    }
    this.maxBodySize = bytes;
    return this;
  }

  public int maxBodySize() {
    return maxBodySize;
  }

  public EdhocResource hooks(Hooks hooks) {
    this.hooks = hooks == null ? Hooks.NONE : hooks;
    return this;
  }

  /**
   * Turns the RFC 9175 Echo reachability check on message_1 on (a verifier) or off (null, the
   * default). See the class description and {@link EchoVerifier}.
   */
  public EdhocResource echoReachability(EchoVerifier verifier) {
    return echoReachability(verifier, null);
  }

  /**
   * The Echo check only while {@code when} says so (e.g. under pressure: many half-open sessions
   * or a long engine queue); null means always. While it says no, message_1 is served without a
   * round trip, and an Echo option it carries is ignored.
   */
  public EdhocResource echoReachability(EchoVerifier verifier, java.util.function.BooleanSupplier when) {
    this.echo = verifier;
    this.echoWhen = when;
    return this;
  }

  public EchoVerifier echoReachability() {
    return echo;
  }

  /**
   * Runs the engine on {@code queue}'s workers instead of Californium's thread, with bounded
   * admission: a request that finds the queue full is answered at once with 5.03 Service
   * Unavailable and Max-Age {@code maxAgeSeconds} (RFC 7252 section 5.9.3.4: retry after that
   * long), and reported to {@link Hooks#refused} with reason {@code overloaded}. Null (the
   * default) runs the engine on the calling thread, unbounded.
   */
  public EdhocResource engineQueue(EngineQueue queue, int maxAgeSeconds) {
    if (maxAgeSeconds < 0) {
      throw new IllegalArgumentException("Max-Age must not be negative");
    }
    this.queue = queue;
    this.shedMaxAge = maxAgeSeconds;
    return this;
  }

  public EngineQueue engineQueue() {
    return queue;
  }

  /**
   * Deduplicates EDHOC requests with a compact cache instead of Californium's exchange retention
   * (see {@link EdhocReplayCache}; the endpoint's deduplicator must be wrapped with {@link
   * EdhocReplayCache#deduplicator}). Null (the default) leaves deduplication to Californium.
   */
  public EdhocResource replayCache(EdhocReplayCache cache) {
    this.replay = cache;
    return this;
  }

  public EdhocReplayCache replayCache() {
    return replay;
  }

  @Override
  public void handlePOST(CoapExchange exchange) {
    EdhocReplayCache cache = replay;
    EdhocReplayCache.Slot slot = null;
    if (cache != null) {
      org.eclipse.californium.core.coap.Request req = exchange.advanced().getRequest();
      slot = cache.begin(req.getSourceContext().getPeerAddress(), req.getMID());
      switch (slot.state()) {
        case PENDING:
          return; // a retransmission while the first copy is processed: it will be answered
        case DONE:
          exchange.respond(slot.response()); // the same answer again, without the engine
          return;
        default:
          break;
      }
    }
    Replies out = new Replies(exchange, cache, slot);
    handle(out, exchange);
  }

  /** Sends the answer for a new request and records it in the replay cache (refusals are forgotten). */
  private static final class Replies {
    private final CoapExchange exchange;
    private final EdhocReplayCache cache;
    private final EdhocReplayCache.Slot slot;

    Replies(CoapExchange exchange, EdhocReplayCache cache, EdhocReplayCache.Slot slot) {
      this.exchange = exchange;
      this.cache = cache;
      this.slot = slot;
    }

    void refuse(Response r) {
      if (cache != null) {
        cache.abandon(slot);
      }
      exchange.respond(r);
    }

    void refuse(ResponseCode code) {
      refuse(new Response(code));
    }

    void answer(Response r) {
      if (cache != null) {
        cache.complete(slot, r);
      }
      exchange.respond(r);
    }
  }

  private void handle(Replies out, CoapExchange exchange) {
    Hooks h = hooks;
    byte[] payload = exchange.getRequestPayload();
    Incoming in = new Incoming(TRANSPORT, exchange.getSourceSocketAddress(), payload == null ? new byte[0] : payload);
    int cf = exchange.getRequestOptions().getContentFormat();
    if (cf != MediaTypeRegistry.UNDEFINED && cf != EdhocOption.CID_EDHOC_CBOR_SEQ) {
      h.refused(in, "bad_media_type");
      out.refuse(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
      return;
    }
    int max = maxBodySize;
    if (max > 0 && in.body().length > max) {
      h.refused(in, "too_large");
      Response r = new Response(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
      r.getOptions().setSize1(max);
      out.refuse(r);
      return;
    }
    Response challenge = echoChallenge(h, in, exchange.getRequestOptions());
    if (challenge != null) {
      out.refuse(challenge);
      return;
    }
    Refusal refusal;
    try {
      refusal = h.admit(in);
    } catch (RuntimeException e) {
      LOG.warn("EDHOC resource hook failed: {}", e.toString());
      out.refuse(ResponseCode.INTERNAL_SERVER_ERROR);
      return;
    }
    if (refusal != null) {
      Response r = new Response(refusal.code());
      if (refusal.maxAgeSeconds() != null) {
        r.getOptions().setMaxAge(refusal.maxAgeSeconds());
      }
      out.refuse(r);
      return;
    }
    EngineQueue q = queue;
    if (q == null) {
      out.answer(process(h, in));
      return;
    }
    if (!q.offer(in.isMessage1(), () -> out.answer(process(h, in)))) {
      h.refused(in, "overloaded");
      Response r = new Response(ResponseCode.SERVICE_UNAVAILABLE);
      r.getOptions().setMaxAge(shedMaxAge);
      out.refuse(r);
    }
  }

  /**
   * The RFC 9175 reachability challenge, one mechanism for both paths (Californium's executor in
   * {@link #handlePOST}, the receive thread in {@link #answerEarly}): for a message_1 while the
   * Echo check applies ({@link #echoApplies()}) and the request carries no valid Echo, the 4.01
   * Unauthorized response with a fresh Echo value for the request's source, reported to {@link
   * Hooks#refused} with reason {@code echo_required} (no Echo) or {@code echo_rejected}; null when
   * the request goes on.
   */
  private Response echoChallenge(Hooks h, Incoming in, org.eclipse.californium.core.coap.OptionSet options) {
    EchoVerifier verifier = echo;
    java.util.function.BooleanSupplier when = echoWhen;
    if (verifier == null || !in.isMessage1() || (when != null && !when.getAsBoolean())) {
      return null;
    }
    byte[] value = EchoOption.get(options);
    if (value != null && verifier.verify(value, in.source())) {
      return null;
    }
    h.refused(in, value == null ? "echo_required" : "echo_rejected");
    Response r = new Response(ResponseCode.UNAUTHORIZED);
    EchoOption.set(r.getOptions(), verifier.issue(in.source()));
    return r;
  }

  /**
   * True while the Echo check applies to message_1: a verifier is set and its condition holds
   * (always when it has none, i.e. {@code on}; under pressure for {@code auto}). O(1) as cheap as
   * the condition given to {@link #echoReachability(EchoVerifier, java.util.function.BooleanSupplier)}.
   */
  public boolean echoApplies() {
    java.util.function.BooleanSupplier when = echoWhen;
    return echo != null && (when == null || when.getAsBoolean());
  }

  /**
   * True when {@link #answerEarly} may answer anything now: the engine queue is full, counting
   * {@code ahead} requests on their way to it as waiting, or the Echo check applies. The receive
   * thread's cheap gate: while false, datagrams are not even parsed.
   */
  public boolean mayAnswerEarly(int ahead) {
    EngineQueue q = queue;
    return (q != null && q.waiting() + ahead >= q.capacity()) || echoApplies();
  }

  /**
   * The answer to a request that has not reached Californium's executor yet (see {@link
   * EdhocShedConnector}), exactly as {@link #handlePOST} would give it now (type, Message ID and
   * token still to be set), or null when it must go the normal way. In the order of the normal
   * path:
   *
   * <ul>
   *   <li>null: not a POST to this resource (or OSCORE-protected), empty, a bad media type or
   *       size (the normal path answers those), or a copy of a request the replay cache holds (it
   *       is answered as before: nothing, or the cached message_2);
   *   <li>4.01 + Echo: a message_1 without a valid Echo while the check applies ({@link
   *       #echoApplies()}): the same challenge, counted the same way ({@link Hooks#refused},
   *       {@code echo_required} / {@code echo_rejected});
   *   <li>5.03 + Max-Age: the engine queue is full for this request, counting {@code ahead}
   *       requests already on their way to it (queued in Californium's executor: {@link
   *       CountingExecutor}) as waiting, counted as a shed by the queue and reported to {@link
   *       Hooks#refused} with reason {@code overloaded};
   *   <li>null otherwise (room in the queue: a valid Echo is verified again there).
   * </ul>
   *
   * The admission hook (rate limit) is not consulted: it comes after both on the normal path. A
   * hook that throws here leaves the request to the normal path.
   */
  public Response answerEarly(org.eclipse.californium.core.coap.Request req, InetSocketAddress source, int ahead) {
    if (req.getCode() != org.eclipse.californium.core.coap.CoAP.Code.POST || req.getOptions().hasOscore() || source == null
        || !getURI().equals("/" + req.getOptions().getUriPathString())) {
      return null;
    }
    byte[] payload = req.getPayload();
    Incoming in = new Incoming(TRANSPORT, source, payload == null ? new byte[0] : payload);
    int cf = req.getOptions().getContentFormat();
    int max = maxBodySize;
    if (in.body().length == 0 || (cf != MediaTypeRegistry.UNDEFINED && cf != EdhocOption.CID_EDHOC_CBOR_SEQ)
        || (max > 0 && in.body().length > max)) {
      return null;
    }
    EdhocReplayCache cache = replay;
    if (cache != null && cache.holds(source, req.getMID())) {
      return null;
    }
    Hooks h = hooks;
    try {
      Response challenge = echoChallenge(h, in, req.getOptions());
      if (challenge != null) {
        return challenge;
      }
    } catch (RuntimeException e) {
      LOG.warn("EDHOC resource hook failed: {}", e.toString());
      return null;
    }
    EngineQueue q = queue;
    if (q == null || !q.shedIfFull(in.isMessage1(), ahead)) {
      return null;
    }
    try {
      h.refused(in, "overloaded");
    } catch (RuntimeException e) {
      LOG.warn("EDHOC resource hook failed: {}", e.toString());
    }
    Response r = new Response(ResponseCode.SERVICE_UNAVAILABLE);
    r.getOptions().setMaxAge(shedMaxAge);
    return r;
  }

  private Response process(Hooks h, Incoming in) {
    try {
      ResponderEngine.Result result = h.process(in, engine);
      h.handled(in, result);
      return toResponse(result);
    } catch (RuntimeException e) {
      LOG.warn("EDHOC resource hook failed: {}", e.toString());
      return new Response(ResponseCode.INTERNAL_SERVER_ERROR);
    }
  }

  /** The CoAP response for an engine result (A.2): 2.04 / 4.00 / 5.00, Content-Format 64 when there is a body. */
  public static Response toResponse(ResponderEngine.Result result) {
    ResponseCode code;
    switch (result.status()) {
      case OK:
        code = ResponseCode.CHANGED;
        break;
      case SERVER_ERROR:
        code = ResponseCode.INTERNAL_SERVER_ERROR;
        break;
      default:
        code = ResponseCode.BAD_REQUEST;
        break;
    }
    Response response = new Response(code);
    byte[] body = result.body();
    if (body.length > 0) {
      response.setPayload(body);
      response.getOptions().setContentFormat(EdhocOption.EDHOC_CBOR_SEQ);
    }
    return response;
  }
}
