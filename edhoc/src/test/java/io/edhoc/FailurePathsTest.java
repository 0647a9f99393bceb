package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.edhoc.cbor.CborWriter;
import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.CredentialResolver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Failure paths that the handshake tests do not reach: what the peer-credential lookup does with
 * each resolver outcome, an Initiator without a credential, a negotiation that cannot progress, a
 * message_4 that decrypts to a malformed PLAINTEXT_4, an exported state naming an unknown suite,
 * and C_R kept after a failed message_2 (to address the error message, RFC 9528 A.2).
 */
class FailurePathsTest {
  /** message_2 from a Responder, read by an Initiator whose peer store is {@code resolver}. */
  private static EdhocException readMessage2With(CredentialResolver resolver) throws EdhocException {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().peers(resolver).build()).writeMessage1();
    byte[] m2 = Edhoc.responder(p.responder().build()).readMessage1(w2.message1()).writeMessage2().message2();
    return catchThrowableOfType(EdhocException.class, () -> w2.readMessage2(m2));
  }

  @Test
  void peerCredentialLookupMapsEachResolverOutcome() throws EdhocException {
    EdhocException unknown = readMessage2With(id -> {
      throw new CredentialException(CredentialException.Reason.UNKNOWN, "not here");
    });
    assertThat(unknown.failure()).isEqualTo(Failure.UNKNOWN_CREDENTIAL);
    assertThat(unknown.errorCode()).isEqualTo(ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED);
    // a resolver that answers null (not known): also through the default resolve(id, usage), which
    // used to throw a NullPointerException there (found by this test)
    EdhocException nothing = readMessage2With(id -> null);
    assertThat(nothing.failure()).isEqualTo(Failure.UNKNOWN_CREDENTIAL);
    assertThat(nothing.errorCode()).isEqualTo(3);
    EdhocException malformed = readMessage2With(id -> {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "broken");
    });
    assertThat(malformed.failure()).isEqualTo(Failure.CREDENTIAL_REJECTED);
    assertThat(malformed.getMessage()).contains("malformed peer credential");
    EdhocException broken = readMessage2With(id -> {
      throw new IllegalStateException("resolver bug");
    });
    assertThat(broken.failure()).isEqualTo(Failure.INTERNAL);
    assertThat(broken.errorCode()).isEqualTo(1);
    // a static DH key on the wrong curve: X25519 where suite 2 needs P-256
    io.edhoc.credentials.Credential x25519 = Fixture.ccs(io.edhoc.cose.CoseCurve.X25519, "responder", new byte[] {0x0b}).credential();
    EdhocException wrongCurve = readMessage2With(id -> x25519);
    assertThat(wrongCurve.failure()).isEqualTo(Failure.CREDENTIAL_REJECTED);
    assertThat(wrongCurve.getMessage()).contains("needs P_256").contains("static DH");
  }

  @Test
  void anInitiatorWithoutACredentialForItsMethodCannotStart() {
    Fixture.Pair p = new Fixture.Pair(Method.SIG_SIG, CipherSuite.SUITE_0);
    EdhocConfig cfg = EdhocConfig.builder().suites(CipherSuite.SUITE_0).methods(Method.STAT_STAT).credential(p.credI).peers(p.initiatorPeers).build();
    EdhocException e = catchThrowableOfType(EdhocException.class, () -> Edhoc.initiator(cfg).writeMessage1());
    assertThat(e.failure()).isEqualTo(Failure.NO_CREDENTIAL);
    assertThat(e.hasErrorMessage()).isFalse();
  }

  @Test
  void negotiationStopsWhenTheResponderRejectsTheSuiteItLists() throws EdhocException {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    EdhocPeerErrorException err = catchThrowableOfType(EdhocPeerErrorException.class,
        () -> w2.readMessage2(ErrorMessage.wrongSelectedCipherSuite(List.of(2))));
    EdhocException e = catchThrowableOfType(EdhocException.class, () -> w2.retryAfter(err));
    assertThat(e.failure()).isEqualTo(Failure.WRONG_SELECTED_SUITE);
  }

  @Test
  void aMessage4ThatDecryptsToGarbageIsMalformed() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
    Map<String, byte[]> traced = new HashMap<>();
    TestHooks hooks = TestHooks.create().trace((name, value) -> traced.put(name, value.clone()));
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(p.responder().testHooks(hooks).build()).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    byte[] m4 = w3.readMessage3(w4.message3()).writeMessage4().message4();
    assertThat(traced).containsKeys("K_4", "IV_4", "TH_4");
    // PLAINTEXT_4 = EAD_4 only: 0xff is not an EAD item
    byte[] garbage = AuthenticationFailureTest.encrypt0(traced.get("K_4"), traced.get("IV_4"), traced.get("TH_4"), new byte[] {(byte) 0xff});
    EdhocException e = catchThrowableOfType(EdhocException.class, () -> w4.readMessage4(garbage));
    assertThat(e.failure()).isEqualTo(Failure.MALFORMED_MESSAGE);
    assertThat(e.getMessage()).contains("message_4");
    assertThat(m4).isNotEqualTo(garbage);
  }

  @Test
  void anExportedStateNamingAnUnknownSuiteIsRefused() {
    byte[] state = new CborWriter().writeArrayHeader(9).writeInt(1).writeInt(3).writeInt(99).writeBytes(new byte[1]).writeBytes(new byte[1])
        .writeBytes(new byte[1]).writeBytes(new byte[1]).writeBytes(new byte[1]).writeBytes(new byte[32]).toByteArray();
    assertThatThrownBy(() -> Responder.resume(new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2).responder().build(), state))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown method or suite");
  }

  @Test
  void cRIsKeptAfterAFailedMessage2SoTheErrorCanBeAddressed() throws EdhocException {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    assertThat(w2.peerConnectionId()).isNull();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(p.responder().build()).readMessage1(w2.message1()).writeMessage2();
    byte[] m2 = w3.message2();
    m2[m2.length - 1] ^= 1; // the MAC: C_R still decrypts
    catchThrowableOfType(EdhocException.class, () -> w2.readMessage2(m2));
    assertThat(w2.peerConnectionId()).isEqualTo(w3.connectionIdR());
  }

  @Test
  void aMessage2WithBytesAfterItsBstrOrWithoutCiphertextIsMalformed() throws EdhocException {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
    EdhocConfig rc = p.responder().build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    byte[] m2 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2().message2();
    byte[] trailing = java.util.Arrays.copyOf(m2, m2.length + 1);
    EdhocException e = catchThrowableOfType(EdhocException.class, () -> w2.readMessage2(trailing));
    assertThat(e.failure()).isEqualTo(Failure.MALFORMED_MESSAGE);
    Initiator.AwaitingMessage2 other = Edhoc.initiator(p.initiator().build()).writeMessage1();
    byte[] onlyGy = new CborWriter().writeBytes(java.util.Arrays.copyOfRange(m2, 2, 2 + 32)).toByteArray();
    EdhocException tooShort = catchThrowableOfType(EdhocException.class, () -> other.readMessage2(onlyGy));
    assertThat(tooShort.failure()).isEqualTo(Failure.MALFORMED_MESSAGE);
    assertThat(tooShort.getMessage()).contains("too short");
  }

  @Test
  void anAbortedMessage2VerifiedStateCannotContinue() throws EdhocException {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    Initiator.Message2Verified v2 = w2.readMessage2(Edhoc.responder(p.responder().build()).readMessage1(w2.message1()).writeMessage2().message2());
    v2.abort();
    assertThatThrownBy(v2::writeMessage3).isInstanceOf(IllegalStateException.class);
  }
}
