package io.edhoc;

import java.util.List;

/**
 * The peer answered with an EDHOC error message. No error message is sent back. For ERR_CODE 2
 * the initiator may continue with {@link Initiator.AwaitingMessage2#retryAfter(EdhocPeerErrorException)}.
 */
public final class EdhocPeerErrorException extends EdhocException {
  private static final long serialVersionUID = 1L;

  private final ErrorMessage received;

  EdhocPeerErrorException(ErrorMessage received) {
    super(Failure.PEER_ERROR, 0, null, "peer sent EDHOC error " + received);
    this.received = received;
  }

  /** ERR_CODE as received. */
  public int peerErrorCode() {
    return received.code();
  }

  /** SUITES_R for ERR_CODE 2, else an empty list. */
  public List<Integer> suitesR() {
    return received.suitesR();
  }

  /** The diagnostic text for ERR_CODE 1, else null. Peer-controlled: log it, do not trust it. */
  public String diagnostic() {
    return received.diagnostic();
  }

  public ErrorMessage received() {
    return received;
  }
}
