package io.edhoc.cose;

/** COSE key types (RFC 9053 section 7). */
public enum CoseKeyType {
  OKP(1),
  EC2(2),
  SYMMETRIC(4);

  private final int coseId;

  CoseKeyType(int coseId) {
    this.coseId = coseId;
  }

  public int coseId() {
    return coseId;
  }

  public static CoseKeyType fromCoseId(long id) {
    for (CoseKeyType t : values()) {
      if (t.coseId == id) {
        return t;
      }
    }
    return null;
  }
}
