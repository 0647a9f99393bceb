package io.edhoc.crypto;

/** A cryptographic check failed. Messages name the check, never key material. */
public class CryptoException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What failed. */
  public enum Reason {
    /** Peer public key not on the curve, of low order, wrong length, or an all-zero shared secret. */
    INVALID_PUBLIC_KEY,
    /** AEAD tag did not verify. */
    AUTHENTICATION_FAILED,
    /** Parameters the primitive cannot use (lengths, key type). */
    INVALID_PARAMETERS
  }

  private final Reason reason;

  public CryptoException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
