package io.edhoc.oscore;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.EdhocPeerErrorException;
import io.edhoc.EdhocSession;
import io.edhoc.ErrorMessage;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.credentials.ConnectionIdCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one initiator flow of RFC 9528 Appendix A.2 over any {@link EdhocTransport}, used by the
 * binding's {@link EdhocCoapClient}, the service's {@code connect} and {@code bench}:
 *
 * <ol>
 *   <li>POST {@code true || message_1}; a success carries message_2, anything else is decoded (an
 *       EDHOC error message only when the answer says it is EDHOC content);
 *   <li>ERR_CODE 2 (section 6.3): one retry with SUITES_I up to the most preferred suite both sides
 *       support ({@link Initiator.AwaitingMessage2#retryAfter}), unless negotiation is off;
 *   <li>message_2 that fails verification: the EDHOC error message is POSTed as {@code C_R ||
 *       error} (section 5.3.3: the Initiator MUST send it), so the Responder drops its half-open
 *       session at once;
 *   <li>POST {@code C_R || message_3} (or hand message_3 to the caller for an RFC 9668 combined
 *       request, {@link #firstRoundTrip()}); read message_4 when the answer carries one, and
 *       require it where the method or the profile does.
 * </ol>
 *
 * Everything is asynchronous: the crypto of each step runs on the thread that completed the
 * transport's future, so a load generator runs many handshakes on few threads. Failures complete
 * the future with a {@link FlowException} whose message is safe to print.
 */
public final class InitiatorFlow {
  private static final byte CBOR_TRUE = (byte) 0xf5;

  private final EdhocConfig config;
  private final Method method;
  private final EdhocTransport transport;
  private boolean negotiate = true;
  private boolean expectMessage4;

  public InitiatorFlow(EdhocConfig config, Method method, EdhocTransport transport) {
    this.config = Objects.requireNonNull(config);
    this.method = Objects.requireNonNull(method);
    this.transport = Objects.requireNonNull(transport);
  }

  /** Starts with the configuration's first method. */
  public InitiatorFlow(EdhocConfig config, EdhocTransport transport) {
    this(config, config.methods().get(0), transport);
  }

  /** Whether an ERR_CODE 2 answer leads to a retry with another suite (default true). */
  public InitiatorFlow negotiate(boolean on) {
    this.negotiate = on;
    return this;
  }

  /** The application profile has the Responder send message_4 (always so for method 4). */
  public InitiatorFlow expectMessage4(boolean expect) {
    this.expectMessage4 = expect;
    return this;
  }

  /**
   * message_1 -> message_2 verified -> message_3 written, ready to send; {@code negotiated} when an
   * ERR_CODE 2 led to a retry, {@code suitesR} the suites the server then offered (else null).
   */
  public record FirstLeg(Initiator.AwaitingMessage4 state, boolean negotiated, List<Integer> suitesR) {}

  /** A completed handshake: the session (the caller closes it) and its OSCORE context (A.1). */
  public record Completed(EdhocSession session, OscoreContext oscore, boolean message4Received, boolean negotiated, List<Integer> suitesR) {}

  /** Why a handshake did not complete; {@link #getMessage()} is a sentence for a user. */
  public static final class FlowException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for exit codes, metrics and load generators. */
    public enum Kind {
      /** No answer: nothing listening, connection refused, timeout. */
      UNREACHABLE,
      /** The server shed the request (5.03 / 503). */
      OVERLOADED,
      /** An answer that is neither an EDHOC message nor an EDHOC error (e.g. 4.04, HTTP 404). */
      UNEXPECTED_ANSWER,
      /** The server sent an EDHOC error message. */
      PEER_ERROR,
      /** The server's message did not verify here (an EDHOC error was sent back where possible). */
      REJECTED,
      /** This side cannot run the handshake (no credential for the method and suite). */
      LOCAL
    }

    private final Kind kind;
    private final String step;
    private final transient EdhocException edhoc;
    private final boolean errorSent;

    FlowException(Kind kind, String step, String message, Throwable cause, boolean errorSent) {
      super(message, cause);
      this.kind = kind;
      this.step = step;
      this.edhoc = cause instanceof EdhocException e ? e : null;
      this.errorSent = errorSent;
    }

    public Kind kind() {
      return kind;
    }

    /** The message whose answer failed: {@code message_1}, {@code message_2}, {@code message_3}. */
    public String step() {
      return step;
    }

    /** The EDHOC failure behind this one (a received error message included), or null. */
    public EdhocException edhocCause() {
      return edhoc;
    }

    /** ERR_CODE of the server's error message, or 0. */
    public int peerErrorCode() {
      return edhoc instanceof EdhocPeerErrorException p ? p.peerErrorCode() : 0;
    }

    /** True if this side sent an EDHOC error message to the server before giving up. */
    public boolean errorSent() {
      return errorSent;
    }
  }

  /** The whole handshake: message_3 in its own POST, then message_4 if any. */
  public CompletableFuture<Completed> run() {
    return firstRoundTrip().thenCompose(leg -> {
      Initiator.AwaitingMessage4 w4 = leg.state();
      byte[] req3 = concat(ConnectionIdCodec.encode(w4.connectionIdR()), w4.message3());
      return post(req3, "message_3").whenComplete((r4, failure) -> {
        if (failure != null) {
          w4.abort(); // no answer to message_3: nothing will complete this state
        }
      }).thenApply(r4 -> finish(leg, r4));
    });
  }

  /**
   * The first round trip and message_3 (for an RFC 9668 combined request the caller sends it with
   * its first OSCORE request).
   */
  public CompletableFuture<FirstLeg> firstRoundTrip() {
    CompletableFuture<FirstLeg> result = new CompletableFuture<>();
    try {
      attempt(Edhoc.initiator(config, method), false, null, result);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  /** {@code true || message_1}: the request body of A.2 for message_1. */
  public static byte[] message1Request(byte[] message1) {
    return concat(new byte[] {CBOR_TRUE}, message1);
  }

  /** A sentence for an EDHOC error message received from the server. */
  public static String describePeerError(EdhocPeerErrorException e) {
    return describeError(e.received());
  }

  /** A sentence for an EDHOC error message (RFC 9528 section 6): ERR_CODE in words. */
  public static String describeError(ErrorMessage m) {
    String diag = m.diagnostic();
    return switch (m.code()) {
      case ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED ->
          "the server does not know or trust your credential (EDHOC ERR_CODE 3, unknown credential referenced)";
      case ErrorMessage.WRONG_SELECTED_CIPHER_SUITE ->
          "the server does not accept the selected cipher suite; it offers suites " + m.suitesR() + " (EDHOC ERR_CODE 2)";
      case ErrorMessage.UNSPECIFIED -> EdhocCombinedLayer.UNKNOWN_CREDENTIAL_DIAGNOSTIC.equals(diag)
          ? "the server does not know or trust your credential (EDHOC ERR_CODE 1: " + diag + ")"
          : "the server reported an error (EDHOC ERR_CODE 1)" + (diag != null ? ": " + diag : "");
      default -> "the server sent EDHOC ERR_CODE " + m.code() + (diag != null ? ": " + diag : "");
    };
  }

  // ------------------------------------------------------------------------------------------

  private void attempt(Initiator initiator, boolean retried, List<Integer> suitesR, CompletableFuture<FirstLeg> result) {
    Initiator.AwaitingMessage2 w2;
    try {
      w2 = initiator.writeMessage1();
    } catch (EdhocException e) {
      result.completeExceptionally(new FlowException(FlowException.Kind.LOCAL, "message_1", "cannot write message_1: " + e.getMessage(), e, false));
      return;
    }
    post(message1Request(w2.message1()), "message_1").whenComplete((r2, failure) -> {
      if (failure != null) {
        result.completeExceptionally(unwrap(failure));
        return;
      }
      try {
        onMessage2(w2, r2, retried, suitesR, result);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
  }

  private void onMessage2(Initiator.AwaitingMessage2 w2, EdhocTransport.Reply r2, boolean retried, List<Integer> suitesR,
      CompletableFuture<FirstLeg> result) {
    boolean success = r2.kind() == EdhocTransport.Kind.SUCCESS;
    if (!success && !(r2.edhocBody() && r2.body().length > 0)) {
      result.completeExceptionally(notSuccess(r2, "message_1"));
      return;
    }
    if (r2.body().length == 0) {
      result.completeExceptionally(new FlowException(FlowException.Kind.UNEXPECTED_ANSWER, "message_1",
          "the server answered message_1 with " + r2.status() + " and no message_2", null, false));
      return;
    }
    Initiator.Message2Verified v2;
    try {
      // the core reads message_2 or the error message in its place (and wipes the ephemeral key)
      v2 = w2.readMessage2(r2.body());
    } catch (EdhocPeerErrorException e) {
      if (e.peerErrorCode() == ErrorMessage.WRONG_SELECTED_CIPHER_SUITE) {
        negotiateOrFail(w2, e, retried, result);
      } else {
        result.completeExceptionally(new FlowException(FlowException.Kind.PEER_ERROR, "message_1",
            "the server refused message_1 (" + r2.status() + "): " + describePeerError(e), e, false));
      }
      return;
    } catch (EdhocException e) {
      if (!success) {
        result.completeExceptionally(notAnError(r2, "message_1"));
      } else {
        rejectMessage2(w2.peerConnectionId(), e.hasErrorMessage() ? e.errorMessage() : null, "message_2 rejected: " + e.getMessage(), e, result);
      }
      return;
    }
    if (!success) {
      v2.abort();
      result.completeExceptionally(notAnError(r2, "message_1"));
      return;
    }
    if (Arrays.equals(v2.connectionIdR(), v2.connectionIdI())) {
      v2.abort();
      rejectMessage2(v2.connectionIdR(), ErrorMessage.unspecified("C_R equals C_I"),
          "message_2 rejected: the server chose C_R = C_I (it would be both OSCORE Sender and Recipient ID)", null, result);
      return;
    }
    try {
      result.complete(new FirstLeg(v2.writeMessage3(), retried, suitesR));
    } catch (EdhocException e) {
      result.completeExceptionally(new FlowException(FlowException.Kind.LOCAL, "message_2", "cannot write message_3: " + e.getMessage(), e, false));
    }
  }

  private void negotiateOrFail(Initiator.AwaitingMessage2 w2, EdhocPeerErrorException e, boolean retried, CompletableFuture<FirstLeg> result) {
    List<Integer> offered = e.suitesR();
    if (!negotiate) {
      result.completeExceptionally(new FlowException(FlowException.Kind.PEER_ERROR, "message_1", "the server does not accept cipher suite "
          + w2.suite().id() + " and offers suites " + offered + "; falling back to another suite is switched off", e, false));
      return;
    }
    if (retried) {
      result.completeExceptionally(new FlowException(FlowException.Kind.PEER_ERROR, "message_1",
          "the server refused the negotiated cipher suite " + w2.suite().id() + " as well; it offers suites " + offered, e, false));
      return;
    }
    Initiator next;
    try {
      next = w2.retryAfter(e);
    } catch (EdhocException none) {
      result.completeExceptionally(new FlowException(FlowException.Kind.PEER_ERROR, "message_1", "no cipher suite in common: the server offers suites "
          + offered + ", these credentials allow " + ids(config.suites()), e, false));
      return;
    }
    attempt(next, true, offered, result);
  }

  /** Section 5.3.3: send the error message prefixed with C_R (A.2), then fail either way. */
  private void rejectMessage2(byte[] cR, byte[] error, String message, EdhocException cause, CompletableFuture<FirstLeg> result) {
    if (cR == null || error == null) {
      result.completeExceptionally(new FlowException(FlowException.Kind.REJECTED, "message_2", message, cause, false));
      return;
    }
    post(concat(ConnectionIdCodec.encode(cR), error), "error").whenComplete((ignored, failure) -> result.completeExceptionally(
        new FlowException(FlowException.Kind.REJECTED, "message_2", message + " (EDHOC error message sent to the server)", cause, failure == null)));
  }

  private Completed finish(FirstLeg leg, EdhocTransport.Reply r4) {
    Initiator.AwaitingMessage4 w4 = leg.state();
    boolean success = r4.kind() == EdhocTransport.Kind.SUCCESS;
    if (!success && !(r4.edhocBody() && r4.body().length > 0)) {
      w4.abort();
      throw new CompletionException(notSuccess(r4, "message_3"));
    }
    boolean needs4 = expectMessage4 || w4.method().isPsk();
    boolean got4 = r4.body().length > 0;
    EdhocSession s;
    try {
      if (got4) {
        // message_4, or the error message in its place
        s = w4.readMessage4(r4.body());
      } else if (needs4) {
        w4.abort();
        throw new CompletionException(new FlowException(FlowException.Kind.UNEXPECTED_ANSWER, "message_3",
            "the server answered message_3 with " + r4.status() + " but no message_4, which " + (w4.method().isPsk() ? "method 4" : "this profile")
                + " requires", null, false));
      } else {
        s = w4.complete();
      }
    } catch (EdhocPeerErrorException e) {
      throw new CompletionException(new FlowException(FlowException.Kind.PEER_ERROR, "message_3",
          "the server refused message_3 (" + r4.status() + "): " + describePeerError(e), e, false));
    } catch (EdhocException e) {
      throw new CompletionException(success
          ? new FlowException(FlowException.Kind.REJECTED, "message_4", "message_4 rejected: " + e.getMessage(), e, false)
          : notAnError(r4, "message_3"));
    }
    if (!success) {
      s.close();
      throw new CompletionException(notAnError(r4, "message_3"));
    }
    try {
      return new Completed(s, OscoreContext.fromEdhoc(s), got4, leg.negotiated(), leg.suitesR());
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** A non-success answer without EDHOC content: shedding, or an answer from something else. */
  static FlowException notSuccess(EdhocTransport.Reply r, String step) {
    if (r.kind() == EdhocTransport.Kind.OVERLOADED) {
      return new FlowException(FlowException.Kind.OVERLOADED, step, "the server is overloaded and shed " + step + " (" + r.status() + ")", null, false);
    }
    return new FlowException(FlowException.Kind.UNEXPECTED_ANSWER, step, "the server answered " + step + " with " + r.status() + hint(r.status()), null, false);
  }

  private static FlowException notAnError(EdhocTransport.Reply r, String step) {
    return new FlowException(FlowException.Kind.UNEXPECTED_ANSWER, step,
        "the server answered " + step + " with " + r.status() + " and a body that is not an EDHOC error message", null, false);
  }

  private static String hint(String status) {
    if (status.contains("404") || status.contains("4.04")) {
      return ": no EDHOC resource at that path (usually " + EdhocCoapClient.EDHOC_PATH + ")";
    }
    if (status.startsWith("4.01")) {
      return ": the server refused the request twice (its RFC 9175 Echo reachability check failed, or access control)";
    }
    if (status.contains("405") || status.contains("4.05")) {
      return ": that resource does not take POST (is it the EDHOC resource, usually " + EdhocCoapClient.EDHOC_PATH + "?)";
    }
    return "";
  }

  private CompletableFuture<EdhocTransport.Reply> post(byte[] body, String step) {
    CompletableFuture<EdhocTransport.Reply> f;
    try {
      f = transport.post(body);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle((r, failure) -> {
      if (failure == null) {
        return r;
      }
      Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (t instanceof FlowException fe) {
        throw new CompletionException(fe);
      }
      String why = t instanceof IOException && t.getMessage() != null ? t.getMessage() : t.toString();
      throw new CompletionException(new FlowException(FlowException.Kind.UNREACHABLE, step, why, t, false));
    });
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static List<Integer> ids(List<CipherSuite> suites) {
    List<Integer> out = new ArrayList<>();
    suites.forEach(s -> out.add(s.id()));
    return out;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
