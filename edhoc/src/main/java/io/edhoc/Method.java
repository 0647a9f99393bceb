package io.edhoc;

/**
 * Authentication methods (RFC 9528 section 3.2; method 4 from draft-ietf-lake-edhoc-psk).
 * For each side, whether it authenticates with a signature or a static DH key (a MAC).
 */
public enum Method {
  /** Initiator signature, Responder signature. */
  SIG_SIG(0, true, true),
  /** Initiator signature, Responder static DH. */
  SIG_STAT(1, true, false),
  /** Initiator static DH, Responder signature. */
  STAT_SIG(2, false, true),
  /** Initiator static DH, Responder static DH. */
  STAT_STAT(3, false, false),
  /** Pre-shared key (draft-ietf-lake-edhoc-psk, suggested value 4). */
  PSK(4, false, false);

  private final int id;
  private final boolean initiatorSigns;
  private final boolean responderSigns;

  Method(int id, boolean initiatorSigns, boolean responderSigns) {
    this.id = id;
    this.initiatorSigns = initiatorSigns;
    this.responderSigns = responderSigns;
  }

  public int id() {
    return id;
  }

  public boolean initiatorSigns() {
    return initiatorSigns;
  }

  public boolean responderSigns() {
    return responderSigns;
  }

  public boolean isPsk() {
    return this == PSK;
  }

  public static Method fromId(long id) {
    for (Method m : values()) {
      if (m.id == id) {
        return m;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "method " + id;
  }
}
