package io.edhoc.credentials;

import io.edhoc.cbor.CborWriter;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseLabels;
import io.edhoc.cose.CosePublicKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * An X.509 certificate credential (RFC 9528 section 3.5.2, RFC 9360): CRED_x is the DER
 * certificate wrapped in a CBOR byte string. ID_CRED_x is x5t (SHA-256/64 by default) by
 * reference or x5chain by value. Parsing checks structure only; trust is the resolver's business
 * (PKIX validation lives in the credentials stores).
 */
public final class X509Credential implements Credential {
  private final byte[] der;
  private final List<byte[]> chain; // leaf first, the leaf included
  private final CosePublicKey publicKey;
  private final String subject;
  private final long x5tAlg;
  private final Certificate parsed;

  private X509Credential(Certificate parsed, byte[] der, List<byte[]> chain, CosePublicKey publicKey, String subject, long x5tAlg) {
    this.parsed = parsed;
    this.der = der;
    this.chain = chain;
    this.publicKey = publicKey;
    this.subject = subject;
    this.x5tAlg = x5tAlg;
  }

  /** A single certificate (x5chain will hold it alone). */
  public static X509Credential parse(byte[] der) throws CredentialException {
    return parseChain(List.of(der));
  }

  /** A leaf certificate with its chain toward (not necessarily including) the trust anchor. */
  public static X509Credential parseChain(List<byte[]> derChain) throws CredentialException {
    if (derChain.isEmpty()) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "empty certificate chain");
    }
    byte[] leaf = derChain.get(0).clone();
    Certificate cert;
    String subject;
    try {
      cert = Certificate.getInstance(leaf);
      if (!Arrays.equals(cert.getEncoded("DER"), leaf)) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "certificate is not DER");
      }
      // decoded lazily by Bouncy Castle: a malformed name (e.g. invalid UTF-8) fails only here
      subject = cert.getSubject().toString();
    } catch (CredentialException e) {
      throw e;
    } catch (Exception e) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "not an X.509 certificate: " + e.getClass().getSimpleName());
    }
    List<byte[]> chain = new ArrayList<>();
    for (byte[] c : derChain) {
      chain.add(c.clone());
    }
    return new X509Credential(cert, leaf, chain, publicKeyOf(cert.getSubjectPublicKeyInfo()), subject, CoseLabels.ALG_SHA256_64);
  }

  /** The same credential identified by reference with another x5t hash algorithm (-15 or -16). */
  public X509Credential withX5tAlgorithm(long alg) {
    if (alg != CoseLabels.ALG_SHA256_64 && alg != CoseLabels.ALG_SHA256) {
      throw new IllegalArgumentException("x5t algorithm " + alg + " not supported");
    }
    return new X509Credential(parsed, der, chain, publicKey, subject, alg);
  }

  /** Maps a SubjectPublicKeyInfo to a COSE public key (Ed25519, Ed448, X25519, X448, P-256, P-384). */
  public static CosePublicKey publicKeyOf(SubjectPublicKeyInfo spki) throws CredentialException {
    ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
    byte[] bits = spki.getPublicKeyData().getBytes();
    try {
      if (alg.equals(EdECObjectIdentifiers.id_Ed25519)) {
        return new CosePublicKey(CoseCurve.ED25519, bits, null);
      } else if (alg.equals(EdECObjectIdentifiers.id_Ed448)) {
        return new CosePublicKey(CoseCurve.ED448, bits, null);
      } else if (alg.equals(EdECObjectIdentifiers.id_X25519)) {
        return new CosePublicKey(CoseCurve.X25519, bits, null);
      } else if (alg.equals(EdECObjectIdentifiers.id_X448)) {
        return new CosePublicKey(CoseCurve.X448, bits, null);
      } else if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
        Object params = spki.getAlgorithm().getParameters();
        CoseCurve curve;
        if (X9ObjectIdentifiers.prime256v1.equals(params)) {
          curve = CoseCurve.P_256;
        } else if (SECObjectIdentifiers.secp384r1.equals(params)) {
          curve = CoseCurve.P_384;
        } else {
          throw new CredentialException(CredentialException.Reason.WRONG_KEY_TYPE, "EC key on an unsupported curve");
        }
        int n = curve.coordinateLength();
        if (bits.length != 1 + 2 * n || bits[0] != 0x04) {
          throw new CredentialException(CredentialException.Reason.MALFORMED, "EC public key must be an uncompressed point");
        }
        return new CosePublicKey(curve, Arrays.copyOfRange(bits, 1, 1 + n), Arrays.copyOfRange(bits, 1 + n, 1 + 2 * n));
      }
    } catch (IllegalArgumentException e) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "public key: " + e.getMessage());
    }
    throw new CredentialException(CredentialException.Reason.WRONG_KEY_TYPE, "unsupported public key algorithm " + alg);
  }

  /** The x5t hash of a DER certificate for COSE algorithm -15 (SHA-256/64) or -16 (SHA-256). */
  public static byte[] x5tHash(long alg, byte[] der) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(der);
      if (alg == CoseLabels.ALG_SHA256_64) {
        return Arrays.copyOf(h, 8);
      } else if (alg == CoseLabels.ALG_SHA256) {
        return h;
      }
      throw new IllegalArgumentException("x5t algorithm " + alg + " not supported");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public byte[] cred() {
    return CborWriter.bstr(der);
  }

  /** The DER encoding of the leaf certificate. */
  public byte[] der() {
    return der.clone();
  }

  /** The chain as given, leaf first. */
  public List<byte[]> chain() {
    List<byte[]> r = new ArrayList<>();
    for (byte[] c : chain) {
      r.add(c.clone());
    }
    return r;
  }

  @Override
  public CosePublicKey publicKey() {
    return publicKey;
  }

  @Override
  public IdCred byReference() {
    return IdCred.x5t(x5tAlg, x5tHash(x5tAlg, der));
  }

  @Override
  public IdCred byValue() {
    return IdCred.x5chain(chain);
  }

  public String subject() {
    return subject;
  }

  /** The issuer's distinguished name. */
  public String issuer() {
    return parsed.getIssuer().toString();
  }

  /** ID_CRED_x by reference with the given x5t algorithm (-15 SHA-256/64, -16 SHA-256). */
  public IdCred byReference(long alg) {
    return IdCred.x5t(alg, x5tHash(alg, der));
  }

  /** notBefore of the leaf. */
  public Instant notBefore() {
    return parsed.getStartDate().getDate().toInstant();
  }

  /** notAfter of the leaf. */
  public Instant notAfter() {
    return parsed.getEndDate().getDate().toInstant();
  }

  /** REJECTED "certificate expired" / "certificate not yet valid" when {@code now} is outside the leaf's validity. */
  public void checkValidity(Instant now) throws CredentialException {
    if (now.isAfter(notAfter())) {
      throw new CredentialException(CredentialException.Reason.REJECTED, "certificate expired (" + subject + ", notAfter " + notAfter() + ")");
    }
    if (now.isBefore(notBefore())) {
      throw new CredentialException(
          CredentialException.Reason.REJECTED, "certificate not yet valid (" + subject + ", notBefore " + notBefore() + ")");
    }
  }

  /** The leaf's key usage bits (org.bouncycastle.asn1.x509.KeyUsage), or -1 when the extension is absent. */
  public int keyUsageBits() {
    Extensions ext = parsed.getTBSCertificate().getExtensions();
    KeyUsage ku = ext == null ? null : KeyUsage.fromExtensions(ext);
    return ku == null ? -1 : ku.getBytes().length == 0 ? 0 : keyUsageInt(ku);
  }

  private static int keyUsageInt(KeyUsage ku) {
    int r = 0;
    for (int bit : new int[] {KeyUsage.digitalSignature, KeyUsage.nonRepudiation, KeyUsage.keyEncipherment, KeyUsage.dataEncipherment,
        KeyUsage.keyAgreement, KeyUsage.keyCertSign, KeyUsage.cRLSign, KeyUsage.encipherOnly, KeyUsage.decipherOnly}) {
      if (ku.hasUsages(bit)) {
        r |= bit;
      }
    }
    return r;
  }

  /**
   * Checks the leaf's key type and key usage extension for the use EDHOC makes of it:
   * digitalSignature for a signing peer, keyAgreement for a static DH peer. With {@link
   * CredentialUsage#ANY} the use implied by the key type is checked (EC keys: either bit). An
   * absent key usage extension allows every use (RFC 5280 section 4.2.1.3) unless {@code
   * requireExtension}.
   */
  public void checkKeyUsage(CredentialUsage usage, boolean requireExtension) throws CredentialException {
    usage.checkKeyType(this);
    CredentialUsage effective = usage == CredentialUsage.ANY ? CredentialUsage.impliedBy(publicKey.curve()) : usage;
    int bits = keyUsageBits();
    if (bits < 0) {
      if (requireExtension) {
        throw new CredentialException(CredentialException.Reason.REJECTED, "certificate has no key usage extension (" + subject + ")");
      }
      return;
    }
    boolean sign = (bits & KeyUsage.digitalSignature) != 0;
    boolean agree = (bits & KeyUsage.keyAgreement) != 0;
    if (effective == CredentialUsage.SIGNATURE && !sign) {
      throw new CredentialException(CredentialException.Reason.REJECTED, "key usage lacks digitalSignature (" + subject + ")");
    }
    if (effective == CredentialUsage.STATIC_DH && !agree) {
      throw new CredentialException(CredentialException.Reason.REJECTED, "key usage lacks keyAgreement (" + subject + ")");
    }
    if (effective == CredentialUsage.ANY && !sign && !agree) {
      throw new CredentialException(
          CredentialException.Reason.REJECTED, "key usage lacks both digitalSignature and keyAgreement (" + subject + ")");
    }
  }

  @Override
  public String describe() {
    return "X.509 " + subject;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof X509Credential && Arrays.equals(der, ((X509Credential) o).der);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(der);
  }

  @Override
  public String toString() {
    return describe();
  }
}
