package io.edhoc.credentials;

/**
 * A credential could not be found, parsed or trusted. The reason tells the EDHOC core which error
 * to send (UNKNOWN gives ERR_CODE 3, RFC 9528 section 6.4); the message names the problem for the
 * log and never contains key material.
 */
public class CredentialException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a credential was not accepted. */
  public enum Reason {
    /** A referenced credential (kid, x5t) is not known: ERR_CODE 3 on the wire. */
    UNKNOWN,
    /** The credential is known or sent by value but fails validation or policy. */
    REJECTED,
    /** The credential or ID_CRED is not well-formed. */
    MALFORMED,
    /** The key type does not fit the method or the cipher suite. */
    WRONG_KEY_TYPE
  }

  private final Reason reason;

  public CredentialException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public CredentialException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
