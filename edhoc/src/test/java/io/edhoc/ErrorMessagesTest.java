package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edhoc.cbor.CborWriter;
import io.edhoc.cose.CoseCurve;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9528 section 6: the error message each failure yields (ERR_CODE 1, 2, 3), suite
 * negotiation with SUITES_R and the retry (6.3), and an initiator that receives an error message
 * or garbage in its place.
 */
class ErrorMessagesTest {

  private static ErrorMessage parse(EdhocException e) throws Exception {
    assertThat(e.hasErrorMessage()).as("an error message to send").isTrue();
    ErrorMessage m = ErrorMessage.parse(e.errorMessage());
    assertThat(m.code()).isEqualTo(e.errorCode());
    return m;
  }

  @Test
  void unknownKidInMessage3IsErrCode3AndTheInitiatorAbortsOnIt() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    EdhocConfig rc = p.responder().peers(new InMemoryCredentialStore()).build(); // knows nobody
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    EdhocException e = assertThrows(EdhocException.class, () -> w3.readMessage3(w4.message3()));
    assertThat(e.failure()).isEqualTo(Failure.UNKNOWN_CREDENTIAL);
    assertThat(parse(e).code()).isEqualTo(ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED);
    EdhocPeerErrorException pe = assertThrows(EdhocPeerErrorException.class, () -> w4.readMessage4(e.errorMessage()));
    assertThat(pe.peerErrorCode()).isEqualTo(3);
    assertThat(pe.hasErrorMessage()).as("no error message answers an error message").isFalse();
  }

  @Test
  void unknownKidInMessage2IsErrCode3() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.SIG_SIG, CipherSuite.SUITE_2);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().peers(new InMemoryCredentialStore()).build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(p.responder().build()).readMessage1(w2.message1()).writeMessage2();
    EdhocException e = assertThrows(EdhocException.class, () -> w2.readMessage2(w3.message2()));
    assertThat(parse(e).code()).isEqualTo(3);
    EdhocPeerErrorException pe = assertThrows(EdhocPeerErrorException.class, () -> w3.readMessage3(e.errorMessage()));
    assertThat(pe.peerErrorCode()).isEqualTo(3);
  }

  @Test
  void macFailureIsErrCode1() throws Exception {
    // the responder knows kid 0x0a, but with another static DH key: MAC_3 cannot verify
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
    OwnCredential impostor = Fixture.ccs(CoseCurve.P_256, "initiator", new byte[] {0x0a});
    EdhocConfig rc = p.responder().peers(new InMemoryCredentialStore().add(impostor.credential())).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    EdhocException e = assertThrows(EdhocException.class, () -> w3.readMessage3(w4.message3()));
    assertThat(e.failure()).isEqualTo(Failure.AUTHENTICATION_FAILED);
    ErrorMessage m = parse(e);
    assertThat(m.code()).isEqualTo(ErrorMessage.UNSPECIFIED);
    assertThat(m.diagnostic()).isNotBlank();
  }

  @Test
  void signatureFailureIsErrCode1() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.SIG_SIG, CipherSuite.SUITE_0);
    OwnCredential impostor = Fixture.ccs(CoseCurve.ED25519, "responder", new byte[] {0x0b});
    EdhocConfig ic = p.initiator().peers(new InMemoryCredentialStore().add(impostor.credential())).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(p.responder().build()).readMessage1(w2.message1()).writeMessage2();
    EdhocException e = assertThrows(EdhocException.class, () -> w2.readMessage2(w3.message2()));
    assertThat(e.failure()).isEqualTo(Failure.AUTHENTICATION_FAILED);
    assertThat(parse(e).code()).isEqualTo(1);
  }

  /** Credentials for suites 0, 2 and 6 on both sides (method 0: Ed25519 and P-256 signature keys). */
  private static EdhocConfig.Builder endpoint(InMemoryCredentialStore peers, OwnCredential... own) {
    EdhocConfig.Builder b = EdhocConfig.builder().methods(Method.SIG_SIG).peers(peers);
    for (OwnCredential o : own) {
      b.credential(o);
    }
    return b;
  }

  @Test
  void unsupportedSelectedSuiteIsErrCode2WithSuitesRThenTheRetrySucceeds() throws Exception {
    OwnCredential iEd = Fixture.ccs(CoseCurve.ED25519, "i", new byte[] {1});
    OwnCredential iP = Fixture.ccs(CoseCurve.P_256, "i", new byte[] {2});
    OwnCredential rEd = Fixture.ccs(CoseCurve.ED25519, "r", new byte[] {3});
    OwnCredential rP = Fixture.ccs(CoseCurve.P_256, "r", new byte[] {4});
    EdhocConfig ic = endpoint(new InMemoryCredentialStore().add(rEd.credential()).add(rP.credential()), iEd, iP)
        .suites(CipherSuite.SUITE_6, CipherSuite.SUITE_2).build();
    EdhocConfig rc = endpoint(new InMemoryCredentialStore().add(iEd.credential()).add(iP.credential()), rEd, rP)
        .suites(CipherSuite.SUITE_2, CipherSuite.SUITE_0).build();

    Initiator first = Edhoc.initiator(ic);
    assertThat(first.suitesI()).containsExactly(CipherSuite.SUITE_6);
    Initiator.AwaitingMessage2 w2 = first.writeMessage1();
    EdhocException e = assertThrows(EdhocException.class, () -> Edhoc.responder(rc).readMessage1(w2.message1()));
    assertThat(e.failure()).isEqualTo(Failure.WRONG_SELECTED_SUITE);
    ErrorMessage m = parse(e);
    assertThat(m.code()).isEqualTo(ErrorMessage.WRONG_SELECTED_CIPHER_SUITE);
    assertThat(m.suitesR()).containsExactly(2, 0);

    EdhocPeerErrorException pe = assertThrows(EdhocPeerErrorException.class, () -> w2.readMessage2(e.errorMessage()));
    assertThat(pe.peerErrorCode()).isEqualTo(2);
    assertThat(pe.suitesR()).containsExactly(2, 0);
    Initiator retry = w2.retryAfter(pe);
    assertThat(retry.suitesI()).containsExactly(CipherSuite.SUITE_6, CipherSuite.SUITE_2);
    assertThat(retry.selectedSuite()).isEqualTo(CipherSuite.SUITE_2);

    Fixture.Done d = Fixture.handshake(retry, rc, List.of(), List.of(), List.of(), List.of());
    assertThat(d.initiator.suite()).isEqualTo(CipherSuite.SUITE_2);
    assertThat(d.responder.suite()).isEqualTo(CipherSuite.SUITE_2);
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();
  }

  @Test
  void responderSupportingAMorePreferredSuiteInSuitesIAnswersErrCode2() throws Exception {
    OwnCredential iEd = Fixture.ccs(CoseCurve.ED25519, "i", new byte[] {1});
    OwnCredential iP = Fixture.ccs(CoseCurve.P_256, "i", new byte[] {2});
    OwnCredential rEd = Fixture.ccs(CoseCurve.ED25519, "r", new byte[] {3});
    OwnCredential rP = Fixture.ccs(CoseCurve.P_256, "r", new byte[] {4});
    EdhocConfig ic = endpoint(new InMemoryCredentialStore().add(rEd.credential()).add(rP.credential()), iEd, iP)
        .suites(CipherSuite.SUITE_2, CipherSuite.SUITE_0).build();
    EdhocConfig rc = endpoint(new InMemoryCredentialStore().add(iEd.credential()).add(iP.credential()), rEd, rP)
        .suites(CipherSuite.SUITE_0, CipherSuite.SUITE_2).build();
    // SUITES_I = [2, 0]: the initiator prefers 2 but selects 0, which the responder supports too
    Initiator.AwaitingMessage2 w2 = new Initiator(ic, Method.SIG_SIG, List.of(CipherSuite.SUITE_2, CipherSuite.SUITE_0)).writeMessage1();
    EdhocException e = assertThrows(EdhocException.class, () -> Edhoc.responder(rc).readMessage1(w2.message1()));
    assertThat(parse(e).suitesR()).contains(2);
    EdhocPeerErrorException pe = assertThrows(EdhocPeerErrorException.class, () -> w2.readMessage2(e.errorMessage()));
    Initiator retry = w2.retryAfter(pe);
    assertThat(retry.selectedSuite()).isEqualTo(CipherSuite.SUITE_2);
    Fixture.Done d = Fixture.handshake(retry, rc, List.of(), List.of(), List.of(), List.of());
    assertThat(d.responder.suite()).isEqualTo(CipherSuite.SUITE_2);
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();
  }

  @Test
  void noCommonSuiteAfterErrCode2Fails() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    byte[] err = ErrorMessage.wrongSelectedCipherSuite(List.of(24, 25));
    EdhocPeerErrorException pe = assertThrows(EdhocPeerErrorException.class, () -> w2.readMessage2(err));
    EdhocException e = assertThrows(EdhocException.class, () -> w2.retryAfter(pe));
    assertThat(e.failure()).isEqualTo(Failure.WRONG_SELECTED_SUITE);
    assertThat(e.hasErrorMessage()).isFalse();
  }

  @Test
  void retryIsOnlyForErrCode2() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    EdhocPeerErrorException pe = assertThrows(EdhocPeerErrorException.class, () -> w2.readMessage2(ErrorMessage.unspecified("no")));
    assertThat(pe.diagnostic()).isEqualTo("no");
    assertThatThrownBy(() -> w2.retryAfter(pe)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errCode0AndMalformedErrorMessagesAbortWithoutAnswer() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    EdhocConfig ic = p.initiator().build();
    List<byte[]> received = List.of(
        new CborWriter().writeInt(0).writeText("success?").toByteArray(), // ERR_CODE 0 is not an error message to send
        new CborWriter().writeInt(0).toByteArray(), // no ERR_INFO
        new CborWriter().writeInt(1).writeInt(7).toByteArray(), // ERR_CODE 1 with a non-text ERR_INFO
        new CborWriter().writeInt(2).writeArrayHeader(1).writeInt(0).toByteArray(), // SUITES_R array of one
        new CborWriter().writeInt(3).writeBoolean(false).toByteArray(), // ERR_CODE 3 with false
        new CborWriter().writeInt(1).writeText("x").writeInt(5).toByteArray(), // trailing item
        new CborWriter().writeInt(-1).writeText("x").toByteArray(),
        new byte[] {0x1b, 1}); // truncated int
    for (byte[] m : received) {
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
      EdhocException e = assertThrows(EdhocException.class, () -> w2.readMessage2(m));
      assertThat(e.failure()).isEqualTo(Failure.PEER_ERROR);
      assertThat(e.hasErrorMessage()).as("no answer to an error message").isFalse();
      assertThat(e.errorCode()).isZero();
      assertThatThrownBy(() -> w2.readMessage2(m)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void unsupportedMethodIsErrCode1() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    byte[] m1 = Edhoc.initiator(p.initiator().build()).writeMessage1().message1();
    EdhocConfig rc = p.responder().methods(Method.SIG_SIG).build();
    EdhocException e = assertThrows(EdhocException.class, () -> Edhoc.responder(rc).readMessage1(m1));
    assertThat(e.failure()).isEqualTo(Failure.UNSUPPORTED_METHOD);
    assertThat(parse(e).code()).isEqualTo(1);
  }

  @Test
  void credentialOnTheWrongCurveIsRejectedWithErrCode1() throws Exception {
    // the responder's store maps kid 0x0a to an Ed25519 key, but method 3 needs an X25519 static DH key
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    CcsCredential wrong = (CcsCredential) Fixture.ccs(CoseCurve.ED25519, "initiator", new byte[] {0x0a}).credential();
    EdhocConfig rc = p.responder().peers(new InMemoryCredentialStore().add(wrong)).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    byte[] m3 = w2.readMessage2(w3.message2()).writeMessage3().message3();
    EdhocException e = assertThrows(EdhocException.class, () -> w3.readMessage3(m3));
    assertThat(e.failure()).isEqualTo(Failure.CREDENTIAL_REJECTED);
    assertThat(parse(e).code()).isEqualTo(1);
  }
}
