package io.edhoc.credentials;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CosePrivateKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;

/** Builds root -> intermediate -> leaf hierarchies for the PKIX tests. */
final class TestPki {
  static final SecureRandom RANDOM = new SecureRandom();
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant TO = Instant.parse("2027-01-01T00:00:00Z");

  final CosePrivateKey rootKey;
  final CosePrivateKey intKey;
  final CosePrivateKey leafKey;
  final byte[] root;
  final byte[] intermediate;
  final byte[] leaf;

  private TestPki(CosePrivateKey rootKey, CosePrivateKey intKey, CosePrivateKey leafKey, byte[] root, byte[] intermediate, byte[] leaf) {
    this.rootKey = rootKey;
    this.intKey = intKey;
    this.leafKey = leafKey;
    this.root = root;
    this.intermediate = intermediate;
    this.leaf = leaf;
  }

  static TestPki create(String name, CoseCurve caCurve, CoseCurve leafCurve, int leafKeyUsage) throws Exception {
    CosePrivateKey rk = CoseKeys.generate(caCurve, RANDOM);
    CosePrivateKey ik = CoseKeys.generate(caCurve, RANDOM);
    CosePrivateKey lk = CoseKeys.generate(leafCurve, RANDOM);
    byte[] root = CertificateIssuer.forKey("CN=" + name + " Root", rk.publicKey()).validity(FROM, TO).ca(null).selfSigned(rk);
    byte[] inter = CertificateIssuer.forKey("CN=" + name + " Intermediate", ik.publicKey()).validity(FROM, TO).ca(0).issuedBy(root, rk);
    byte[] leaf = CertificateIssuer.forKey("CN=" + name + " Leaf", lk.publicKey()).validity(FROM, TO).keyUsage(leafKeyUsage).issuedBy(inter, ik);
    return new TestPki(rk, ik, lk, root, inter, leaf);
  }

  static TestPki signing(String name, CoseCurve curve) throws Exception {
    return create(name, curve, curve, KeyUsage.digitalSignature);
  }

  List<byte[]> chain() {
    return List.of(leaf, intermediate);
  }

  List<byte[]> fullChain() {
    return List.of(leaf, intermediate, root);
  }
}
