package io.edhoc.credentials;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborWriter;
import io.edhoc.cose.CoseKeyType;
import io.edhoc.cose.CoseLabels;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import javax.security.auth.Destroyable;

/**
 * A pre-shared key entry for method 4 (draft-ietf-lake-edhoc-psk section 3.1): ID_CRED_PSK, the
 * PSK, and CRED_I / CRED_R exactly as provisioned. The usual shape of CRED_x is a CCS whose cnf
 * holds a symmetric COSE_Key {1: 4, 2: kid, -1: PSK}; {@link #fromCcs(byte[], byte[])} reads the
 * PSK and kid from there.
 *
 * <p>The PSK never appears in {@link #toString()}; {@link #destroy()} wipes it.
 */
public final class PskCredential implements Destroyable {
  private final IdCred idCredPsk;
  private final byte[] psk;
  private final byte[] credI;
  private final byte[] credR;
  private final String name;
  private volatile boolean destroyed;

  private PskCredential(IdCred idCredPsk, byte[] psk, byte[] credI, byte[] credR, String name) {
    this.idCredPsk = idCredPsk;
    this.psk = psk.clone();
    this.credI = credI.clone();
    this.credR = credR.clone();
    this.name = name;
  }

  /**
   * A PSK entry from its parts. CRED_I and CRED_R must each be one well-formed CBOR item and must
   * differ (the draft requires distinct identities). When a CRED_x is a CCS with a symmetric
   * COSE_Key, its key must be the PSK and its kid the kid of ID_CRED_PSK.
   */
  public static PskCredential of(IdCred idCredPsk, byte[] psk, byte[] credI, byte[] credR) throws CredentialException {
    Objects.requireNonNull(idCredPsk, "idCredPsk");
    if (psk == null || psk.length < 16) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "PSK must be at least 16 bytes");
    }
    if (idCredPsk.isByValue()) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "ID_CRED_PSK must identify the PSK by reference (kid)");
    }
    String sub = null;
    for (byte[] cred : new byte[][] {credI, credR}) {
      String which = cred == credI ? "CRED_I" : "CRED_R";
      try {
        CborReader.checkSingleItem(cred, which);
      } catch (CborException e) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, which + ": " + e.getMessage());
      }
      Symmetric s = symmetricKeyOf(cred, which);
      if (s != null) {
        if (!MessageDigest.isEqual(s.k, psk)) {
          Arrays.fill(s.k, (byte) 0);
          throw new CredentialException(CredentialException.Reason.MALFORMED, which + " carries another key than the PSK");
        }
        Arrays.fill(s.k, (byte) 0);
        if (idCredPsk.kind() == IdCred.Kind.KID && s.kid != null && !Arrays.equals(s.kid, idCredPsk.kid())) {
          throw new CredentialException(CredentialException.Reason.MALFORMED, which + " kid differs from ID_CRED_PSK");
        }
        if (sub == null) {
          sub = s.sub;
        }
      }
    }
    if (Arrays.equals(credI, credR)) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "CRED_I and CRED_R must be distinct");
    }
    return new PskCredential(idCredPsk, psk, credI, credR, "PSK " + idCredPsk);
  }

  /**
   * A resumption PSK entry (draft-ietf-lake-edhoc-psk section 6): rID_CRED_PSK = {4: rKID}, rPSK,
   * and CRED_I / CRED_R of the original, non-resumption session. Those credentials must be reused
   * unchanged, so unlike {@link #of} this does not require a symmetric COSE_Key in them to be the
   * PSK or to carry rKID (after an external-PSK session they carry the external PSK). CRED_I and
   * CRED_R must still be single CBOR items and distinct.
   */
  public static PskCredential forResumption(IdCred rIdCredPsk, byte[] rPsk, byte[] credI, byte[] credR) throws CredentialException {
    Objects.requireNonNull(rIdCredPsk, "rIdCredPsk");
    if (rPsk == null || rPsk.length < 16) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "resumption PSK must be at least 16 bytes");
    }
    if (rIdCredPsk.kind() != IdCred.Kind.KID) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "rID_CRED_PSK must be {4: rKID}");
    }
    for (byte[] cred : new byte[][] {credI, credR}) {
      try {
        CborReader.checkSingleItem(cred, cred == credI ? "CRED_I" : "CRED_R");
      } catch (CborException e) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, e.getMessage());
      }
    }
    if (Arrays.equals(credI, credR)) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "CRED_I and CRED_R must be distinct");
    }
    return new PskCredential(rIdCredPsk, rPsk, credI, credR, "resumption PSK " + rIdCredPsk);
  }

  /**
   * Reads the PSK and its kid from CRED_I and CRED_R, CCS maps with a symmetric COSE_Key {1: 4,
   * 2: kid, -1: k}; both must carry the same key and kid. ID_CRED_PSK is {4: kid}.
   */
  public static PskCredential fromCcs(byte[] credI, byte[] credR) throws CredentialException {
    Symmetric i = symmetricKeyOf(credI, "CRED_I");
    Symmetric r = symmetricKeyOf(credR, "CRED_R");
    try {
      if (i == null || r == null) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, (i == null ? "CRED_I" : "CRED_R") + " has no symmetric COSE_Key in cnf");
      }
      if (i.kid == null || !Arrays.equals(i.kid, r.kid)) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "CRED_I and CRED_R must carry the same kid");
      }
      if (!MessageDigest.isEqual(i.k, r.k)) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "CRED_I and CRED_R carry different keys");
      }
      return of(IdCred.kid(i.kid), i.k, credI, credR);
    } finally {
      if (i != null) {
        Arrays.fill(i.k, (byte) 0);
      }
      if (r != null) {
        Arrays.fill(r.k, (byte) 0);
      }
    }
  }

  /**
   * Builds a CCS for one side of a PSK: {2: sub, 8: {1: {1: 4, 2: kid, -1: psk}}}, the layout of
   * the draft's test vectors. The result contains the PSK: a secret.
   */
  public static byte[] ccs(String sub, byte[] kid, byte[] psk) {
    CborWriter w = new CborWriter().writeMapHeader(2).writeInt(CoseLabels.CLAIM_SUB).writeText(sub);
    w.writeInt(CoseLabels.CLAIM_CNF).writeMapHeader(1).writeInt(CoseLabels.CNF_COSE_KEY);
    w.writeMapHeader(3).writeInt(CoseLabels.KEY_KTY).writeInt(CoseKeyType.SYMMETRIC.coseId()).writeInt(CoseLabels.KEY_KID).writeBytes(kid);
    w.writeInt(CoseLabels.KEY_K).writeBytes(psk);
    return w.toByteArray();
  }

  private static final class Symmetric {
    byte[] kid;
    byte[] k;
    String sub;
  }

  /** The symmetric COSE_Key of a CCS, null when CRED_x is not such a CCS. */
  private static Symmetric symmetricKeyOf(byte[] cred, String which) throws CredentialException {
    Object v;
    try {
      v = CborReader.decodeSingle(cred, which);
    } catch (CborException e) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, which + ": " + e.getMessage());
    }
    if (!(v instanceof Map)) {
      return null;
    }
    Object cnf = ((Map<?, ?>) v).get((long) CoseLabels.CLAIM_CNF);
    Object key = cnf instanceof Map ? ((Map<?, ?>) cnf).get((long) CoseLabels.CNF_COSE_KEY) : null;
    if (!(key instanceof Map)) {
      return null;
    }
    Map<?, ?> m = (Map<?, ?>) key;
    if (!Long.valueOf(CoseKeyType.SYMMETRIC.coseId()).equals(m.get((long) CoseLabels.KEY_KTY))) {
      return null;
    }
    Object k = m.get((long) CoseLabels.KEY_K);
    Object kid = m.get((long) CoseLabels.KEY_KID);
    if (!(k instanceof byte[])) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, which + " symmetric COSE_Key has no k (-1) byte string");
    }
    if (kid != null && !(kid instanceof byte[])) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, which + " COSE_Key kid is not a byte string");
    }
    Symmetric s = new Symmetric();
    s.k = (byte[]) k;
    s.kid = (byte[]) kid;
    Object sub = ((Map<?, ?>) v).get((long) CoseLabels.CLAIM_SUB);
    s.sub = sub instanceof String ? (String) sub : null;
    return s;
  }

  /** ID_CRED_PSK (sent in compact form when it is {4: kid}). */
  public IdCred idCredPsk() {
    return idCredPsk;
  }

  /** CRED_I exactly as provisioned. */
  public byte[] credI() {
    return credI.clone();
  }

  /** CRED_R exactly as provisioned. */
  public byte[] credR() {
    return credR.clone();
  }

  /** A copy of the PSK for the key schedule; the caller wipes it after use. */
  public byte[] exportPsk() {
    if (destroyed) {
      throw new IllegalStateException("PSK was destroyed");
    }
    return psk.clone();
  }

  public String describe() {
    return name;
  }

  @Override
  public void destroy() {
    Arrays.fill(psk, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "PskCredential[" + idCredPsk + ", secret hidden]";
  }
}
