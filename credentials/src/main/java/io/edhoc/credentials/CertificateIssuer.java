package io.edhoc.credentials;

import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues X.509 v3 certificates with Bouncy Castle's X509v3CertificateBuilder: self-signed CAs and
 * certificates signed by a CA, for signature keys (Ed25519, Ed448, P-256, P-384) and static DH
 * keys (X25519, X448, P-256, P-384). Used by {@link KeyGenerator} and by tests.
 *
 * <pre>{@code
 * byte[] ca = CertificateIssuer.forKey("CN=Root", caKey.publicKey()).ca(null).selfSigned(caKey);
 * byte[] leaf = CertificateIssuer.forKey("CN=Device", key).keyUsage(KeyUsage.digitalSignature).issuedBy(ca, caKey);
 * }</pre>
 */
public final class CertificateIssuer {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X500Name subject;
  private final CosePublicKey subjectKey;
  private Instant notBefore = Instant.now().minusSeconds(60);
  private Instant notAfter = notBefore.plusSeconds(365L * 24 * 3600);
  private boolean ca;
  private boolean basicConstraints = true;
  private Integer pathLen;
  private Integer keyUsage;
  private BigInteger serial;

  private CertificateIssuer(String subjectDn, CosePublicKey subjectKey) {
    this.subject = new X500Name(subjectDn);
    this.subjectKey = Objects.requireNonNull(subjectKey);
  }

  /** Starts a certificate for {@code subjectDn} (e.g. "CN=device-1") and a public key. */
  public static CertificateIssuer forKey(String subjectDn, CosePublicKey subjectKey) {
    return new CertificateIssuer(subjectDn, subjectKey);
  }

  public CertificateIssuer validity(Instant from, Instant to) {
    this.notBefore = from;
    this.notAfter = to;
    return this;
  }

  /** A CA certificate (basicConstraints cA=true, critical; keyCertSign and cRLSign unless set). */
  public CertificateIssuer ca(Integer pathLenConstraint) {
    this.ca = true;
    this.pathLen = pathLenConstraint;
    return this;
  }

  /** Leaves the basic constraints extension out (a v3 certificate that is not a CA). */
  public CertificateIssuer noBasicConstraints() {
    this.basicConstraints = false;
    return this;
  }

  /** Key usage bits (org.bouncycastle.asn1.x509.KeyUsage constants); null leaves the extension out. */
  public CertificateIssuer keyUsage(Integer bits) {
    this.keyUsage = bits;
    return this;
  }

  public CertificateIssuer serial(BigInteger s) {
    this.serial = s;
    return this;
  }

  /** Signs with the subject's own key. */
  public byte[] selfSigned(CosePrivateKey key) throws CredentialException {
    return build(subject, JcaKeys.toSpki(key.publicKey()), key);
  }

  /** Signs with an issuer (CA) certificate and its key. */
  public byte[] issuedBy(byte[] issuerDer, CosePrivateKey issuerKey) throws CredentialException {
    Certificate issuer = Certificate.getInstance(issuerDer);
    return build(issuer.getSubject(), issuer.getSubjectPublicKeyInfo(), issuerKey);
  }

  private byte[] build(X500Name issuer, SubjectPublicKeyInfo issuerSpki, CosePrivateKey issuerKey) throws CredentialException {
    if (!issuerKey.curve().use().signs()) {
      throw new CredentialException(CredentialException.Reason.WRONG_KEY_TYPE, issuerKey.curve() + " keys cannot sign certificates");
    }
    BigInteger sn = serial != null ? serial : new BigInteger(127, RANDOM).add(BigInteger.ONE);
    SubjectPublicKeyInfo spki = JcaKeys.toSpki(subjectKey);
    X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, sn, Date.from(notBefore), Date.from(notAfter), subject, spki);
    try {
      BcX509ExtensionUtils ext = new BcX509ExtensionUtils();
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(spki));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerSpki));
      if (basicConstraints) {
        b.addExtension(Extension.basicConstraints, true, ca ? (pathLen != null ? new BasicConstraints(pathLen) : new BasicConstraints(true)) : new BasicConstraints(false));
      }
      Integer ku = keyUsage != null ? keyUsage : ca ? Integer.valueOf(KeyUsage.keyCertSign | KeyUsage.cRLSign) : null;
      if (ku != null) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ku));
      }
      ContentSigner signer = new JcaContentSignerBuilder(JcaKeys.signatureAlgorithm(issuerKey.curve())).setProvider(JcaKeys.BC).build(JcaKeys.toJca(issuerKey));
      X509CertificateHolder holder = b.build(signer);
      return holder.getEncoded();
    } catch (IOException | OperatorCreationException e) {
      throw new CredentialException(CredentialException.Reason.REJECTED, "cannot issue certificate: " + e.getClass().getSimpleName());
    }
  }
}
