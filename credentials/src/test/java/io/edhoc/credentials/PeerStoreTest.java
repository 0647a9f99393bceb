package io.edhoc.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseLabels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerStoreTest {
  static final KeyGenerator GEN = new KeyGenerator();
  static final Clock NOW = Clock.fixed(TestPki.NOW, ZoneOffset.UTC);

  static CredentialException.Reason reasonOf(ThrowingResolve r) {
    try {
      r.run();
    } catch (CredentialException e) {
      return e.reason();
    }
    throw new AssertionError("no exception");
  }

  interface ThrowingResolve {
    void run() throws CredentialException;
  }

  @Test
  void unknownKidIsUnknownAndKnownKidResolves() throws Exception {
    KeyGenerator.CcsKeyPair a = GEN.ccs(CoseCurve.ED25519, "alice", Hex.decode("0a"));
    PeerStore s = PeerStore.builder().clock(NOW).build().pin(a.ccs());
    assertThat(s.resolve(IdCred.kid(Hex.decode("0a")))).isSameAs(a.ccs());
    assertThat(reasonOf(() -> s.resolve(IdCred.kid(Hex.decode("0b"))))).isEqualTo(CredentialException.Reason.UNKNOWN);
    assertThatThrownBy(() -> s.resolve(IdCred.kid(Hex.decode("0b")))).hasMessage("no credential with kid h'0b'");
    // an Ed25519 key cannot be a static DH key
    assertThat(reasonOf(() -> s.resolve(IdCred.kid(Hex.decode("0a")), CredentialUsage.STATIC_DH))).isEqualTo(CredentialException.Reason.WRONG_KEY_TYPE);
  }

  @Test
  void sameKidForSignatureAndDhKeysPicksByUsage() throws Exception {
    KeyGenerator.CcsKeyPair sig = GEN.ccs(CoseCurve.ED25519, "bob", Hex.decode("07"));
    KeyGenerator.CcsKeyPair dh = GEN.ccs(CoseCurve.X25519, "bob", Hex.decode("07"));
    PeerStore s = PeerStore.builder().build().pin(sig.ccs()).pin(dh.ccs());
    assertThat(s.resolve(IdCred.kid(Hex.decode("07")), CredentialUsage.SIGNATURE)).isSameAs(sig.ccs());
    assertThat(s.resolve(IdCred.kid(Hex.decode("07")), CredentialUsage.STATIC_DH)).isSameAs(dh.ccs());
  }

  @Test
  void ccsExpAndNbfFollowTheClock() throws Exception {
    KeyGenerator.CcsKeyPair k = GEN.ccs(CoseCurve.P_256, "x", null);
    long now = TestPki.NOW.getEpochSecond();
    CcsCredential expired = CcsCredential.create("old", k.ccs().publicKey(), Hex.decode("01"), now - 10, null);
    CcsCredential future = CcsCredential.create("new", k.ccs().publicKey(), Hex.decode("02"), null, now + 10);
    CcsCredential fine = CcsCredential.create("ok", k.ccs().publicKey(), Hex.decode("03"), now + 10, now - 10);
    PeerStore s = PeerStore.builder().clock(NOW).build().pin(expired).pin(future).pin(fine);
    assertThatThrownBy(() -> s.resolve(IdCred.kid(Hex.decode("01")))).hasMessageStartingWith("CCS expired");
    assertThatThrownBy(() -> s.resolve(IdCred.kid(Hex.decode("02")))).hasMessageStartingWith("CCS not yet valid");
    assertThat(s.resolve(IdCred.kid(Hex.decode("03")))).isSameAs(fine);
    assertThat(reasonOf(() -> s.resolve(IdCred.kid(Hex.decode("01"))))).isEqualTo(CredentialException.Reason.REJECTED);
    // by value too
    PeerStore tofu = PeerStore.builder().clock(NOW).trustOnFirstUse(true).build();
    assertThatThrownBy(() -> tofu.resolve(expired.byValue())).hasMessageStartingWith("CCS expired");
    assertThat(tofu.pinned()).isEmpty();
  }

  @Test
  void pinnedCcsByValueIsAcceptedWithTheReceivedBytes() throws Exception {
    KeyGenerator.CcsKeyPair a = GEN.ccs(CoseCurve.X25519, "alice", Hex.decode("0a"));
    PeerStore s = PeerStore.builder().build().pin(a.ccs());
    assertThat(s.resolve(a.ccs().byValue()).cred()).isEqualTo(a.ccs().cred());
    // same key, other claims: pinned by key; CRED_x stays what was received
    CcsCredential renamed = CcsCredential.create("alice-2", a.ccs().publicKey(), Hex.decode("0a"));
    assertThat(s.resolve(renamed.byValue()).cred()).isEqualTo(renamed.cred());
  }

  @Test
  void trustOnFirstUseOffRejectsOnAcceptsOnceThenPins(@TempDir Path dir) throws Exception {
    KeyGenerator.CcsKeyPair a = GEN.ccs(CoseCurve.ED25519, "alice", Hex.decode("0a"));
    PeerStore off = PeerStore.builder().build();
    assertThatThrownBy(() -> off.resolve(a.ccs().byValue()))
        .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.reason()).isEqualTo(CredentialException.Reason.REJECTED))
        .hasMessageStartingWith("CCS by value is not pinned and trust-on-first-use is off");
    assertThat(off.pinned()).isEmpty();

    Path tofuDir = dir.resolve("tofu");
    PeerStore on = PeerStore.builder().trustOnFirstUse(true).tofuDirectory(tofuDir).build();
    assertThatThrownBy(() -> on.resolve(IdCred.kid(Hex.decode("0a")))).isInstanceOf(CredentialException.class);
    assertThat(on.resolve(a.ccs().byValue()).cred()).isEqualTo(a.ccs().cred());
    assertThat(on.pinned()).hasSize(1);
    // pinned now: by value again and by reference
    assertThat(on.resolve(a.ccs().byValue()).publicKey()).isEqualTo(a.ccs().publicKey());
    assertThat(on.resolve(IdCred.kid(Hex.decode("0a"))).publicKey()).isEqualTo(a.ccs().publicKey());
    assertThat(on.pinned()).hasSize(1);
    // another key claiming the same sub or kid is refused although TOFU is on
    KeyGenerator.CcsKeyPair mallory = GEN.ccs(CoseCurve.ED25519, "alice", Hex.decode("0c"));
    assertThatThrownBy(() -> on.resolve(mallory.ccs().byValue())).hasMessageStartingWith("CCS by value conflicts with a pinned credential (sub alice");
    KeyGenerator.CcsKeyPair mallory2 = GEN.ccs(CoseCurve.ED25519, "mallory", Hex.decode("0a"));
    assertThatThrownBy(() -> on.resolve(mallory2.ccs().byValue())).hasMessageContaining("kid h'0a' is pinned to another key");
    // persisted: exactly the received bytes
    try (var files = Files.list(tofuDir)) {
      List<Path> l = files.toList();
      assertThat(l).hasSize(1);
      assertThat(Files.readAllBytes(l.get(0))).isEqualTo(a.ccs().cred());
    }
  }

  @Test
  void x5tResolvesPinnedCertificatesWithBothHashes() throws Exception {
    TestPki pki = TestPki.signing("x5t", CoseCurve.ED25519);
    X509Credential leaf = X509Credential.parse(pki.leaf);
    PeerStore s = PeerStore.builder().clock(NOW).build().pin(leaf);
    for (long alg : new long[] {CoseLabels.ALG_SHA256_64, CoseLabels.ALG_SHA256}) {
      IdCred ref = leaf.byReference(alg);
      assertThat(ref.x5tHash()).hasSize(alg == CoseLabels.ALG_SHA256 ? 32 : 8);
      Credential got = s.resolve(ref, CredentialUsage.SIGNATURE);
      assertThat(got.publicKey()).isEqualTo(pki.leafKey.publicKey());
      assertThat(got.byReference()).isEqualTo(ref);
    }
    assertThat(reasonOf(() -> s.resolve(IdCred.x5t(CoseLabels.ALG_SHA256, new byte[32])))).isEqualTo(CredentialException.Reason.UNKNOWN);
    assertThat(reasonOf(() -> s.resolve(IdCred.x5t(-43, new byte[48])))).isEqualTo(CredentialException.Reason.UNKNOWN);
    // pinned but expired at the store's clock
    PeerStore late = PeerStore.builder().clock(Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC)).build().pin(leaf);
    assertThatThrownBy(() -> late.resolve(leaf.byReference())).hasMessageStartingWith("certificate expired");
  }

  @Test
  void x5tResolvesTrustAnchoredChainsWithPkix() throws Exception {
    TestPki pki = TestPki.signing("anch", CoseCurve.P_256);
    TestPki other = TestPki.signing("other", CoseCurve.P_256);
    PkixValidator v = PkixValidator.builder().trustAnchor(pki.root).build();
    PeerStore s = PeerStore.builder().clock(NOW).pkix(v).build().addChain(pki.chain()).addChain(other.chain());
    X509Credential leaf = X509Credential.parse(pki.leaf);
    for (long alg : new long[] {CoseLabels.ALG_SHA256_64, CoseLabels.ALG_SHA256}) {
      assertThat(s.resolve(leaf.byReference(alg), CredentialUsage.SIGNATURE).publicKey()).isEqualTo(pki.leafKey.publicKey());
    }
    // known but not anchored: PKIX says why
    assertThatThrownBy(() -> s.resolve(X509Credential.parse(other.leaf).byReference())).hasMessageStartingWith("missing intermediate");
    // the store's clock reaches the validator
    PeerStore late = PeerStore.builder().clock(Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC)).pkix(v).build().addChain(pki.chain());
    assertThatThrownBy(() -> late.resolve(leaf.byReference())).hasMessageStartingWith("certificate expired");
  }

  @Test
  void x5chainByValueIsValidatedThenReferencedByX5t() throws Exception {
    TestPki pki = TestPki.create("dh", CoseCurve.ED25519, CoseCurve.X25519, KeyUsage.keyAgreement);
    PeerStore s = PeerStore.builder().clock(NOW).pkix(PkixValidator.builder().trustAnchor(pki.root).build()).build();
    X509Credential leaf = X509Credential.parse(pki.leaf);
    assertThat(reasonOf(() -> s.resolve(leaf.byReference()))).isEqualTo(CredentialException.Reason.UNKNOWN);
    Credential got = s.resolve(IdCred.x5chain(pki.chain()), CredentialUsage.STATIC_DH);
    assertThat(got.publicKey()).isEqualTo(pki.leafKey.publicKey());
    assertThat(got.cred()).isEqualTo(leaf.cred());
    assertThat(s.resolve(leaf.byReference(), CredentialUsage.STATIC_DH).publicKey()).isEqualTo(pki.leafKey.publicKey());
    assertThat(reasonOf(() -> s.resolve(IdCred.x5chain(pki.chain()), CredentialUsage.SIGNATURE))).isEqualTo(CredentialException.Reason.WRONG_KEY_TYPE);
  }

  @Test
  void x5chainWithoutAnchorsOrPinIsRejected() throws Exception {
    TestPki pki = TestPki.signing("lone", CoseCurve.ED448);
    PeerStore s = PeerStore.builder().clock(NOW).build();
    assertThatThrownBy(() -> s.resolve(IdCred.x5chain(pki.chain()))).hasMessageStartingWith("certificate by value is not pinned and no trust anchors");
    s.pin(X509Credential.parse(pki.leaf));
    assertThat(s.resolve(IdCred.x5chain(List.of(pki.leaf))).publicKey()).isEqualTo(pki.leafKey.publicKey());
  }

  @Test
  void unsupportedFormsGiveClearErrors() throws Exception {
    PeerStore s = PeerStore.builder().build();
    assertThatThrownBy(() -> s.resolve(IdCred.kcwt(Hex.decode("d28443a10126a0f640")))).hasMessageContaining("kcwt");
    assertThatThrownBy(() -> IdCred.fromMap(Hex.decode("a1182340"))).hasMessageContaining("unsupported ID_CRED parameter 35");
    assertThat(reasonOf(() -> s.resolve(IdCred.kccs(Hex.decode("a10102"))))).isEqualTo(CredentialException.Reason.MALFORMED);
    assertThat(reasonOf(() -> s.resolvePsk(IdCred.kid(Hex.decode("10"))))).isEqualTo(CredentialException.Reason.UNKNOWN);
  }

  @Test
  void defaultResolverOverloadChecksKeyType() throws Exception {
    KeyGenerator.CcsKeyPair a = GEN.ccs(CoseCurve.X448, "x", Hex.decode("01"));
    CredentialResolver lambda = id -> a.ccs();
    assertThat(lambda.resolve(IdCred.kid(Hex.decode("01")), CredentialUsage.STATIC_DH)).isSameAs(a.ccs());
    assertThat(reasonOf(() -> lambda.resolve(IdCred.kid(Hex.decode("01")), CredentialUsage.SIGNATURE))).isEqualTo(CredentialException.Reason.WRONG_KEY_TYPE);
  }
}
