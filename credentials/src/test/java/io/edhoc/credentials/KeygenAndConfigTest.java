package io.edhoc.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeygenAndConfigTest {
  @TempDir Path dir;

  String keygen(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = KeygenCommand.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(rc).as("keygen %s: %s", String.join(" ", args), err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  static String perms(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void keygenCcsWritesOwnerOnlyKeyAndTheCcs() throws Exception {
    String out = keygen("ccs", "--curve", "p-256", "--sub", "alice", "--kid", "0a", "--name", "alice", "--out", dir.toString());
    Path key = dir.resolve("alice.key.pem");
    Path ccs = dir.resolve("alice.ccs");
    assertThat(out).contains("wrote " + key).contains("wrote " + ccs);
    assertThat(perms(key)).isEqualTo("rw-------");
    CcsCredential c = CredentialFiles.readCcs(ccs);
    CosePrivateKey k = CredentialFiles.readPrivateKey(key);
    assertThat(k.publicKey()).isEqualTo(c.publicKey());
    assertThat(c.subject()).isEqualTo("alice");
    assertThat(c.kid()).isEqualTo(Hex.decode("0a"));
    // layout {2: sub, 8: {1: {1: 2, 2: kid, -1: 1, -2: x, -3: y}}}
    assertThat(Hex.encode(c.cred())).startsWith("a20265616c69636508a101a5010202410a200121");
    assertThat(out).doesNotContain(Hex.encode(k.exportSecret()));
    // no overwrite without --force
    int rc = KeygenCommand.execute(new String[] {"ccs", "--curve", "p-256", "--kid", "0b", "--name", "alice", "--out", dir.toString()},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    assertThat(rc).isEqualTo(1);
    assertThat(CredentialFiles.readCcs(ccs).kid()).isEqualTo(Hex.decode("0a"));
  }

  @Test
  void keygenKeyForEveryCurve() throws Exception {
    for (String curve : List.of("ed25519", "ed448", "x25519", "x448", "p-256", "p-384")) {
      keygen("key", "--curve", curve, "--name", curve, "--out", dir.toString());
      CosePrivateKey k = CredentialFiles.readPrivateKey(dir.resolve(curve + ".key.pem"));
      assertThat(k.curve()).isEqualTo(KeygenCommand.curve(curve));
      assertThat(CredentialFiles.readCosePublicKey(dir.resolve(curve + ".cose-key"))).isEqualTo(k.publicKey());
      assertThat(perms(dir.resolve(curve + ".key.pem"))).isEqualTo("rw-------");
    }
  }

  @Test
  void keygenCertMakesACaAndLeavesThatValidate() throws Exception {
    keygen("cert", "--curve", "ed448", "--subject", "CN=responder", "--name", "resp", "--out", dir.toString());
    keygen("cert", "--curve", "x448", "--subject", "CN=responder-dh", "--name", "resp-dh", "--ca-cert", dir.resolve("ca.pem").toString(),
        "--ca-key", dir.resolve("ca.key.pem").toString(), "--out", dir.toString());
    keygen("cert", "--curve", "p-256", "--usage", "static-dh", "--subject", "CN=ecdh", "--name", "ecdh", "--ca-cert", dir.resolve("ca.pem").toString(),
        "--ca-key", dir.resolve("ca.key.pem").toString(), "--out", dir.toString());
    assertThat(perms(dir.resolve("ca.key.pem"))).isEqualTo("rw-------");
    assertThat(perms(dir.resolve("resp.key.pem"))).isEqualTo("rw-------");
    PkixValidator v = PkixValidator.builder().trustAnchor(CredentialFiles.readCertificates(dir.resolve("ca.pem")).get(0)).build();
    X509Credential sig = v.validate(CredentialFiles.readCertificates(dir.resolve("resp.pem")), CredentialUsage.SIGNATURE);
    assertThat(sig.publicKey()).isEqualTo(CredentialFiles.readPrivateKey(dir.resolve("resp.key.pem")).publicKey());
    X509Credential dh = v.validate(CredentialFiles.readCertificates(dir.resolve("resp-dh.pem")), CredentialUsage.STATIC_DH);
    assertThat(dh.publicKey().curve()).isEqualTo(CoseCurve.X448);
    X509Credential ecdh = v.validate(CredentialFiles.readCertificates(dir.resolve("ecdh.pem")), CredentialUsage.STATIC_DH);
    assertThatThrownBy(() -> v.validate(CredentialFiles.readCertificates(dir.resolve("ecdh.pem")), CredentialUsage.SIGNATURE))
        .hasMessageStartingWith("key usage lacks digitalSignature");
    assertThat(ecdh.publicKey().curve()).isEqualTo(CoseCurve.P_256);
  }

  @Test
  void keygenPskWritesSecretCredentials() throws Exception {
    keygen("psk", "--kid", "10", "--name", "p", "--out", dir.toString());
    assertThat(perms(dir.resolve("p.cred_i.ccs"))).isEqualTo("rw-------");
    assertThat(perms(dir.resolve("p.cred_r.ccs"))).isEqualTo("rw-------");
    PskCredential p = PskCredential.fromCcs(CredentialFiles.readCbor(dir.resolve("p.cred_i.ccs")), CredentialFiles.readCbor(dir.resolve("p.cred_r.ccs")));
    assertThat(p.idCredPsk()).isEqualTo(IdCred.kid(Hex.decode("10")));
    assertThat(p.exportPsk()).hasSize(16);
  }

  @Test
  void keygenUsageErrors() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(KeygenCommand.execute(new String[] {"ccs", "--curve", "p-521"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err))).isEqualTo(2);
    assertThat(err.toString()).contains("unknown curve p-521");
    assertThat(KeygenCommand.execute(new String[] {"cert", "--curve", "x25519", "--name", "n", "--subject", "CN=x", "--ca-curve", "x25519", "--out", dir.toString()},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err))).isEqualTo(1);
    assertThat(err.toString()).contains("a CA needs a signature key");
  }

  // ------------------------------------------------------------------ config file

  Path setUpDirectory() throws Exception {
    String d = dir.toString();
    keygen("ccs", "--curve", "ed25519", "--sub", "me", "--kid", "01", "--name", "own/me-sig", "--out", d);
    keygen("ccs", "--curve", "x25519", "--sub", "me", "--kid", "02", "--name", "own/me-dh", "--out", d);
    keygen("cert", "--curve", "p-256", "--usage", "both", "--subject", "CN=me", "--name", "own/me-cert", "--ca-name", "anchors/root", "--out", d);
    keygen("ccs", "--curve", "ed25519", "--sub", "peer", "--kid", "0a", "--name", "peers/peer", "--out", d);
    keygen("cert", "--curve", "ed25519", "--subject", "CN=peer", "--name", "peers/peer-cert", "--ca-cert", d + "/anchors/root.pem", "--ca-key",
        d + "/anchors/root.key.pem", "--out", d);
    keygen("psk", "--kid", "10", "--name", "psk/p", "--out", d);
    String yaml =
        "# test configuration\n"
            + "own:\n"
            + "  - {ccs: own/me-sig.ccs, key: own/me-sig.key.pem, send: reference}\n"
            + "  - {ccs: own/me-dh.ccs, key: own/me-dh.key.pem, send: value}\n"
            + "  - certificate: own/me-cert.pem\n"
            + "    key: own/me-cert.key.pem\n"
            + "    send: reference\n"
            + "    x5t: sha-256\n"
            + "peers:\n"
            + "  - ccs: peers/peer.ccs\n"
            + "  - certificate: peers/peer-cert.pem\n"
            + "    trust: pkix\n"
            + "psk:\n"
            + "  - {cred_i: psk/p.cred_i.ccs, cred_r: psk/p.cred_r.ccs}\n"
            + "trust_anchors: [anchors/root.pem]\n"
            + "tofu: {enabled: true, directory: tofu}\n";
    Path cfg = dir.resolve("credentials.yaml");
    Files.writeString(cfg, yaml);
    return cfg;
  }

  @Test
  void configLoadsOwnCredentialsPeersPsksAndPolicy() throws Exception {
    Path cfg = setUpDirectory();
    CredentialsConfig.Loaded l = CredentialsConfig.load(cfg);
    assertThat(l.own()).hasSize(3);
    assertThat(l.own().get(0).idCredToSend()).isEqualTo(IdCred.kid(Hex.decode("01")));
    assertThat(l.own().get(1).idCredToSend().kind()).isEqualTo(IdCred.Kind.KCCS);
    assertThat(l.own().get(2).idCredToSend().kind()).isEqualTo(IdCred.Kind.X5T);
    assertThat(l.own().get(2).idCredToSend().x5tHash()).hasSize(32);
    PeerStore s = l.peers();
    assertThat(s.trustOnFirstUse()).isTrue();
    assertThat(s.resolve(IdCred.kid(Hex.decode("0a")), CredentialUsage.SIGNATURE).publicKey())
        .isEqualTo(CredentialFiles.readCcs(dir.resolve("peers/peer.ccs")).publicKey());
    X509Credential peerCert = CredentialFiles.readCertificateCredential(dir.resolve("peers/peer-cert.pem"));
    assertThat(s.resolve(peerCert.byReference(), CredentialUsage.SIGNATURE)).isEqualTo(peerCert);
    assertThat(s.resolvePsk(IdCred.kid(Hex.decode("10")))).isSameAs(l.psks().get(0));
    // TOFU writes into the directory; a new load pins it
    KeyGenerator.CcsKeyPair stranger = new KeyGenerator().ccs(CoseCurve.ED25519, "stranger", Hex.decode("33"));
    s.resolve(stranger.ccs().byValue());
    CredentialsConfig.Loaded again = CredentialsConfig.load(cfg);
    assertThat(again.peers().resolve(IdCred.kid(Hex.decode("33"))).cred()).isEqualTo(stranger.ccs().cred());
    // JSON works too
    Path json = dir.resolve("c.json");
    Files.writeString(json, "{\"own\": [{\"ccs\": \"own/me-sig.ccs\", \"key\": \"own/me-sig.key.pem\"}], \"peers\": [{\"ccs\": \"peers/peer.ccs\"}]}");
    assertThat(CredentialsConfig.load(json, Clock.systemUTC()).own()).hasSize(1);
  }

  void configFails(Path cfg, Path file, String problem) {
    assertThatThrownBy(() -> CredentialsConfig.load(cfg))
        .isInstanceOfSatisfying(CredentialFileException.class, e -> assertThat(e.file().toAbsolutePath().normalize()).isEqualTo(file.toAbsolutePath().normalize()))
        .hasMessageContaining(problem);
  }

  @Test
  void configErrorsNameTheFileAndNothingIsReturned() throws Exception {
    Path cfg = setUpDirectory();
    String good = Files.readString(cfg);
    // a typo in a key
    Files.writeString(cfg, good.replace("trust_anchors", "trust_anchor"));
    configFails(cfg, cfg, "unknown key 'trust_anchor'");
    // malformed YAML
    Files.writeString(cfg, good + "own: [\n");
    configFails(cfg, cfg, "not valid YAML");
    // a malformed peer file after valid own credentials were read
    Files.writeString(cfg, good);
    Files.write(dir.resolve("peers/peer.ccs"), Hex.decode("a1026161"));
    configFails(cfg, dir.resolve("peers/peer.ccs"), "CCS has no cnf map");
    // a key that is not the credential's
    Files.copy(dir.resolve("own/me-dh.key.pem"), dir.resolve("own/me-sig.key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    configFails(cfg, dir.resolve("own/me-sig.key.pem"), "private key does not match the public key of CCS sub=me");
    // a broken trust anchor
    Files.writeString(dir.resolve("anchors/root.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n");
    configFails(cfg, dir.resolve("anchors/root.pem"), "has no END line");
    Files.writeString(cfg, "own: {}\n");
    configFails(cfg, cfg, "own must be a list");
    Files.writeString(cfg, "peers:\n  - {ccs: a.ccs, certificate: b.pem}\n");
    configFails(cfg, cfg, "peers[0]: give exactly one of 'ccs' and 'certificate'");
  }

  @Test
  void noPrivateKeyInToString() throws Exception {
    KeyGenerator g = new KeyGenerator();
    for (CoseCurve c : CoseCurve.values()) {
      KeyGenerator.CcsKeyPair p = g.ccs(c, "s", Hex.decode("01"));
      byte[] d = p.privateKey().exportSecret();
      String hex = Hex.encode(d);
      String b64 = Base64.getEncoder().encodeToString(d);
      for (Object o : List.of(p, p.privateKey(), p.byReference(), p.byValue(), p.ccs())) {
        assertThat(o.toString()).doesNotContain(hex).doesNotContainIgnoringCase(hex).doesNotContain(b64);
      }
    }
    KeyGenerator.Ca ca = g.selfSignedCa(CoseCurve.ED25519, "CN=r", java.time.Duration.ofDays(1));
    KeyGenerator.Leaf leaf = g.leaf(ca, CoseCurve.X25519, "CN=l", CredentialUsage.STATIC_DH, java.time.Duration.ofDays(1));
    for (Object o : List.of(ca, leaf)) {
      assertThat(o.toString()).doesNotContain(Hex.encode(ca.privateKey().exportSecret())).doesNotContain(Hex.encode(leaf.privateKey().exportSecret()));
    }
    CredentialsConfig.Loaded l = CredentialsConfig.load(setUpDirectory());
    String s = l.toString();
    for (OwnCredential o : l.own()) {
      assertThat(s).doesNotContain(Hex.encode(o.privateKey().exportSecret()));
    }
    assertThat(s).doesNotContain(Hex.encode(l.psks().get(0).exportPsk()));
  }
}
