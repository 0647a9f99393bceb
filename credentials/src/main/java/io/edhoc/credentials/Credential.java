package io.edhoc.credentials;

import io.edhoc.cose.CosePublicKey;

/**
 * An authentication credential as EDHOC uses it (RFC 9528 section 3.5.2): CRED_x exactly as its
 * bytes enter the transcript and the MACs, the authentication public key it carries, and the
 * ID_CRED_x forms that identify it.
 *
 * <p>Implementations never re-encode: {@link #cred()} returns the bytes that were provisioned or
 * received.
 */
public interface Credential {
  /** CRED_x: a CCS map, a CWT, or a DER certificate wrapped in a CBOR byte string. */
  byte[] cred();

  /** The authentication key: a signature key (methods with signatures) or a static DH key. */
  CosePublicKey publicKey();

  /** ID_CRED_x by reference (kid or x5t); null when the credential has no such form. */
  IdCred byReference();

  /** ID_CRED_x by value (kccs, kcwt or x5chain); null when the credential has no such form. */
  IdCred byValue();

  /** A name for logs and errors (subject, kid); never key material. */
  String describe();
}
