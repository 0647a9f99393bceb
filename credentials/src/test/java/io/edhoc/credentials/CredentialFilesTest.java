package io.edhoc.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CosePrivateKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CredentialFilesTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(CoseCurve.class)
  void privateKeyPemRoundTripsOwnerOnly(CoseCurve curve) throws Exception {
    CosePrivateKey k = CoseKeys.generate(curve, TestPki.RANDOM);
    Path f = dir.resolve("k.key.pem");
    CredentialFiles.writePrivateKey(f, k);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(Files.readString(f)).startsWith("-----BEGIN PRIVATE KEY-----\n");
    CosePrivateKey back = CredentialFiles.readPrivateKey(f);
    assertThat(back.curve()).isEqualTo(curve);
    assertThat(back.exportSecret()).isEqualTo(k.exportSecret());
    assertThat(back.publicKey()).isEqualTo(k.publicKey());
  }

  /** PKCS#8 written by another implementation (the JDK's providers) is read to the right key. */
  @ParameterizedTest
  @EnumSource(CoseCurve.class)
  void jdkPkcs8KeysAreRead(CoseCurve curve) throws Exception {
    KeyPairGenerator g;
    switch (curve) {
      case P_256:
      case P_384:
        g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve == CoseCurve.P_256 ? "secp256r1" : "secp384r1"));
        break;
      default:
        g = KeyPairGenerator.getInstance(curve.name().charAt(0) == 'E' ? curve.name().replace("ED", "Ed") : curve.name());
    }
    KeyPair kp = g.generateKeyPair();
    Path f = dir.resolve("jdk.pem");
    Files.writeString(f, "Bag Attributes: ignored\n" + CredentialFiles.pem("PRIVATE KEY", List.of(kp.getPrivate().getEncoded())));
    CosePrivateKey k = CredentialFiles.readPrivateKey(f);
    assertThat(k.curve()).isEqualTo(curve);
    // the computed public key is the JDK's
    assertThat(JcaKeys.toSpki(k.publicKey()).getEncoded()).isEqualTo(kp.getPublic().getEncoded());
  }

  @Test
  void sec1EcPrivateKeyIsRead() throws Exception {
    CosePrivateKey k = CoseKeys.generate(CoseCurve.P_384, TestPki.RANDOM);
    org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(JcaKeys.toPrivateKeyInfo(k).parsePrivateKey());
    byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(384, inner.getKey(), inner.getPublicKey(), org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp384r1).getEncoded();
    Path f = dir.resolve("ec.pem");
    Files.writeString(f, CredentialFiles.pem("EC PRIVATE KEY", List.of(sec1)));
    assertThat(CredentialFiles.readPrivateKey(f).publicKey()).isEqualTo(k.publicKey());
  }

  @Test
  void coseKeyFilesBinaryAndHex() throws Exception {
    CosePrivateKey k = CoseKeys.generate(CoseCurve.P_256, TestPki.RANDOM);
    Path pub = dir.resolve("k.cose-key");
    CredentialFiles.writeCbor(pub, CoseKeys.encodePublic(k.publicKey(), Hex.decode("01")));
    assertThat(CredentialFiles.readCosePublicKey(pub)).isEqualTo(k.publicKey());
    Path hex = dir.resolve("k.hex");
    Files.writeString(hex, Hex.encode(CoseKeys.encodePublic(k.publicKey(), null)) + "\n");
    assertThat(CredentialFiles.readCosePublicKey(hex)).isEqualTo(k.publicKey());
    Path priv = dir.resolve("k.priv.cose-key");
    CredentialFiles.writeSecret(priv, CoseKeys.encodePrivate(k, null));
    assertThat(CredentialFiles.readPrivateKey(priv).exportSecret()).isEqualTo(k.exportSecret());
  }

  @Test
  void ccsFileKeepsTheBytesBinaryOrHex() throws Exception {
    byte[] ccs = Hex.decode(Rfc9529CredentialsTest.CRED_R_3);
    Path bin = dir.resolve("r.ccs");
    Files.write(bin, ccs);
    Path hex = dir.resolve("r.ccs.hex");
    Files.writeString(hex, "a2026b6578616d706c652e656475 08a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f0\n"
        + "2258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072\n");
    assertThat(CredentialFiles.readCcs(bin).cred()).isEqualTo(ccs);
    assertThat(CredentialFiles.readCcs(hex).cred()).isEqualTo(ccs);
  }

  @Test
  void certificatePemChainAndDer() throws Exception {
    TestPki pki = TestPki.signing("files", CoseCurve.ED448);
    Path chain = dir.resolve("chain.pem");
    CredentialFiles.writeCertificates(chain, pki.chain());
    assertThat(CredentialFiles.readCertificates(chain)).containsExactlyElementsOf(pki.chain());
    X509Credential c = CredentialFiles.readCertificateCredential(chain);
    assertThat(c.publicKey()).isEqualTo(pki.leafKey.publicKey());
    assertThat(c.chain()).hasSize(2);
    Path der = dir.resolve("leaf.der");
    Files.write(der, pki.leaf);
    assertThat(CredentialFiles.readCertificates(der)).hasSize(1);
  }

  // ------------------------------------------------------------ malformed files name file and problem

  void malformed(Path f, String problem, Loader l) {
    assertThatThrownBy(() -> l.load(f))
        .isInstanceOfSatisfying(CredentialFileException.class, e -> assertThat(e.file()).isEqualTo(f))
        .hasMessageStartingWith(f.toString() + ": ")
        .hasMessageContaining(problem);
  }

  interface Loader {
    Object load(Path p) throws Exception;
  }

  Path write(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content, StandardCharsets.US_ASCII);
    return f;
  }

  Path write(String name, byte[] content) throws Exception {
    Path f = dir.resolve(name);
    Files.write(f, content);
    return f;
  }

  @Test
  void malformedPemFiles() throws Exception {
    TestPki pki = TestPki.signing("bad", CoseCurve.ED25519);
    String good = CredentialFiles.pem("CERTIFICATE", List.of(pki.leaf));
    malformed(write("nobegin.pem", "hello\n"), "certificate 1: not an X.509 certificate", CredentialFiles::readCertificateCredential);
    malformed(write("noend.pem", good.replace("-----END CERTIFICATE-----\n", "")), "has no END line", CredentialFiles::readCertificates);
    malformed(write("b64.pem", good.replace("\n-----END", "*\n-----END")), "not base64", CredentialFiles::readCertificates);
    malformed(write("badpad.pem", "-----BEGIN CERTIFICATE-----\nAB=C\n-----END CERTIFICATE-----\n"), "invalid base64", CredentialFiles::readCertificates);
    malformed(write("mismatch.pem", good.replace("END CERTIFICATE", "END X")), "END X without a matching BEGIN", CredentialFiles::readCertificates);
    byte[] truncated = java.util.Arrays.copyOf(pki.leaf, pki.leaf.length - 10);
    malformed(write("trunc.pem", CredentialFiles.pem("CERTIFICATE", List.of(truncated))), "certificate 1: not an X.509 certificate", CredentialFiles::readCertificates);
    malformed(write("none.pem", ""), "not an X.509 certificate", CredentialFiles::readCertificates);
    malformed(dir.resolve("missing.pem"), "no such file", CredentialFiles::readCertificates);
    malformed(write("key-as-cert.pem", CredentialFiles.pem("PRIVATE KEY", List.of(new byte[] {1}))), "found where certificates were expected", CredentialFiles::readCertificates);
  }

  @Test
  void malformedKeyFiles() throws Exception {
    malformed(write("enc.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"), "encrypted PKCS#8 keys are not supported", CredentialFiles::readPrivateKey);
    malformed(write("garbage.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "private key structure is malformed", CredentialFiles::readPrivateKey);
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    malformed(write("rsa.pem", CredentialFiles.pem("PRIVATE KEY", List.of(rsa.generateKeyPair().getPrivate().getEncoded()))), "unsupported private key algorithm", CredentialFiles::readPrivateKey);
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp521r1"));
    malformed(write("p521.pem", CredentialFiles.pem("PRIVATE KEY", List.of(ec.generateKeyPair().getPrivate().getEncoded()))), "unsupported curve", CredentialFiles::readPrivateKey);
    malformed(write("cert.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "no PRIVATE KEY block", CredentialFiles::readPrivateKey);
    // COSE_Key with d: wrong length, x not matching d, not a map
    CosePrivateKey k = CoseKeys.generate(CoseCurve.X25519, TestPki.RANDOM);
    CosePrivateKey other = CoseKeys.generate(CoseCurve.X25519, TestPki.RANDOM);
    byte[] mixed = new io.edhoc.cbor.CborWriter().writeMapHeader(4).writeInt(1).writeInt(1).writeInt(-1).writeInt(4)
        .writeInt(-2).writeBytes(other.publicKey().x()).writeInt(-4).writeBytes(k.exportSecret()).toByteArray();
    malformed(write("mixed.cose-key", mixed), "x/y do not match the private key d", CredentialFiles::readPrivateKey);
    byte[] shortD = new io.edhoc.cbor.CborWriter().writeMapHeader(3).writeInt(1).writeInt(1).writeInt(-1).writeInt(4).writeInt(-4).writeBytes(new byte[31]).toByteArray();
    malformed(write("short.cose-key", shortD), "d (-4) must be 32 bytes", CredentialFiles::readPrivateKey);
    malformed(write("list.cose-key", new byte[] {(byte) 0x80}), "not a PEM private key nor a COSE_Key map", CredentialFiles::readPrivateKey);
  }

  @Test
  void malformedCborFiles() throws Exception {
    malformed(write("trunc.ccs", Hex.decode("a2026b6578616d706c65")), "CCS: length exceeds", CredentialFiles::readCcs);
    malformed(write("nocnf.ccs", Hex.decode("a1026161")), "CCS has no cnf map", CredentialFiles::readCcs);
    malformed(write("odd.hex", "a10"), "hex: odd number of hex digits", CredentialFiles::readCcs);
    malformed(write("trailing.ccs", Hex.decode("a1026161ff")), "trailing", CredentialFiles::readCcs);
    // EC2 key whose point is not on the curve
    CosePrivateKey k = CoseKeys.generate(CoseCurve.P_256, TestPki.RANDOM);
    byte[] y = k.publicKey().y();
    y[5] ^= 1;
    byte[] offCurve = new io.edhoc.cbor.CborWriter().writeMapHeader(4).writeInt(1).writeInt(2).writeInt(-1).writeInt(1)
        .writeInt(-2).writeBytes(k.publicKey().x()).writeInt(-3).writeBytes(y).toByteArray();
    malformed(write("off.cose-key", offCurve), "not a point on P_256", CredentialFiles::readCosePublicKey);
    malformed(write("sym.cose-key", Hex.decode("a2010420410a")), "kty 4 is not an asymmetric key type", CredentialFiles::readCosePublicKey);
    malformed(write("crv.cose-key", Hex.decode("a3010120182a214100")), "kty 1 / crv 42 not supported", CredentialFiles::readCosePublicKey);
  }
}
