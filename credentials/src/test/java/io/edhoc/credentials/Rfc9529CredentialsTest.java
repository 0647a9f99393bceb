package io.edhoc.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborWriter;
import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CoseLabels;
import io.edhoc.cose.CosePublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The credentials of RFC 9529 (values as printed there, /work/shared/vectors-src/rfc9529.json) and of the PSK draft. */
class Rfc9529CredentialsTest {
  // Section 2: X.509, Ed25519, x5t
  static final String CRED_R_2 =
      "3081ee3081a1a003020102020462319ec4300506032b6570301d311b301906035504030c124544484f4320526f6f742045643235353139301e170d3232303331363038323433365a170d3239313233313233303030305a30223120301e06035504030c174544484f4320526573706f6e6465722045643235353139302a300506032b6570032100a1db47b95184854ad12a0c1a354e418aace33aa0f2c662c00b3ac55de92f9359300506032b6570034100b723bc01eab0928e8b2b6c98de19cc3823d46e7d6987b032478fecfaf14537a1af14cc8be829c6b73044101837eb4abc949565d86dce51cfae52ab82c152cb02";
  static final String CRED_I_2 =
      "3081ee3081a1a003020102020462319ea0300506032b6570301d311b301906035504030c124544484f4320526f6f742045643235353139301e170d3232303331363038323430305a170d3239313233313233303030305a30223120301e06035504030c174544484f4320496e69746961746f722045643235353139302a300506032b6570032100ed06a8ae61a829ba5fa54525c9d07f48dd44a302f43e0f23d8cc20b73085141e300506032b6570034100521241d8b3a770996bcfc9b9ead4e7e0a1c0db353a3bdf2910b39275ae48b756015981850d27db6734e37f67212267dd05eeff27b9e7a813fa574b72a00b430b";
  static final String PK_R_2 = "a1db47b95184854ad12a0c1a354e418aace33aa0f2c662c00b3ac55de92f9359";
  static final String SK_R_2 = "ef140ff900b0ab03f0c08d879cbbd4b31ea71e6e7ee7ffcb7e7955777a332799";
  static final String PK_I_2 = "ed06a8ae61a829ba5fa54525c9d07f48dd44a302f43e0f23d8cc20b73085141e";
  static final String SK_I_2 = "4c5b25878f507c6b9dae68fbd4fd3ff997533db0af00b25d324ea28e6c213bc8";
  static final String ID_CRED_R_2 = "a11822822e4879f2a41b510c1f9b";
  static final String ID_CRED_I_2 = "a11822822e48c24ab2fd7643c79f";

  // Section 3: CCS, P-256 static DH, kid
  static final String CRED_R_3 =
      "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
  static final String CRED_I_3 =
      "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";
  static final String SK_R_3 = "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac";
  static final String PK_R_3_X = "bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f0";
  static final String PK_R_3_Y = "4519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
  static final String SK_I_3 = "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b";
  static final String PK_I_3_X = "ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb6";
  static final String PK_I_3_Y = "6e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";

  // PSK draft Appendix B
  static final String PSK_CRED_I = "a20269696e69746961746f7208a101a30104024110205050930ff462a77a3540cf546325dea214";
  static final String PSK_CRED_R = "a20269726573706f6e64657208a101a30104024110205050930ff462a77a3540cf546325dea214";
  static final String PSK = "50930ff462a77a3540cf546325dea214";

  static byte[] h(String s) {
    return Hex.decode(s);
  }

  @Test
  void section2CertificatesGiveTheTraceX5tAndKeys() throws Exception {
    X509Credential r = X509Credential.parse(h(CRED_R_2));
    X509Credential i = X509Credential.parse(h(CRED_I_2));
    assertThat(r.byReference().encodedMap()).isEqualTo(h(ID_CRED_R_2));
    assertThat(i.byReference().encodedMap()).isEqualTo(h(ID_CRED_I_2));
    assertThat(r.publicKey()).isEqualTo(new CosePublicKey(CoseCurve.ED25519, h(PK_R_2), null));
    assertThat(i.publicKey()).isEqualTo(new CosePublicKey(CoseCurve.ED25519, h(PK_I_2), null));
    assertThat(r.cred()).isEqualTo(CborWriter.bstr(h(CRED_R_2)));
    assertThat(r.subject()).isEqualTo("CN=EDHOC Responder Ed25519");
    assertThat(r.issuer()).isEqualTo("CN=EDHOC Root Ed25519");
    assertThat(CoseKeys.derivePublicKey(CoseCurve.ED25519, h(SK_R_2))).isEqualTo(r.publicKey());
    assertThat(CoseKeys.derivePublicKey(CoseCurve.ED25519, h(SK_I_2))).isEqualTo(i.publicKey());
    assertThat(IdCred.fromMap(h(ID_CRED_R_2))).isEqualTo(r.byReference());
    assertThat(r.byReference(CoseLabels.ALG_SHA256).x5tHash()).hasSize(32);
  }

