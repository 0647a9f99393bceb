package io.edhoc.oscore;

import io.edhoc.ConnectionIdAllocator;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.EdhocSession;
import io.edhoc.ErrorMessage;
import io.edhoc.Failure;
import io.edhoc.Initiator;
import io.edhoc.Responder;
import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.credentials.ConnectionIdCodec;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-neutral EDHOC server side of RFC 9528 Appendix A.2, one per endpoint. A transport
 * (the CoAP resource of this module, an HTTP handler) hands it the request body and maps the
 * {@link Result} to its response codes; everything else happens here:
 *
 * <ul>
 *   <li>{@code true || message_1}: {@link Responder#readMessage1}, message_2, the state stored
 *       under C_R in the {@link ResponderSessionStore};
 *   <li>{@code C_R || message_3}: the state taken (atomically) from the store, message_3
 *       verified, message_4 when configured (always for method 4), the OSCORE context of RFC 9528
 *       A.1 derived and handed to the {@link EstablishedListener}s;
 *   <li>empty body (reverse message flow, A.2.2, when enabled): this side becomes the Initiator,
 *       returns message_1 and keeps the Initiator state in memory under C_I; {@code C_I ||
 *       message_2} then returns message_3 (and {@code C_I || message_4} completes when message_4
 *       is used).
 * </ul>
 *
 * Connection identifiers are this side's OSCORE Recipient IDs: the engine allocates them with a
 * {@link RecipientIdAllocator} that avoids identifiers of pending handshakes, identifiers being
 * completed, and those the application reports in use ({@link Builder#recipientIdsInUse}), within
 * the AEAD length limit of every configured suite, and never equal to the peer's. A failed step
 * never leaves state behind. Thread-safe.
 */
public final class ResponderEngine {
  private static final Logger LOG = LoggerFactory.getLogger(ResponderEngine.class);
  private static final byte CBOR_TRUE = (byte) 0xf5;

  /** How a transport should answer. */
  public enum Status {
    /** 2.04 / 200: the body is message_2, message_3 (reverse flow), message_4, or empty. */
    OK,
    /** 4.00 / 400: the body is an EDHOC error message (client error). */
    CLIENT_ERROR,
    /** 4.00 / 400 too: a prefixed identifier names no pending session; the body is ERR_CODE 1. */
    UNKNOWN_SESSION,
    /** 5.00 / 500: the body is an EDHOC error message (server error). */
    SERVER_ERROR;

    public boolean isClientError() {
      return this == CLIENT_ERROR || this == UNKNOWN_SESSION;
    }
  }

  /** Which message the request carried. */
  public enum Step {
    MESSAGE_1,
    MESSAGE_3,
    /** An empty POST: reverse flow started, the body is message_1. */
    REVERSE_START,
    REVERSE_MESSAGE_2,
    REVERSE_MESSAGE_4,
    /** The peer sent an EDHOC error message in place of the expected message; the session was dropped. */
    PEER_ERROR,
    /** The request could not be framed (no prefix, or an empty body with the reverse flow off). */
    UNFRAMED
  }

  /** Called when a session is established, before the response leaves; may install the context. */
  @FunctionalInterface
  public interface EstablishedListener {
    /**
     * Throwing fails the handshake with a server error; the session is then closed. Listeners must
     * not keep the session after throwing.
     */
    void established(EdhocSession session, OscoreContext context) throws Exception;

    /**
     * The same, with what the engine knows about the request that completed the handshake (its
     * {@link Origin} and when message_1 was processed). The engine calls this one; the default
     * forwards to {@link #established(EdhocSession, OscoreContext)}.
     */
    default void established(EdhocSession session, OscoreContext context, Completion completion) throws Exception {
      established(session, context);
    }
  }

  /**
   * Where a request came from, as the transport tells the engine: a transport name ("coap",
   * "http", "coap+oscore" for RFC 9668 combined requests) and a source (a peer address, for
   * metrics and listeners; never used for a security decision). It travels with the call: the
   * engine hands it to listeners in a {@link Completion} and returns it in the {@link Result}.
   */
  public record Origin(String transport, String source) {
    public static final Origin UNKNOWN = new Origin("", "");

    public Origin {
      Objects.requireNonNull(transport);
      Objects.requireNonNull(source);
    }
  }

  /**
   * Facts about a handshake completing on a request: where the request came from and when this
   * side processed the handshake's first message (epoch milliseconds of the engine's clock, kept
   * with the stored state so it works across cluster nodes; -1 if unknown).
   */
  public record Completion(Origin origin, long startedAtMillis) {}

  /** What the transport sends back, and on completion the session and its OSCORE context. */
  public static final class Result {
    private final Status status;
    private final Step step;
    private final byte[] body;
    private final boolean errorMessage;
    private final EdhocSession session;
    private final OscoreContext context;
    private final Failure failure;
    private final String diagnostic;
    private Completion completion;

    private Result(Status status, Step step, byte[] body, boolean errorMessage, EdhocSession session, OscoreContext context,
        Failure failure, String diagnostic) {
      this.status = status;
      this.step = step;
      this.body = body;
      this.errorMessage = errorMessage;
      this.session = session;
      this.context = context;
      this.failure = failure;
      this.diagnostic = diagnostic;
    }

    static Result ok(Step step, byte[] body) {
      return new Result(Status.OK, step, body, false, null, null, null, null);
    }

    public Status status() {
      return status;
    }

    public Step step() {
      return step;
    }

    /** The response body: message_2/3/4, empty, or the EDHOC error message. */
    public byte[] body() {
      return body.clone();
    }

    /** True if {@link #body()} is an EDHOC error message. */
    public boolean isErrorMessage() {
      return errorMessage;
    }

    /** True if the handshake completed on this request. */
    public boolean completed() {
      return session != null;
    }

    /** The established session (completed only); the caller (or a listener) owns and closes it. */
    public EdhocSession session() {
      return session;
    }

    /** The OSCORE context of RFC 9528 A.1 (completed only). */
    public OscoreContext oscoreContext() {
      return context;
    }

    /** The failure category, or null. */
    public Failure failure() {
      return failure;
    }

    /** Safe-to-log description of a failure, or null. */
    public String diagnostic() {
      return diagnostic;
    }

    /** Where the request came from and (on completion) when the handshake started; never null. */
    public Completion completion() {
      return completion;
    }

    private Result with(Completion c) {
      this.completion = c;
      return this;
    }

    @Override
    public String toString() {
      return "Result[" + status + ", " + step + (failure == null ? "" : ", " + failure) + (diagnostic == null ? "" : ", " + diagnostic) + "]";
    }
  }

  private final EdhocConfig config;
  private final ResponderSessionStore store;
  private final Duration timeToLive;
  private final Message4 message4;
  private final boolean reverseFlow;
  private final int oscoreKeyLength;
  private final int oscoreSaltLength;
  private final Predicate<byte[]> recipientIdsInUse;
  private final IntSupplier recipientIdsInUseCount;
  private final List<EstablishedListener> listeners;
  private final Clock clock;
  private final int maxReverseSessions;
  /** Identifiers handed out but not yet in the store or the application's context store. */
  private final Map<IdKey, Boolean> reserved = new ConcurrentHashMap<>();
  /** Allocates an identifier and reserves it in {@link #reserved}; see {@link Allocation}. */
  private final ConnectionIdAllocator reserving;
  private final Map<IdKey, PendingInitiator> reverse = new ConcurrentHashMap<>();
  private RecipientIdAllocator allocator;

  private record IdKey(byte[] id) {
    @Override
    public boolean equals(Object o) {
      return o instanceof IdKey k && Arrays.equals(id, k.id);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(id);
    }
  }

  /** Reverse flow state: Initiator.AwaitingMessage2 or Initiator.AwaitingMessage4. */
  private record PendingInitiator(Object state, Instant expiresAt, long startedAtMillis) {}

  /** Bytes of the start time stamped in front of each stored state. */
  private static final int STAMP = 8;

  private ResponderEngine(Builder b) {
    this.store = b.store != null ? b.store : new InMemoryResponderSessionStore(1000);
    this.timeToLive = b.timeToLive;
    this.message4 = b.message4;
    this.reverseFlow = b.reverseFlow;
    this.oscoreKeyLength = b.oscoreKeyLength;
    this.oscoreSaltLength = b.oscoreSaltLength;
    this.recipientIdsInUse = b.recipientIdsInUse;
    this.recipientIdsInUseCount = b.recipientIdsInUseCount;
    this.listeners = new CopyOnWriteArrayList<>(b.listeners);
    this.clock = b.clock;
    this.maxReverseSessions = b.maxReverseSessions;
    if (b.allocator != null) {
      ConnectionIdAllocator custom = b.allocator;
      this.reserving = peer -> {
        byte[] id = custom.allocate(peer);
        reserved.put(new IdKey(id.clone()), Boolean.TRUE);
        return id;
      };
    } else {
      int max = RecipientIdAllocator.maxLengthFor(b.config.suites());
      // the check claims the identifier atomically (reserved), so concurrent allocations never clash
      RecipientIdAllocator allocator = new RecipientIdAllocator(b.config.crypto().random() != null ? b.config.crypto().random()
          : new SecureRandom(), Math.min(b.minIdLength, max), max, id -> !claim(id), this::liveIdentifiers);
      this.allocator = allocator;
      this.reserving = allocator::allocate;
    }
    this.config = b.config.toBuilder().connectionIds(reserving).build();
  }

  public static Builder builder(EdhocConfig config) {
    return new Builder(config);
  }

  /**
   * The given configuration with the engine's identifier allocator, which reserves each identifier
   * it hands out. The engine's own calls release their reservations once the identifier is held by
   * the store (or the call failed); identifiers allocated through this configuration elsewhere stay
   * reserved.
   */
  public EdhocConfig config() {
    return config;
  }

  public ResponderSessionStore sessionStore() {
    return store;
  }

  public void addListener(EstablishedListener listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  public void removeListener(EstablishedListener listener) {
    listeners.remove(listener);
  }

  /** True if {@code id} is a Recipient ID this engine must not hand out now. */
  public boolean inUse(byte[] id) {
    IdKey k = new IdKey(id);
    return reserved.containsKey(k) || store.contains(id) || reverseLive(k) || recipientIdsInUse.test(id.clone());
  }

  /** Reserves {@code id} for the calling allocation if no one uses it: O(1), atomic among allocations. */
  private boolean claim(byte[] id) {
    IdKey k = new IdKey(id.clone());
    if (reserved.putIfAbsent(k, Boolean.TRUE) != null) {
      return false;
    }
    if (store.contains(id) || reverseLive(k) || recipientIdsInUse.test(id.clone())) {
      reserved.remove(k);
      return false;
    }
    return true;
  }

  /** About how many identifiers are live (sizes the allocator's space); O(1). */
  private int liveIdentifiers() {
    long n = (long) store.approximateSize() + reverse.size() + reserved.size() + recipientIdsInUseCount.getAsInt();
    return (int) Math.min(Integer.MAX_VALUE, n);
  }

  /** The engine's own allocator (null when {@link Builder#connectionIdAllocator} replaced it). */
  public RecipientIdAllocator recipientIdAllocator() {
    return allocator;
  }

  /** Handshakes waiting for message_3 in the store plus reverse-flow handshakes in memory. */
  public int pendingSessions() {
    purgeReverse();
    return store.size() + reverse.size();
  }

  // ------------------------------------------------------------------------------------------

  /** Handles one request body of RFC 9528 A.2 (see the class description), origin unknown. */
  public Result handle(byte[] body) {
    return handle(body, Origin.UNKNOWN);
  }

  /** Handles one request body of RFC 9528 A.2; {@code origin} travels to listeners and the result. */
  public Result handle(byte[] body, Origin origin) {
    Objects.requireNonNull(body);
    Objects.requireNonNull(origin);
    if (body.length == 0) {
      if (!reverseFlow) {
        return error(Status.CLIENT_ERROR, Step.UNFRAMED, Failure.MALFORMED_MESSAGE, "Empty request", "empty request body, reverse flow not enabled")
            .with(new Completion(origin, -1));
      }
      return startReverse(origin);
    }
    if (body[0] == CBOR_TRUE) {
      return handleMessage1(Arrays.copyOfRange(body, 1, body.length), origin);
    }
    byte[] id;
    int offset;
    try {
      CborReader r = new CborReader(body);
      id = ConnectionIdCodec.read(r, "prefixed connection identifier");
      offset = r.position();
    } catch (CborException e) {
      return error(Status.CLIENT_ERROR, Step.UNFRAMED, Failure.MALFORMED_MESSAGE, "Malformed connection identifier prefix",
          "request neither starts with true nor with a connection identifier: " + e.getMessage()).with(new Completion(origin, -1));
    }
    byte[] message = Arrays.copyOfRange(body, offset, body.length);
    if (reverseFlow && reverseLive(new IdKey(id))) {
      return handleReverse(id, message, origin);
    }
    return handleMessage3(id, message, false, origin);
  }

  /** Forward flow: message_1 (without the {@code true} prefix) to message_2, origin unknown. */
  public Result handleMessage1(byte[] message1) {
    return handleMessage1(message1, Origin.UNKNOWN);
  }

  /** Forward flow: message_1 (without the {@code true} prefix) to message_2. */
  public Result handleMessage1(byte[] message1, Origin origin) {
    long startedAt = clock.millis();
    return doHandleMessage1(message1, startedAt).with(new Completion(origin, startedAt));
  }

  private Result doHandleMessage1(byte[] message1, long startedAt) {
    Responder.AwaitingMessage3 w3 = null;
    Allocation allocation = new Allocation();
    try {
      Responder.Message1Received r1 = Edhoc.responder(allocation.config()).readMessage1(message1);
      w3 = r1.writeMessage2();
      byte[] cR = w3.connectionIdR();
      if (Arrays.equals(cR, w3.connectionIdI())) {
        w3.abandon();
        return error(Status.SERVER_ERROR, Step.MESSAGE_1, Failure.INTERNAL, "Connection identifier clash",
            "allocated C_R equals C_I (refused: it would be both OSCORE Sender and Recipient ID)");
      }
      byte[] state = stamped(startedAt, w3.export());
      boolean stored;
      try {
        stored = store.put(cR, state, timeToLive);
      } finally {
        Arrays.fill(state, (byte) 0);
      }
      if (!stored) {
        w3.abandon();
        return error(Status.SERVER_ERROR, Step.MESSAGE_1, Failure.INTERNAL, "Too many pending sessions",
            "session store refused the session (full, or C_R " + hex(cR) + " pending)");
      }
      byte[] m2 = w3.message2();
      w3.abandon(); // the store holds the state now; wipe this copy
      LOG.debug("message_1 ({}, {}) answered with message_2, C_R {}", r1.method(), r1.suite(), hex(cR));
      return Result.ok(Step.MESSAGE_1, m2);
    } catch (EdhocException e) {
      return failure(Step.MESSAGE_1, e);
    } catch (RuntimeException e) {
      if (w3 != null) {
        safeAbandon(w3);
      }
      LOG.warn("message_1 processing failed: {}", e.toString());
      return error(Status.SERVER_ERROR, Step.MESSAGE_1, Failure.INTERNAL, "Internal error", e.getClass().getSimpleName());
    } finally {
      allocation.release();
    }
  }

  /**
   * Forward flow: message_3 for the session stored under {@code connectionIdR}. With {@code
   * combined} (RFC 9668) no message_4 is written and the OSCORE response that follows confirms the
   * keys; if the profile requires message_4 ({@link Message4#ALWAYS}) a combined request fails as
   * a client error (RFC 9668 section 3.3.1 step 4). Method 4 answers a message_3 POSTed alone with
   * message_4 whatever the policy, since message_4 is what authenticates the Responder there.
   */
  public Result handleMessage3(byte[] connectionIdR, byte[] message3, boolean combined) {
    return handleMessage3(connectionIdR, message3, combined, Origin.UNKNOWN);
  }

  /** {@link #handleMessage3(byte[], byte[], boolean)} for a request from {@code origin}. */
  public Result handleMessage3(byte[] connectionIdR, byte[] message3, boolean combined, Origin origin) {
    // reserved before the take, so that the identifier is never free between the store and the
    // OSCORE context a listener installs
    IdKey key = new IdKey(connectionIdR.clone());
    boolean reservedHere = reserved.putIfAbsent(key, Boolean.TRUE) == null;
    byte[] stampedState = store.take(connectionIdR);
    if (stampedState == null || stampedState.length < STAMP) {
      if (reservedHere) {
        reserved.remove(key);
      }
      return error(Status.UNKNOWN_SESSION, Step.MESSAGE_3, Failure.MALFORMED_MESSAGE, "Unknown connection identifier",
          "no pending EDHOC session for C_R " + hex(connectionIdR)).with(new Completion(origin, -1));
    }
    long startedAt = java.nio.ByteBuffer.wrap(stampedState).getLong();
    Completion completion = new Completion(origin, startedAt);
    try {
      return doHandleMessage3(connectionIdR, stampedState, message3, combined, completion).with(completion);
    } finally {
      if (reservedHere) {
        reserved.remove(key);
      }
    }
  }

  private Result doHandleMessage3(byte[] connectionIdR, byte[] stampedState, byte[] message3, boolean combined, Completion completion) {
    try {
      Responder.AwaitingMessage3 w3;
      byte[] state = Arrays.copyOfRange(stampedState, STAMP, stampedState.length);
      try {
        w3 = Responder.resume(config, state);
      } finally {
        Arrays.fill(stampedState, (byte) 0);
        Arrays.fill(state, (byte) 0); // PRK_3e2m and Y: resume keeps its own copies
      }
      ErrorMessage peerError = parseErrorMessage(message3);
      if (peerError != null) {
        // RFC 9528 section 6: a well-formed error message from the Initiator ends the session; there
        // is nothing to answer in EDHOC terms
        w3.abandon();
        LOG.debug("peer sent an EDHOC error message ({}) instead of message_3 for C_R {}", peerError, hex(connectionIdR));
        return new Result(Status.OK, Step.PEER_ERROR, new byte[0], false, null, null, Failure.PEER_ERROR,
            "peer sent an error message: " + peerError);
      }
      if (ErrorMessage.isErrorMessage(message3)) {
        // starts with an int but is not a well-formed error message (C_R || 17): neither an error
        // nor a message_3 (a bstr), so a malformed message_3, answered as section 5.4.3 says. (The
        // core, reading it as message_3, would take it for a garbled peer error and answer nothing.)
        w3.abandon();
        return error(Status.CLIENT_ERROR, Step.MESSAGE_3, Failure.MALFORMED_MESSAGE, "Malformed message_3",
            "malformed message_3 for C_R " + hex(connectionIdR) + ": starts with an int but is not a well-formed error message");
      }
      // method 4 may use the combined request too: the OSCORE response authenticates the Responder
      // (draft-ietf-lake-edhoc-psk section 8); alone, its message_3 is always answered with message_4
      if (combined && message4 == Message4.ALWAYS) {
        // RFC 9668 3.3.1 step 4: message_4 required by the profile, so a combined request is a client error
        w3.abandon();
        return error(Status.CLIENT_ERROR, Step.MESSAGE_3, Failure.MALFORMED_MESSAGE, "message_4 required, combined request not allowed",
            "combined request for a session whose profile uses message_4");
      }
      EdhocSession session;
      byte[] body;
      Responder.Message3Verified v3 = w3.readMessage3(message3);
      if (!combined && (message4 != Message4.NEVER || w3.method().isPsk())) {
        Responder.Completed c = v3.writeMessage4();
        session = c.session();
        body = c.message4();
      } else {
        session = v3.complete();
        body = new byte[0];
      }
      return established(Step.MESSAGE_3, session, body, completion);
    } catch (EdhocException e) {
      return failure(Step.MESSAGE_3, e);
    } catch (RuntimeException e) {
      LOG.warn("message_3 processing failed: {}", e.toString());
      return error(Status.SERVER_ERROR, Step.MESSAGE_3, Failure.INTERNAL, "Internal error", e.getClass().getSimpleName());
    }
  }

  /** Reverse flow (A.2.2): this side is the Initiator; returns message_1. */
  public Result startReverse() {
    return startReverse(Origin.UNKNOWN);
  }

  private Result startReverse(Origin origin) {
    long startedAt = clock.millis();
    return doStartReverse(startedAt).with(new Completion(origin, startedAt));
  }

  private Result doStartReverse(long startedAt) {
    purgeReverse();
    if (reverse.size() >= maxReverseSessions) {
      return error(Status.SERVER_ERROR, Step.REVERSE_START, Failure.INTERNAL, "Too many pending sessions", "reverse-flow sessions at limit");
    }
    Allocation allocation = new Allocation();
    try {
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(allocation.config()).writeMessage1();
      byte[] cI = w2.connectionIdI();
      reverse.put(new IdKey(cI), new PendingInitiator(w2, clock.instant().plus(timeToLive), startedAt));
      LOG.debug("reverse flow: message_1 sent, C_I {}", hex(cI));
      return Result.ok(Step.REVERSE_START, w2.message1());
    } catch (EdhocException e) {
      return failure(Step.REVERSE_START, e);
    } catch (RuntimeException e) {
      LOG.warn("reverse flow start failed: {}", e.toString());
      return error(Status.SERVER_ERROR, Step.REVERSE_START, Failure.INTERNAL, "Internal error", e.getClass().getSimpleName());
    } finally {
      allocation.release();
    }
  }

  private Result handleReverse(byte[] cI, byte[] message, Origin origin) {
    IdKey key = new IdKey(cI.clone());
    reserved.put(key, Boolean.TRUE);
    PendingInitiator p = reverse.remove(key);
    if (p == null || !clock.instant().isBefore(p.expiresAt())) {
      reserved.remove(key);
      return error(Status.UNKNOWN_SESSION, Step.REVERSE_MESSAGE_2, Failure.MALFORMED_MESSAGE, "Unknown connection identifier",
          "no pending reverse-flow session for C_I " + hex(cI)).with(new Completion(origin, -1));
    }
    Completion completion = new Completion(origin, p.startedAtMillis());
    return doHandleReverse(key, cI, message, p, completion).with(completion);
  }

  private Result doHandleReverse(IdKey key, byte[] cI, byte[] message, PendingInitiator p, Completion completion) {
    Step step = p.state() instanceof Initiator.AwaitingMessage2 ? Step.REVERSE_MESSAGE_2 : Step.REVERSE_MESSAGE_4;
    try {
      if (p.state() instanceof Initiator.AwaitingMessage2 w2) {
        Initiator.Message2Verified v2 = w2.readMessage2(message);
        if (Arrays.equals(v2.connectionIdR(), cI)) {
          return error(Status.CLIENT_ERROR, step, Failure.MALFORMED_MESSAGE, "C_R equals C_I", "peer chose C_R = C_I");
        }
        Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
        byte[] m3 = w4.message3();
        if (message4 != Message4.NEVER || w2.method().isPsk()) {
          reverse.put(key, new PendingInitiator(w4, clock.instant().plus(timeToLive), p.startedAtMillis()));
          return Result.ok(step, m3);
        }
        return established(step, w4.complete(), m3, completion);
      }
      Initiator.AwaitingMessage4 w4 = (Initiator.AwaitingMessage4) p.state();
      return established(step, w4.readMessage4(message), new byte[0], completion);
    } catch (EdhocException e) {
      return failure(step, e);
    } catch (RuntimeException e) {
      LOG.warn("reverse flow step failed: {}", e.toString());
      return error(Status.SERVER_ERROR, step, Failure.INTERNAL, "Internal error", e.getClass().getSimpleName());
    } finally {
      reserved.remove(key);
    }
  }

  // ------------------------------------------------------------------------------------------

  private Result established(Step step, EdhocSession session, byte[] body, Completion completion) {
    OscoreContext ctx;
    try {
      ctx = OscoreContext.fromEdhoc(session, oscoreKeyLength > 0 ? oscoreKeyLength : session.suite().applicationAead().keyLength(),
          oscoreSaltLength);
      for (EstablishedListener l : listeners) {
        l.established(session, ctx, completion);
      }
    } catch (Exception e) {
      session.close();
      LOG.warn("EDHOC session established but its OSCORE context was refused: {}", e.getMessage());
      return error(Status.SERVER_ERROR, step, Failure.INTERNAL, "Security context not installed", "listener refused the context: " + e.getMessage());
    }
    LOG.debug("EDHOC session established ({}, {}), OSCORE recipient ID {}", session.method(), session.suite(), hex(ctx.recipientId()));
    return new Result(Status.OK, step, body, false, session, ctx, null, null);
  }

  /**
   * The body as an EDHOC error message (RFC 9528 section 6: ERR_CODE int, ERR_INFO of the type its
   * code defines), or null when it is not a well-formed one. A leading int alone does not make an
   * error message: message_3 is a bstr, so such a body is a malformed message_3.
   */
  static ErrorMessage parseErrorMessage(byte[] body) {
    if (!ErrorMessage.isErrorMessage(body)) {
      return null;
    }
    try {
      return ErrorMessage.parse(body);
    } catch (CborException | RuntimeException e) {
      return null;
    }
  }

  private static Result failure(Step step, EdhocException e) {
    Failure f = e.failure();
    byte[] msg = e.errorMessage();
    if (msg == null) {
      // a received error message: nothing to send back in EDHOC terms
      return new Result(Status.OK, Step.PEER_ERROR, new byte[0], false, null, null, f, e.getMessage());
    }
    Status st = f == Failure.INTERNAL || f == Failure.NO_CREDENTIAL ? Status.SERVER_ERROR : Status.CLIENT_ERROR;
    LOG.debug("EDHOC {} failed: {} ({})", step, f, e.getMessage());
    return new Result(st, step, msg, true, null, null, f, e.getMessage());
  }

  private static Result error(Status status, Step step, Failure failure, String diagnostic, String detail) {
    LOG.debug("EDHOC {}: {}", step, detail);
    return new Result(status, step, ErrorMessage.unspecified(diagnostic), true, null, null, failure, detail);
  }

  /**
   * The identifiers one call reserved (C_R for a message_1, C_I for a reverse-flow start). The call
   * carries it: the core allocates through the call's own configuration ({@link #config()}), and
   * the call releases what it reserved when it ends, by then the store or the reverse-flow map
   * holds the identifier, or the call failed. Another engine call on the same thread (a store,
   * allocator or listener calling back into the engine) has its own, so neither can release or
   * leak the other's identifier.
   */
  private final class Allocation implements ConnectionIdAllocator {
    private final List<byte[]> ids = new ArrayList<>(1);

    @Override
    public byte[] allocate(byte[] peerConnectionId) {
      byte[] id = reserving.allocate(peerConnectionId);
      ids.add(id.clone());
      return id;
    }

    EdhocConfig config() {
      return config.withConnectionIds(this);
    }

    void release() {
      for (byte[] id : ids) {
        reserved.remove(new IdKey(id));
      }
      ids.clear();
    }
  }

  private static void safeAbandon(Responder.AwaitingMessage3 w3) {
    try {
      w3.abandon();
    } catch (IllegalStateException ignored) {
      // already abandoned
    }
  }

  private boolean reverseLive(IdKey k) {
    PendingInitiator p = reverse.get(k);
    return p != null && clock.instant().isBefore(p.expiresAt());
  }

  private void purgeReverse() {
    Instant now = clock.instant();
    Iterator<PendingInitiator> it = reverse.values().iterator();
    while (it.hasNext()) {
      if (!now.isBefore(it.next().expiresAt())) {
        it.remove();
      }
    }
  }

  private static byte[] stamped(long startedAt, byte[] exported) {
    byte[] s = new byte[STAMP + exported.length];
    java.nio.ByteBuffer.wrap(s).putLong(startedAt);
    System.arraycopy(exported, 0, s, STAMP, exported.length);
    Arrays.fill(exported, (byte) 0);
    return s;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** When the Responder sends message_4 (RFC 9528 section 5.5; RFC 9668 section 3.3.1). */
  public enum Message4 {
    /** Never (key confirmation comes from the first OSCORE exchange). Method 4 still sends it. */
    NEVER,
    /**
     * Always: the application profile requires message_4, so a combined request (RFC 9668) is a
     * client error (section 3.3.1 step 4).
     */
    ALWAYS,
    /**
     * After a message_3 POSTed alone, and not with a combined request, whose OSCORE response
     * confirms the keys instead. Serves clients of both kinds (aiocoap expects message_4 when it
     * does not use the combined request).
     */
    UNLESS_COMBINED
  }

  /** Builder. */
  public static final class Builder {
    private final EdhocConfig config;
    private ResponderSessionStore store;
    private Duration timeToLive = Duration.ofSeconds(60);
    private Message4 message4 = Message4.NEVER;
    private boolean reverseFlow;
    private int oscoreKeyLength;
    private int oscoreSaltLength = OscoreContext.DEFAULT_SALT_LENGTH;
    private Predicate<byte[]> recipientIdsInUse = id -> false;
    private IntSupplier recipientIdsInUseCount = () -> 0;
    private int minIdLength = 1;
    private ConnectionIdAllocator allocator;
    private final List<EstablishedListener> listeners = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private int maxReverseSessions = 100;

    private Builder(EdhocConfig config) {
      this.config = Objects.requireNonNull(config);
    }

    /** Where states wait for message_3; default a bounded in-memory store of 1000 sessions. */
    public Builder sessionStore(ResponderSessionStore s) {
      this.store = Objects.requireNonNull(s);
      return this;
    }

    /** How long a handshake may wait for its next message (default 60 s). */
    public Builder sessionTimeToLive(Duration ttl) {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("time to live must be positive");
      }
      this.timeToLive = ttl;
      return this;
    }

    /** Send message_4 after message_3 (the application profile asks for it; always done for method 4). */
    public Builder message4(boolean use) {
      this.message4 = use ? Message4.ALWAYS : Message4.NEVER;
      return this;
    }

    /** The message_4 policy; see {@link Message4}. */
    public Builder message4(Message4 policy) {
      this.message4 = Objects.requireNonNull(policy);
      return this;
    }

    /** Answer an empty POST by acting as Initiator (RFC 9528 A.2.2). Off by default. */
    public Builder reverseFlow(boolean enabled) {
      this.reverseFlow = enabled;
      return this;
    }

    /** oscore_key_length agreed out of band (0 = the AEAD key length, the default). */
    public Builder oscoreKeyLength(int length) {
      this.oscoreKeyLength = length;
      return this;
    }

    /** oscore_salt_length agreed out of band (default 8). */
    public Builder oscoreSaltLength(int length) {
      this.oscoreSaltLength = length;
      return this;
    }

    /** Recipient IDs in use by the application's OSCORE contexts; never allocated as C_R / C_I. */
    public Builder recipientIdsInUse(Predicate<byte[]> inUse) {
      this.recipientIdsInUse = Objects.requireNonNull(inUse);
      return this;
    }

    /**
     * About how many Recipient IDs {@link #recipientIdsInUse} holds (O(1) please): the allocator
     * draws from a space large enough to keep it sparsely used (see {@link RecipientIdAllocator}).
     */
    public Builder recipientIdsInUseCount(IntSupplier count) {
      this.recipientIdsInUseCount = Objects.requireNonNull(count);
      return this;
    }

    /**
     * Shortest connection identifier the engine allocates (default 1). Several nodes sharing a
     * store (a cluster) use longer random identifiers, so that two nodes rarely draw the same one;
     * the store's put-if-absent refuses the rare clash.
     */
    public Builder connectionIdMinLength(int length) {
      if (length < 1) {
        throw new IllegalArgumentException("minimum identifier length must be at least 1");
      }
      this.minIdLength = length;
      return this;
    }

    /**
     * Replaces the engine's {@link RecipientIdAllocator} (e.g. fixed identifiers in tests). The
     * engine still refuses C_R = C_I and identifiers already pending.
     */
    public Builder connectionIdAllocator(ConnectionIdAllocator a) {
      this.allocator = a;
      return this;
    }

    public Builder listener(EstablishedListener l) {
      listeners.add(Objects.requireNonNull(l));
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    /** Bound on reverse-flow handshakes kept in memory (default 100). */
    public Builder maxReverseSessions(int max) {
      this.maxReverseSessions = max;
      return this;
    }

    public ResponderEngine build() {
      return new ResponderEngine(this);
    }
  }
}
