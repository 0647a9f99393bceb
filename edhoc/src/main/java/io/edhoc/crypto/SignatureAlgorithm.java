package io.edhoc.crypto;

/** Signature algorithms of the EDHOC cipher suites (COSE ids). */
public enum SignatureAlgorithm {
  EDDSA(-8),
  ES256(-7),
  ES384(-35);

  private final int coseId;

  SignatureAlgorithm(int coseId) {
    this.coseId = coseId;
  }

  public int coseId() {
    return coseId;
  }
}
