package io.edhoc.service.client;

import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.EdhocPeerErrorException;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.oscore.OscoreContext;
import java.io.IOException;

/**
 * The initiator side of RFC 9528 Appendix A.2 over any request/response transport: POST {@code
 * true || message_1}, then {@code C_R || message_3}; message_4 when the server sends one. One
 * retry after ERR_CODE 2 (cipher suite negotiation, section 6.3.2).
 */
public final class EdhocClient {
  /** One POST to the EDHOC resource. */
  public interface Transport {
    /** Sends the body with media type application/cid-edhoc+cbor-seq. */
    Reply post(byte[] body) throws IOException;
  }

  /** A transport's answer: success (2.04 / 200) or not, and the body. */
  public record Reply(boolean success, String status, byte[] body) {}

  /** The outcome: the session (caller closes it) and its OSCORE context (A.1). */
  public record Outcome(EdhocSession session, OscoreContext oscore, boolean message4Received, boolean retried) {}

  /** A handshake that failed; the message is safe to print. */
  public static final class ClientException extends Exception {
    private static final long serialVersionUID = 1L;

    public ClientException(String message) {
      super(message);
    }
  }

  private EdhocClient() {}

  public static Outcome run(EdhocConfig config, Method method, Transport transport) throws ClientException, IOException {
    Initiator initiator = Edhoc.initiator(config, method);
    boolean retried = false;
    for (int attempt = 0; ; attempt++) {
      Initiator.AwaitingMessage2 w2;
      try {
        w2 = initiator.writeMessage1();
      } catch (EdhocException e) {
        throw new ClientException("cannot write message_1: " + e.getMessage());
      }
      byte[] m1 = w2.message1();
      byte[] req1 = new byte[m1.length + 1];
      req1[0] = (byte) 0xf5;
      System.arraycopy(m1, 0, req1, 1, m1.length);
      Reply r2 = transport.post(req1);
      Initiator.Message2Verified v2;
      try {
        if (r2.body().length == 0) {
          throw new ClientException("server answered message_1 with " + r2.status() + " and no body");
        }
        v2 = w2.readMessage2(r2.body());
      } catch (EdhocPeerErrorException e) {
        if (e.peerErrorCode() == 2 && attempt == 0) {
          try {
            initiator = w2.retryAfter(e);
            retried = true;
            continue;
          } catch (EdhocException again) {
            throw new ClientException("no cipher suite in common: server supports " + e.suitesR());
          }
        }
        throw new ClientException("server sent an EDHOC error (" + r2.status() + "), ERR_CODE " + e.peerErrorCode()
            + (e.diagnostic() != null ? ": " + e.diagnostic() : ""));
      } catch (EdhocException e) {
        throw new ClientException("message_2 rejected (" + r2.status() + "): " + e.getMessage());
      }
      Initiator.AwaitingMessage4 w4;
      try {
        w4 = v2.writeMessage3();
      } catch (EdhocException e) {
        throw new ClientException("cannot write message_3: " + e.getMessage());
      }
      byte[] prefix = ConnectionIdCodec.encode(w4.connectionIdR());
      byte[] m3 = w4.message3();
      byte[] req3 = new byte[prefix.length + m3.length];
      System.arraycopy(prefix, 0, req3, 0, prefix.length);
      System.arraycopy(m3, 0, req3, prefix.length, m3.length);
      Reply r4 = transport.post(req3);
      if (!r4.success()) {
        String detail = "";
        try {
          w4.readMessage4(r4.body());
        } catch (EdhocPeerErrorException e) {
          detail = ": ERR_CODE " + e.peerErrorCode() + (e.diagnostic() != null ? " " + e.diagnostic() : "");
        } catch (EdhocException | RuntimeException e) {
          detail = "";
        }
        throw new ClientException("server refused message_3 (" + r4.status() + ")" + detail);
      }
      EdhocSession s;
      boolean got4 = r4.body().length > 0;
      try {
        s = got4 ? w4.readMessage4(r4.body()) : w4.complete();
      } catch (EdhocException e) {
        throw new ClientException("message_4 rejected: " + e.getMessage());
      } catch (IllegalStateException e) {
        throw new ClientException("handshake cannot complete without message_4: " + e.getMessage());
      }
      return new Outcome(s, OscoreContext.fromEdhoc(s), got4, retried);
    }
  }
}
