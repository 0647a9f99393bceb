package io.edhoc.credentials;

import io.edhoc.cose.CosePrivateKey;
import java.util.Objects;

/**
 * One's own credential: CRED_x, the matching private key, and the ID_CRED_x to send (by
 * reference or by value). Its {@link #toString()} never shows the private key.
 */
public final class OwnCredential {
  private final Credential credential;
  private final CosePrivateKey privateKey;
  private final IdCred idCredToSend;

  public OwnCredential(Credential credential, CosePrivateKey privateKey, IdCred idCredToSend) {
    this.credential = Objects.requireNonNull(credential, "credential");
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    this.idCredToSend = Objects.requireNonNull(idCredToSend, "idCredToSend");
    if (privateKey.curve() != credential.publicKey().curve()) {
      throw new IllegalArgumentException("private key and credential are on different curves");
    }
  }

  /** Sends ID_CRED by reference (kid / x5t). */
  public static OwnCredential byReference(Credential c, CosePrivateKey k) {
    if (c.byReference() == null) {
      throw new IllegalArgumentException(c.describe() + " has no by-reference ID_CRED");
    }
    return new OwnCredential(c, k, c.byReference());
  }

  /** Sends ID_CRED by value (kccs / x5chain). */
  public static OwnCredential byValue(Credential c, CosePrivateKey k) {
    if (c.byValue() == null) {
      throw new IllegalArgumentException(c.describe() + " has no by-value ID_CRED");
    }
    return new OwnCredential(c, k, c.byValue());
  }

  public Credential credential() {
    return credential;
  }

  public CosePrivateKey privateKey() {
    return privateKey;
  }

  public IdCred idCredToSend() {
    return idCredToSend;
  }

  @Override
  public String toString() {
    return "OwnCredential[" + credential.describe() + ", sent as " + idCredToSend + "]";
  }
}
