package io.edhoc.credentials;

import io.edhoc.cose.CoseCurve;

/**
 * What the peer's authentication key must do in the handshake being run: sign (methods 0-3 on the
 * signing side), act as a static DH key (methods 1-3 on the MAC side), or {@link #ANY} when the
 * caller does not say.
 *
 * <p>The EDHOC core knows it from the method and the peer's role: {@code
 * CredentialUsage.of(role == INITIATOR ? method.responderSigns() : method.initiatorSigns())}.
 */
public enum CredentialUsage {
  /** The peer signs: X.509 key usage must allow digitalSignature; the key must be a signature key. */
  SIGNATURE,
  /** The peer authenticates with a static DH key: key usage must allow keyAgreement. */
  STATIC_DH,
  /**
   * Not stated: only what the key type itself implies is checked (an Ed25519 certificate needs
   * digitalSignature, an X25519 one keyAgreement; an EC key either).
   */
  ANY;

  /** SIGNATURE when the peer signs, STATIC_DH otherwise. */
  public static CredentialUsage of(boolean peerSigns) {
    return peerSigns ? SIGNATURE : STATIC_DH;
  }

  /** The usage implied by a curve when the caller said ANY; ANY for EC2 curves (both uses). */
  public static CredentialUsage impliedBy(CoseCurve curve) {
    switch (curve.use()) {
      case SIGNATURE:
        return SIGNATURE;
      case KEY_AGREEMENT:
        return STATIC_DH;
      default:
        return ANY;
    }
  }

  /** Fails with WRONG_KEY_TYPE when the credential's key cannot serve this usage. */
  public void checkKeyType(Credential c) throws CredentialException {
    CoseCurve curve = c.publicKey().curve();
    if (this == SIGNATURE && !curve.use().signs()) {
      throw new CredentialException(
          CredentialException.Reason.WRONG_KEY_TYPE, c.describe() + ": " + curve + " key cannot sign (signature method)");
    }
    if (this == STATIC_DH && !curve.use().agrees()) {
      throw new CredentialException(
          CredentialException.Reason.WRONG_KEY_TYPE, c.describe() + ": " + curve + " key cannot do static DH (static DH method)");
    }
  }
}