  @Test
  void section2CertificatesResolveByX5tFromAPinningStore() throws Exception {
    X509Credential r = X509Credential.parse(h(CRED_R_2));
    PeerStore store = PeerStore.builder().clock(Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC)).build().pin(r);
    Credential got = store.resolve(IdCred.fromMap(h(ID_CRED_R_2)), CredentialUsage.SIGNATURE);
    assertThat(got.cred()).isEqualTo(r.cred());
    assertThat(store.resolve(r.byReference(CoseLabels.ALG_SHA256)).publicKey()).isEqualTo(r.publicKey());
    // the RFC 9529 certificates carry no key usage extension: accepted for signatures, not for static DH (Ed25519)
    assertThat(r.keyUsageBits()).isEqualTo(-1);
  }

  @Test
  void section3CcsGiveKidsAndKeys() throws Exception {
    CcsCredential r = CcsCredential.parse(h(CRED_R_3));
    CcsCredential i = CcsCredential.parse(h(CRED_I_3));
    assertThat(r.kid()).isEqualTo(h("32"));
    assertThat(i.kid()).isEqualTo(h("2b"));
    assertThat(r.subject()).isEqualTo("example.edu");
    assertThat(i.subject()).isEqualTo("42-50-31-FF-EF-37-32-39");
    assertThat(r.publicKey()).isEqualTo(new CosePublicKey(CoseCurve.P_256, h(PK_R_3_X), h(PK_R_3_Y)));
    assertThat(i.publicKey()).isEqualTo(new CosePublicKey(CoseCurve.P_256, h(PK_I_3_X), h(PK_I_3_Y)));
    assertThat(r.byReference().encodedMap()).isEqualTo(h("a1044132"));
    assertThat(i.byReference().encodedMap()).isEqualTo(h("a104412b"));
    // compact plaintext encodings: h'32' is the int -19, h'2b' the int -12
    assertThat(r.byReference().plaintextEncoding()).isEqualTo(h("32"));
    assertThat(i.byReference().plaintextEncoding()).isEqualTo(h("2b"));
    assertThat(CoseKeys.derivePublicKey(CoseCurve.P_256, h(SK_R_3))).isEqualTo(r.publicKey());
    assertThat(CoseKeys.derivePublicKey(CoseCurve.P_256, h(SK_I_3))).isEqualTo(i.publicKey());
    // the CCS builder reproduces the RFC's bytes exactly
    assertThat(CcsCredential.create("example.edu", r.publicKey(), h("32")).cred()).isEqualTo(h(CRED_R_3));
    assertThat(CcsCredential.create("42-50-31-FF-EF-37-32-39", i.publicKey(), h("2b")).cred()).isEqualTo(h(CRED_I_3));
    PeerStore store = PeerStore.builder().build().pin(r).pin(i);
    assertThat(store.resolve(IdCred.readFromPlaintext(new CborReader(h("32"))), CredentialUsage.STATIC_DH)).isSameAs(r);
    assertThat(store.resolve(IdCred.kid(h("2b")))).isSameAs(i);
  }

  @Test
  void pskDraftCredentials() throws Exception {
    PskCredential p = PskCredential.fromCcs(h(PSK_CRED_I), h(PSK_CRED_R));
    assertThat(p.idCredPsk().kid()).isEqualTo(h("10"));
    assertThat(p.idCredPsk().plaintextEncoding()).isEqualTo(h("10"));
    assertThat(p.exportPsk()).isEqualTo(h(PSK));
    assertThat(p.credI()).isEqualTo(h(PSK_CRED_I));
    assertThat(p.credR()).isEqualTo(h(PSK_CRED_R));
    assertThat(PskCredential.ccs("initiator", h("10"), h(PSK))).isEqualTo(h(PSK_CRED_I));
    assertThat(p.toString()).doesNotContain(PSK).doesNotContain(PSK.toUpperCase());
    PeerStore store = PeerStore.builder().build().addPsk(p);
    assertThat(store.resolvePsk(IdCred.readFromPlaintext(new CborReader(h("10"))))).isSameAs(p);
    p.destroy();
    assertThat(p.isDestroyed()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(p::exportPsk).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void pskEntriesAreChecked() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PskCredential.of(IdCred.kid(h("11")), h(PSK), h(PSK_CRED_I), h(PSK_CRED_R)))
        .hasMessageContaining("kid differs");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PskCredential.of(IdCred.kid(h("10")), h(PSK), h(PSK_CRED_I), h(PSK_CRED_I)))
        .hasMessageContaining("distinct");
    byte[] otherKey = h("00112233445566778899aabbccddeeff");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PskCredential.of(IdCred.kid(h("10")), otherKey, h(PSK_CRED_I), h(PSK_CRED_R)))
        .hasMessageContaining("another key than the PSK")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PSK));
    List.of(); // keep imports tidy
  }
}
