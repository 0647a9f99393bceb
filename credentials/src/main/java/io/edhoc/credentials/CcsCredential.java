package io.edhoc.credentials;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborWriter;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CoseLabels;
import io.edhoc.cose.CosePublicKey;
import java.time.Instant;
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
    try {
      return CoseKeys.publicKey(key);
    } catch (CoseKeys.CoseKeyException e) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, e.getMessage());
    }
  }

  /**
   * Builds a CCS in the layout RFC 9529 prints: {2: sub, (4: exp), (5: nbf), 8: {1: COSE_Key}}
   * with COSE_Key {1: kty, 2: kid, -1: crv, -2: x, (-3: y)}. sub, kid, exp and nbf are optional
   * (null to leave out).
   */
  public static CcsCredential create(String sub, CosePublicKey key, byte[] kid, Long exp, Long nbf) {
    int n = 1 + (sub != null ? 1 : 0) + (exp != null ? 1 : 0) + (nbf != null ? 1 : 0);
    CborWriter w = new CborWriter().writeMapHeader(n);
    if (sub != null) {
      w.writeInt(CoseLabels.CLAIM_SUB).writeText(sub);
    }
    if (exp != null) {
      w.writeInt(CoseLabels.CLAIM_EXP).writeInt(exp);
    }
    if (nbf != null) {
      w.writeInt(CoseLabels.CLAIM_NBF).writeInt(nbf);
    }
    w.writeInt(CoseLabels.CLAIM_CNF).writeMapHeader(1).writeInt(CoseLabels.CNF_COSE_KEY);
    CoseKeys.writePublic(w, key, kid);
    try {
      return parse(w.toByteArray());
    } catch (CredentialException e) {
      throw new IllegalArgumentException("cannot build CCS: " + e.getMessage(), e);
    }
  }

  /** {2: sub, 8: {1: COSE_Key}}. */
  public static CcsCredential create(String sub, CosePublicKey key, byte[] kid) {
    return create(sub, key, kid, null, null);
  }

  /**
   * Checks exp and nbf (when present) against {@code now}: REJECTED "CCS expired" / "CCS not yet
   * valid".
   */
  public void checkValidity(Instant now) throws CredentialException {
    long t = now.getEpochSecond();
    if (exp != null && t >= exp) {
      throw new CredentialException(CredentialException.Reason.REJECTED, "CCS expired (" + describe() + ", exp " + Instant.ofEpochSecond(exp) + ")");
    }
    if (nbf != null && t < nbf) {
      throw new CredentialException(
          CredentialException.Reason.REJECTED, "CCS not yet valid (" + describe() + ", nbf " + Instant.ofEpochSecond(nbf) + ")");
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
