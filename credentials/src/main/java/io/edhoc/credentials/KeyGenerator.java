package io.edhoc.credentials;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CosePrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Generates EDHOC credentials: key pairs on a chosen curve (the caller picks the suite's signature
 * or DH curve), CCS with sub and kid in the layout of RFC 9528 / RFC 9529, a self-signed CA with a
 * leaf certificate signed by it, and PSK entries. See {@link KeygenCommand} for the file-writing
 * entry point.
 */
public final class KeyGenerator {
  private final SecureRandom random;
  private final Clock clock;

  public KeyGenerator() {
    this(new SecureRandom(), Clock.systemUTC());
  }

  public KeyGenerator(SecureRandom random, Clock clock) {
    this.random = Objects.requireNonNull(random);
    this.clock = Objects.requireNonNull(clock);
  }

  /** A fresh key pair on the curve (Ed25519/Ed448 seed, X25519/X448 or EC scalar). */
  public CosePrivateKey keyPair(CoseCurve curve) {
    return CoseKeys.generate(curve, random);
  }

  /** A key and its CCS. */
  public record CcsKeyPair(CcsCredential ccs, CosePrivateKey privateKey) {
    @Override
    public String toString() {
      return "CcsKeyPair[" + ccs.describe() + "]";
    }

    public OwnCredential byReference() {
      return OwnCredential.byReference(ccs, privateKey);
    }

    public OwnCredential byValue() {
      return OwnCredential.byValue(ccs, privateKey);
    }
  }

  /** A key on {@code curve} and the CCS {2: sub, 8: {1: {1: kty, 2: kid, -1: crv, -2: x, (-3: y)}}}. */
  public CcsKeyPair ccs(CoseCurve curve, String sub, byte[] kid) {
    CosePrivateKey k = keyPair(curve);
    return new CcsKeyPair(CcsCredential.create(sub, k.publicKey(), kid), k);
  }

  /** A CA certificate and its key. */
  public record Ca(byte[] certificate, CosePrivateKey privateKey) {
    @Override
    public String toString() {
      return "Ca[secret hidden]";
    }
  }

  /** A leaf certificate, its key and its chain (leaf, then the CA). */
  public record Leaf(X509Credential credential, CosePrivateKey privateKey, List<byte[]> chain) {
    @Override
    public String toString() {
      return "Leaf[" + credential.describe() + "]";
    }
  }

  /** A self-signed CA (basicConstraints cA, keyCertSign + cRLSign) on a signature curve. */
  public Ca selfSignedCa(CoseCurve curve, String subjectDn, Duration validity) throws CredentialException {
    if (!curve.use().signs()) {
      throw new CredentialException(CredentialException.Reason.WRONG_KEY_TYPE, "a CA needs a signature key, not " + curve);
    }
    CosePrivateKey k = keyPair(curve);
    Instant from = clock.instant().minusSeconds(60);
    requireBcpkix();
    byte[] cert = CertificateIssuer.forKey(subjectDn, k.publicKey()).validity(from, from.plus(validity)).ca(null).selfSigned(k);
    return new Ca(cert, k);
  }

  /**
   * A leaf certificate for a new key on {@code curve}, signed by the CA. Key usage is
   * digitalSignature for {@link CredentialUsage#SIGNATURE}, keyAgreement for {@link
   * CredentialUsage#STATIC_DH}, both for {@link CredentialUsage#ANY} (EC keys only).
   */
  public Leaf leaf(Ca ca, CoseCurve curve, String subjectDn, CredentialUsage usage, Duration validity) throws CredentialException {
    CosePrivateKey k = keyPair(curve);
    CredentialUsage u = usage == CredentialUsage.ANY ? CredentialUsage.impliedBy(curve) : usage;
    int ku;
    if (u == CredentialUsage.SIGNATURE) {
      ku = KeyUsage.digitalSignature;
    } else if (u == CredentialUsage.STATIC_DH) {
      ku = KeyUsage.keyAgreement;
    } else {
      ku = KeyUsage.digitalSignature | KeyUsage.keyAgreement;
    }
    Instant from = clock.instant().minusSeconds(60);
    requireBcpkix();
    byte[] cert = CertificateIssuer.forKey(subjectDn, k.publicKey()).validity(from, from.plus(validity)).keyUsage(ku).issuedBy(ca.certificate(), ca.privateKey());
    X509Credential cred = X509Credential.parseChain(List.of(cert, ca.certificate()));
    u.checkKeyType(cred);
    return new Leaf(X509Credential.parseChain(List.of(cert)), k, List.of(cert, ca.certificate()));
  }

  /**
   * A PSK entry: a random PSK of {@code length} bytes, CRED_I and CRED_R as CCS with sub and the
   * symmetric COSE_Key {1: 4, 2: kid, -1: PSK}, ID_CRED_PSK {4: kid}.
   */
  public PskCredential psk(byte[] kid, String subI, String subR, int length) throws CredentialException {
    byte[] psk = new byte[length];
    random.nextBytes(psk);
    byte[] credI = PskCredential.ccs(subI, kid, psk);
    byte[] credR = PskCredential.ccs(subR, kid, psk);
    try {
      return PskCredential.of(IdCred.kid(kid), psk, credI, credR);
    } finally {
      java.util.Arrays.fill(psk, (byte) 0);
      java.util.Arrays.fill(credI, (byte) 0);
      java.util.Arrays.fill(credR, (byte) 0);
    }
  }

  /** Certificates are built with bcpkix, an optional dependency of this module. */
  private static void requireBcpkix() {
    OptionalDependency.require("org.bouncycastle.cert.X509v3CertificateBuilder", "org.bouncycastle:bcpkix-jdk18on", "issuing certificates");
  }
}
