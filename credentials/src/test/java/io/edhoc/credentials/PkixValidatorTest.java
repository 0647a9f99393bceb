package io.edhoc.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CosePrivateKey;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PkixValidatorTest {
  static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  static PkixValidator validator(TestPki pki, Instant now) throws Exception {
    return PkixValidator.builder().trustAnchor(pki.root).clock(at(now)).build();
  }

  static void rejected(PkixValidator v, List<byte[]> chain, CredentialUsage usage, String reason) {
    assertThatThrownBy(() -> v.validate(chain, usage))
        .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.reason()).isEqualTo(CredentialException.Reason.REJECTED))
        .hasMessageStartingWith(reason);
  }

  @ParameterizedTest
  @EnumSource(value = CoseCurve.class, names = {"ED25519", "ED448", "P_256", "P_384"})
  void validThreeLevelChainIsAccepted(CoseCurve curve) throws Exception {
    TestPki pki = TestPki.signing("valid " + curve, curve);
    PkixValidator v = validator(pki, TestPki.NOW);
    X509Credential c = v.validate(pki.chain(), CredentialUsage.SIGNATURE);
    assertThat(c.publicKey()).isEqualTo(pki.leafKey.publicKey());
    assertThat(c.cred()).isEqualTo(io.edhoc.cbor.CborWriter.bstr(pki.leaf));
    assertThat(c.byValue().x5chain()).hasSize(2);
    // the root may travel along: it is recognised as the anchor and left out of the path
    assertThat(v.validate(pki.fullChain(), CredentialUsage.ANY).publicKey()).isEqualTo(pki.leafKey.publicKey());
  }

  @ParameterizedTest
  @EnumSource(value = CoseCurve.class, names = {"X25519", "X448", "P_256", "P_384"})
  void staticDhLeafWithKeyAgreementIsAccepted(CoseCurve curve) throws Exception {
    CoseCurve ca = curve == CoseCurve.X448 ? CoseCurve.ED448 : curve == CoseCurve.X25519 ? CoseCurve.ED25519 : curve;
    TestPki pki = TestPki.create("dh " + curve, ca, curve, KeyUsage.keyAgreement);
    PkixValidator v = validator(pki, TestPki.NOW);
    assertThat(v.validate(pki.chain(), CredentialUsage.STATIC_DH).publicKey()).isEqualTo(pki.leafKey.publicKey());
    assertThat(v.validate(pki.chain(), CredentialUsage.ANY).publicKey()).isEqualTo(pki.leafKey.publicKey());
  }

  @Test
  void expiredAndNotYetValidFollowTheClock() throws Exception {
    TestPki pki = TestPki.signing("dates", CoseCurve.ED25519);
    rejected(validator(pki, Instant.parse("2027-02-01T00:00:00Z")), pki.chain(), CredentialUsage.SIGNATURE, "certificate expired");
    rejected(validator(pki, Instant.parse("2025-12-01T00:00:00Z")), pki.chain(), CredentialUsage.SIGNATURE, "certificate not yet valid");
  }

  @Test
  void expiredLeafAloneIsNamed() throws Exception {
    TestPki pki = TestPki.signing("leafdates", CoseCurve.P_256);
    byte[] shortLeaf =
        CertificateIssuer.forKey("CN=short", pki.leafKey.publicKey())
            .validity(TestPki.FROM, Instant.parse("2026-03-01T00:00:00Z"))
            .keyUsage(KeyUsage.digitalSignature)
            .issuedBy(pki.intermediate, pki.intKey);
    assertThatThrownBy(() -> validator(pki, TestPki.NOW).validate(List.of(shortLeaf, pki.intermediate), CredentialUsage.SIGNATURE))
        .hasMessageStartingWith("certificate expired")
        .hasMessageContaining("leaf CN=short");
  }

  @Test
  void unknownRootIsRejected() throws Exception {
    TestPki trusted = TestPki.signing("trusted", CoseCurve.ED25519);
    TestPki other = TestPki.signing("other", CoseCurve.ED25519);
    rejected(validator(trusted, TestPki.NOW), other.fullChain(), CredentialUsage.SIGNATURE, "unknown root");
  }

  @Test
  void missingIntermediateIsRejectedAndConfiguredIntermediateFillsTheGap() throws Exception {
    TestPki pki = TestPki.signing("gap", CoseCurve.P_384);
    rejected(validator(pki, TestPki.NOW), List.of(pki.leaf), CredentialUsage.SIGNATURE, "missing intermediate");
    PkixValidator withInt = PkixValidator.builder().trustAnchor(pki.root).intermediate(pki.intermediate).clock(at(TestPki.NOW)).build();
    assertThat(withInt.validate(List.of(pki.leaf), CredentialUsage.SIGNATURE).publicKey()).isEqualTo(pki.leafKey.publicKey());
  }

  @Test
  void intermediateWithoutCaFlagIsRejected() throws Exception {
    TestPki pki = TestPki.signing("noca", CoseCurve.ED25519);
    byte[] notCa =
        CertificateIssuer.forKey("CN=noca Intermediate", pki.intKey.publicKey())
            .validity(TestPki.FROM, TestPki.TO)
            .keyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature)
            .issuedBy(pki.root, pki.rootKey);
    rejected(validator(pki, TestPki.NOW), List.of(pki.leaf, notCa), CredentialUsage.SIGNATURE, "intermediate is not a CA");
    byte[] noBc =
        CertificateIssuer.forKey("CN=noca Intermediate", pki.intKey.publicKey())
            .validity(TestPki.FROM, TestPki.TO)
            .noBasicConstraints()
            .keyUsage(KeyUsage.keyCertSign)
            .issuedBy(pki.root, pki.rootKey);
    rejected(validator(pki, TestPki.NOW), List.of(pki.leaf, noBc), CredentialUsage.SIGNATURE, "intermediate is not a CA");
  }

  @Test
  void pathLengthIsEnforced() throws Exception {
    CosePrivateKey rk = CoseKeys.generate(CoseCurve.ED25519, TestPki.RANDOM);
    CosePrivateKey ik = CoseKeys.generate(CoseCurve.ED25519, TestPki.RANDOM);
    CosePrivateKey lk = CoseKeys.generate(CoseCurve.ED25519, TestPki.RANDOM);
    byte[] root = CertificateIssuer.forKey("CN=pl Root", rk.publicKey()).validity(TestPki.FROM, TestPki.TO).ca(0).selfSigned(rk);
    byte[] inter = CertificateIssuer.forKey("CN=pl Int", ik.publicKey()).validity(TestPki.FROM, TestPki.TO).ca(null).issuedBy(root, rk);
    byte[] leaf = CertificateIssuer.forKey("CN=pl Leaf", lk.publicKey()).validity(TestPki.FROM, TestPki.TO).keyUsage(KeyUsage.digitalSignature).issuedBy(inter, ik);
    PkixValidator v = PkixValidator.builder().trustAnchor(root).clock(at(TestPki.NOW)).build();
    rejected(v, List.of(leaf, inter), CredentialUsage.SIGNATURE, "path length constraint exceeded");
    // an intermediate's own pathLen 0 forbids a second intermediate below it (the JDK's check)
    TestPki pki = TestPki.signing("pl2", CoseCurve.ED25519); // its intermediate has pathLen 0
    CosePrivateKey sk = CoseKeys.generate(CoseCurve.ED25519, TestPki.RANDOM);
    byte[] sub = CertificateIssuer.forKey("CN=pl2 Sub", sk.publicKey()).validity(TestPki.FROM, TestPki.TO).ca(null).issuedBy(pki.intermediate, pki.intKey);
    byte[] leaf2 = CertificateIssuer.forKey("CN=pl2 Leaf2", lk.publicKey()).validity(TestPki.FROM, TestPki.TO).keyUsage(KeyUsage.digitalSignature).issuedBy(sub, sk);
    rejected(validator(pki, TestPki.NOW), List.of(leaf2, sub, pki.intermediate), CredentialUsage.SIGNATURE, "path length constraint exceeded");
  }

  @Test
  void wrongKeyUsageIsRejected() throws Exception {
    TestPki signOnly = TestPki.create("ku1", CoseCurve.P_256, CoseCurve.P_256, KeyUsage.digitalSignature);
    rejected(validator(signOnly, TestPki.NOW), signOnly.chain(), CredentialUsage.STATIC_DH, "key usage lacks keyAgreement");
    TestPki agreeOnly = TestPki.create("ku2", CoseCurve.P_256, CoseCurve.P_256, KeyUsage.keyAgreement);
    rejected(validator(agreeOnly, TestPki.NOW), agreeOnly.chain(), CredentialUsage.SIGNATURE, "key usage lacks digitalSignature");
    TestPki edEncipher = TestPki.create("ku3", CoseCurve.ED25519, CoseCurve.ED25519, KeyUsage.keyEncipherment);
    rejected(validator(edEncipher, TestPki.NOW), edEncipher.chain(), CredentialUsage.ANY, "key usage lacks digitalSignature");
    TestPki x = TestPki.create("ku4", CoseCurve.ED25519, CoseCurve.X25519, KeyUsage.digitalSignature);
    rejected(validator(x, TestPki.NOW), x.chain(), CredentialUsage.STATIC_DH, "key usage lacks keyAgreement");
    assertThatThrownBy(() -> validator(x, TestPki.NOW).validate(x.chain(), CredentialUsage.SIGNATURE))
        .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.reason()).isEqualTo(CredentialException.Reason.WRONG_KEY_TYPE));
  }

  @ParameterizedTest
  @EnumSource(value = CoseCurve.class, names = {"ED25519", "ED448", "P_256", "P_384"})
  void tamperedSignatureIsRejected(CoseCurve curve) throws Exception {
    TestPki pki = TestPki.signing("tamper " + curve, curve);
    byte[] bad = pki.leaf.clone();
    bad[bad.length - 5] ^= 0x01; // inside the signature value (for ECDSA inside s)
    rejected(validator(pki, TestPki.NOW), List.of(bad, pki.intermediate), CredentialUsage.SIGNATURE, "signature invalid");
    byte[] badTbs = pki.leaf.clone();
    int i = indexOf(badTbs, "Leaf".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    badTbs[i] = 'l';
    rejected(validator(pki, TestPki.NOW), List.of(badTbs, pki.intermediate), CredentialUsage.SIGNATURE, "signature invalid");
  }

  @Test
  void outOfOrderChainIsRejected() throws Exception {
    TestPki pki = TestPki.signing("order", CoseCurve.ED25519);
    rejected(validator(pki, TestPki.NOW), List.of(pki.intermediate, pki.leaf), CredentialUsage.SIGNATURE, "x5chain out of order");
  }

  @Test
  void noTrustAnchorsRejectsEverything() throws Exception {
    TestPki pki = TestPki.signing("none", CoseCurve.ED25519);
    rejected(PkixValidator.builder().build(), pki.chain(), CredentialUsage.SIGNATURE, "no trust anchors configured");
  }

  @Test
  void revokedLeafIsRejectedWithCrls() throws Exception {
    TestPki pki = TestPki.signing("crl", CoseCurve.P_256);
    BigInteger leafSerial = Certificate.getInstance(pki.leaf).getSerialNumber().getValue();
    byte[] rootCrl = crl(pki.root, pki.rootKey, null);
    byte[] intCrl = crl(pki.intermediate, pki.intKey, null);
    byte[] intCrlRevoking = crl(pki.intermediate, pki.intKey, leafSerial);
    PkixValidator ok = PkixValidator.builder().trustAnchor(pki.root).crl(rootCrl).crl(intCrl).clock(at(TestPki.NOW)).build();
    assertThat(ok.validate(pki.chain(), CredentialUsage.SIGNATURE)).isNotNull();
    PkixValidator revoked = PkixValidator.builder().trustAnchor(pki.root).crl(rootCrl).crl(intCrlRevoking).clock(at(TestPki.NOW)).build();
    rejected(revoked, pki.chain(), CredentialUsage.SIGNATURE, "certificate revoked");
    PkixValidator missing = PkixValidator.builder().trustAnchor(pki.root).crl(rootCrl).clock(at(TestPki.NOW)).build();
    rejected(missing, pki.chain(), CredentialUsage.SIGNATURE, "revocation status unknown");
  }

  static byte[] crl(byte[] issuerDer, CosePrivateKey issuerKey, BigInteger revoked) throws Exception {
    X500Name issuer = Certificate.getInstance(issuerDer).getSubject();
    X509v2CRLBuilder b = new X509v2CRLBuilder(issuer, Date.from(TestPki.FROM));
    b.setNextUpdate(Date.from(TestPki.TO));
    if (revoked != null) {
      b.addCRLEntry(revoked, Date.from(TestPki.FROM.plusSeconds(3600)), CRLReason.keyCompromise);
    }
    byte[] der =
        b.build(new JcaContentSignerBuilder(JcaKeys.signatureAlgorithm(issuerKey.curve())).setProvider(JcaKeys.BC).build(JcaKeys.toJca(issuerKey)))
            .getEncoded();
    // sanity: the JDK parses it
    assertThat(CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der))).isInstanceOf(X509CRL.class);
    return der;
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
