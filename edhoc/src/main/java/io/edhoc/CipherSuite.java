package io.edhoc;

import io.edhoc.cose.CoseCurve;
import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import io.edhoc.crypto.SignatureAlgorithm;

/** The cipher suites of RFC 9528 section 10.2, with every parameter the protocol needs. */
public enum CipherSuite {
  SUITE_0(0, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256, 8, CoseCurve.X25519, SignatureAlgorithm.EDDSA, CoseCurve.ED25519, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256),
  SUITE_1(1, AeadAlgorithm.AES_CCM_16_128_128, HashAlgorithm.SHA_256, 16, CoseCurve.X25519, SignatureAlgorithm.EDDSA, CoseCurve.ED25519, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256),
  SUITE_2(2, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256, 8, CoseCurve.P_256, SignatureAlgorithm.ES256, CoseCurve.P_256, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256),
  SUITE_3(3, AeadAlgorithm.AES_CCM_16_128_128, HashAlgorithm.SHA_256, 16, CoseCurve.P_256, SignatureAlgorithm.ES256, CoseCurve.P_256, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256),
  SUITE_4(4, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA_256, 16, CoseCurve.X25519, SignatureAlgorithm.EDDSA, CoseCurve.ED25519, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA_256),
  SUITE_5(5, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA_256, 16, CoseCurve.P_256, SignatureAlgorithm.ES256, CoseCurve.P_256, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA_256),
  SUITE_6(6, AeadAlgorithm.A128GCM, HashAlgorithm.SHA_256, 16, CoseCurve.X25519, SignatureAlgorithm.ES256, CoseCurve.P_256, AeadAlgorithm.A128GCM, HashAlgorithm.SHA_256),
  SUITE_24(24, AeadAlgorithm.A256GCM, HashAlgorithm.SHA_384, 16, CoseCurve.P_384, SignatureAlgorithm.ES384, CoseCurve.P_384, AeadAlgorithm.A256GCM, HashAlgorithm.SHA_384),
  SUITE_25(25, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHAKE256, 16, CoseCurve.X448, SignatureAlgorithm.EDDSA, CoseCurve.ED448, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHAKE256);

  private final int id;
  private final AeadAlgorithm edhocAead;
  private final HashAlgorithm edhocHash;
  private final int macLength;
  private final CoseCurve dhCurve;
  private final SignatureAlgorithm signature;
  private final CoseCurve signatureCurve;
  private final AeadAlgorithm applicationAead;
  private final HashAlgorithm applicationHash;

  CipherSuite(int id, AeadAlgorithm edhocAead, HashAlgorithm edhocHash, int macLength, CoseCurve dhCurve, SignatureAlgorithm signature,
      CoseCurve signatureCurve, AeadAlgorithm applicationAead, HashAlgorithm applicationHash) {
    this.id = id;
    this.edhocAead = edhocAead;
    this.edhocHash = edhocHash;
    this.macLength = macLength;
    this.dhCurve = dhCurve;
    this.signature = signature;
    this.signatureCurve = signatureCurve;
    this.applicationAead = applicationAead;
    this.applicationHash = applicationHash;
  }

  /** The value in SUITES_I. */
  public int id() {
    return id;
  }

  public AeadAlgorithm edhocAead() {
    return edhocAead;
  }

  public HashAlgorithm edhocHash() {
    return edhocHash;
  }

  /** hash_length. */
  public int hashLength() {
    return edhocHash.length();
  }

  /** EDHOC MAC length (used as mac_length_x with static-DH authentication). */
  public int macLength() {
    return macLength;
  }

  /** Curve of the ephemeral and static DH keys. */
  public CoseCurve dhCurve() {
    return dhCurve;
  }

  public SignatureAlgorithm signatureAlgorithm() {
    return signature;
  }

  /** Curve of the signature keys. */
  public CoseCurve signatureCurve() {
    return signatureCurve;
  }

  public AeadAlgorithm applicationAead() {
    return applicationAead;
  }

  public HashAlgorithm applicationHash() {
    return applicationHash;
  }

  /** values() copies the array on every call; this is looked up per stored session. */
  private static final CipherSuite[] ALL = values();

  public static CipherSuite fromId(long id) {
    for (CipherSuite s : ALL) {
      if (s.id == id) {
        return s;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "suite " + id;
  }
}
