package io.edhoc.cose;

/** COSE elliptic curves (RFC 9053 section 7.1) used by EDHOC cipher suites. */
public enum CoseCurve {
  P_256(1, CoseKeyType.EC2, 32, Use.BOTH),
  P_384(2, CoseKeyType.EC2, 48, Use.BOTH),
  X25519(4, CoseKeyType.OKP, 32, Use.KEY_AGREEMENT),
  X448(5, CoseKeyType.OKP, 56, Use.KEY_AGREEMENT),
  ED25519(6, CoseKeyType.OKP, 32, Use.SIGNATURE),
  ED448(7, CoseKeyType.OKP, 57, Use.SIGNATURE);

  /** What a key on this curve can do. EC2 curves serve both ECDH and ECDSA. */
  public enum Use {
    KEY_AGREEMENT,
    SIGNATURE,
    BOTH;

    public boolean signs() {
      return this != KEY_AGREEMENT;
    }

    public boolean agrees() {
      return this != SIGNATURE;
    }
  }

  private final int coseId;
  private final CoseKeyType keyType;
  private final int coordinateLength;
  private final Use use;

  CoseCurve(int coseId, CoseKeyType keyType, int coordinateLength, Use use) {
    this.coseId = coseId;
    this.keyType = keyType;
    this.coordinateLength = coordinateLength;
    this.use = use;
  }

  public int coseId() {
    return coseId;
  }

  public CoseKeyType keyType() {
    return keyType;
  }

  /** Bytes of x (and y for EC2), and of a private scalar / seed. */
  public int coordinateLength() {
    return coordinateLength;
  }

  public Use use() {
    return use;
  }

  public static CoseCurve fromCoseId(long id) {
    for (CoseCurve c : values()) {
      if (c.coseId == id) {
        return c;
      }
    }
    return null;
  }
}
