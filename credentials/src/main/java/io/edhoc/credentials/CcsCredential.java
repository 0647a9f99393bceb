package io.edhoc.credentials;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeyType;
import io.edhoc.cose.CoseLabels;
import io.edhoc.cose.CosePublicKey;
import java.util.Map;

/**
 * An RPK credential as a CWT Claims Set (RFC 8392) whose cnf claim holds a COSE_Key (RFC 8747),
 * RFC 9528 section 3.5.2. CRED_x is the CCS bytes as given; ID_CRED_x is {4: kid} by reference
 * (kid of the COSE_Key) or {14: CCS} by value.
 */
public final class CcsCredential implements Credential {
  private final byte[] ccs;
  private final CosePublicKey publicKey;
  private final byte[] kid;
  private final String subject;
  private final Long exp;
  private final Long nbf;

  private CcsCredential(byte[] ccs, CosePublicKey publicKey, byte[] kid, String subject, Long exp, Long nbf) {
    this.ccs = ccs;
    this.publicKey = publicKey;
    this.kid = kid;
    this.subject = subject;
    this.exp = exp;
    this.nbf = nbf;
  }

  /** Parses a CCS; the bytes are kept exactly as given. */
  public static CcsCredential parse(byte[] ccs) throws CredentialException {
    try {
      Object v = CborReader.decodeSingle(ccs, "CCS");
      if (!(v instanceof Map)) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "CCS is not a map");
      }
      Map<?, ?> claims = (Map<?, ?>) v;
      Object sub = claims.get((long) CoseLabels.CLAIM_SUB);
      if (sub != null && !(sub instanceof String)) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "CCS sub is not a text string");
      }
      Long exp = optionalInt(claims, CoseLabels.CLAIM_EXP, "exp");
      Long nbf = optionalInt(claims, CoseLabels.CLAIM_NBF, "nbf");
      Object cnf = claims.get((long) CoseLabels.CLAIM_CNF);
      if (!(cnf instanceof Map)) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "CCS has no cnf map");
      }
      Object coseKey = ((Map<?, ?>) cnf).get((long) CoseLabels.CNF_COSE_KEY);
      if (!(coseKey instanceof Map)) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "CCS cnf has no COSE_Key");
      }
      Map<?, ?> key = (Map<?, ?>) coseKey;
      CosePublicKey pk = publicKeyFromCoseKey(key);
      Object kid = key.get((long) CoseLabels.KEY_KID);
      if (kid != null && !(kid instanceof byte[])) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "COSE_Key kid is not a byte string");
      }
      return new CcsCredential(ccs.clone(), pk, (byte[]) kid, (String) sub, exp, nbf);
    } catch (CborException e) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "CCS: " + e.getMessage(), e);
    }
  }

  private static Long optionalInt(Map<?, ?> m, int label, String name) throws CredentialException {
    Object o = m.get((long) label);
    if (o == null) {
      return null;
    }
    if (!(o instanceof Long)) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "CCS " + name + " is not an integer");
    }
    return (Long) o;
  }

  /** Reads the public part of a decoded COSE_Key map (OKP or EC2). */
  public static CosePublicKey publicKeyFromCoseKey(Map<?, ?> key) throws CredentialException {
    Object kty = key.get((long) CoseLabels.KEY_KTY);
    Object crv = key.get((long) CoseLabels.KEY_CRV);
    Object x = key.get((long) CoseLabels.KEY_X);
    Object y = key.get((long) CoseLabels.KEY_Y);
    if (!(kty instanceof Long) || !(crv instanceof Long) || !(x instanceof byte[])) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "COSE_Key needs kty, crv and x");
    }
    CoseKeyType type = CoseKeyType.fromCoseId((Long) kty);
    CoseCurve curve = CoseCurve.fromCoseId((Long) crv);
    if (type == null || curve == null || curve.keyType() != type) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "COSE_Key kty " + kty + " / crv " + crv + " not supported");
    }
    byte[] yb = null;
    if (type == CoseKeyType.EC2) {
      if (!(y instanceof byte[])) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "EC2 COSE_Key needs y as a byte string");
      }
      yb = (byte[]) y;
    } else if (y != null) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "OKP COSE_Key must not have y");
    }
    try {
      return new CosePublicKey(curve, (byte[]) x, yb);
    } catch (IllegalArgumentException e) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "COSE_Key: " + e.getMessage());
    }
  }

  @Override
  public byte[] cred() {
    return ccs.clone();
  }

  @Override
  public CosePublicKey publicKey() {
    return publicKey;
  }

  @Override
  public IdCred byReference() {
    return kid == null ? null : IdCred.kid(kid);
  }

  @Override
  public IdCred byValue() {
    return IdCred.kccs(ccs);
  }

  /** The kid of the COSE_Key, or null. */
  public byte[] kid() {
    return kid == null ? null : kid.clone();
  }

  /** The sub claim, or null. */
  public String subject() {
    return subject;
  }

  /** exp claim (seconds since the epoch) or null. */
  public Long expiresAt() {
    return exp;
  }

  /** nbf claim (seconds since the epoch) or null. */
  public Long notBefore() {
    return nbf;
  }

  @Override
  public String describe() {
    return "CCS" + (subject != null ? " sub=" + subject : "") + (kid != null ? " " + IdCred.kid(kid) : "");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CcsCredential && java.util.Arrays.equals(ccs, ((CcsCredential) o).ccs);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(ccs);
  }

  @Override
  public String toString() {
    return describe();
  }
}
