package io.edhoc.oscore;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One POST to an EDHOC resource with the framing of RFC 9528 Appendix A.2 (request body {@code
 * true || message_1} or {@code C_R || message}, media type application/cid-edhoc+cbor-seq): the
 * only thing {@link InitiatorFlow} needs from a transport. Implementations are thin adapters: CoAP
 * ({@link CoapEdhocTransport}), HTTP (the service's), or anything with request and response.
 */
public interface EdhocTransport {
  /**
   * Sends {@code body}; the future completes with the server's answer, whatever its status, or
   * exceptionally with an {@link java.io.IOException} whose message says why there is none
   * (nothing listening, timeout). Never blocks the caller.
   */
  CompletableFuture<Reply> post(byte[] body);

  /** Where the requests go (for messages), e.g. {@code coap://127.0.0.1:5683/.well-known/edhoc}. */
  String target();

  /** How the answer's status reads, independent of the transport. */
  enum Kind {
    /** 2.xx / 2xx: the body is message_2, message_4 or empty. */
    SUCCESS,
    /** 5.03 / 503: the server shed the request (overload); nothing was processed. */
    OVERLOADED,
    /** Any other status. */
    ERROR
  }

  /**
   * A server's answer.
   *
   * @param status the status as the transport names it, once (e.g. {@code 4.04 Not Found}, {@code
   *     HTTP 404})
   * @param edhocBody the body is EDHOC content (media type application/edhoc+cbor-seq, or none
   *     given where this server sends EDHOC error messages): only then is it parsed as an EDHOC error
   */
  record Reply(Kind kind, String status, byte[] body, boolean edhocBody) {
    public Reply {
      Objects.requireNonNull(kind);
      Objects.requireNonNull(status);
      body = body == null ? new byte[0] : body;
    }
  }
}
