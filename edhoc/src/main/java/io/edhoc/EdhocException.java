package io.edhoc;

/**
 * A handshake step failed and the session is aborted (its secrets are wiped). {@link
 * #errorMessage()} is the EDHOC error message (RFC 9528 section 6) to send to the peer, or null
 * where none is to be sent (e.g. after receiving an error message). The exception message is
 * meant for logs: it names the failed check and never contains keys or plaintexts.
 */
public class EdhocException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Failure failure;
  private final int errorCode;
  private final byte[] errorMessage;

  public EdhocException(Failure failure, int errorCode, byte[] errorMessage, String message) {
    super(message);
    this.failure = failure;
    this.errorCode = errorCode;
    this.errorMessage = errorMessage == null ? null : errorMessage.clone();
  }

  /** The category of the failure. */
  public Failure failure() {
    return failure;
  }

  /** ERR_CODE of the error message to send (1, 2 or 3), or 0 when none is to be sent. */
  public int errorCode() {
    return errorCode;
  }

  /** The EDHOC error message to send, or null. */
  public byte[] errorMessage() {
    return errorMessage == null ? null : errorMessage.clone();
  }

  public boolean hasErrorMessage() {
    return errorMessage != null;
  }
}
