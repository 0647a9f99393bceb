package io.edhoc.psk;

import static io.edhoc.psk.PskFixture.EMPTY;
import static io.edhoc.psk.PskFixture.entry;
import static io.edhoc.psk.PskFixture.handshake;
import static io.edhoc.psk.PskFixture.initiator;
import static io.edhoc.psk.PskFixture.random;
import static io.edhoc.psk.PskFixture.responder;
import static io.edhoc.psk.PskFixture.toMessage3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.EdhocPeerErrorException;
import io.edhoc.ErrorMessage;
import io.edhoc.Failure;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.cbor.Hex;
import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.PskCredential;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Method 4 handshakes: success, wrong PSK, unknown ID_CRED_PSK, several candidates, enabling, state export. */
class PskHandshakeTest {
  private static final byte[] KID = {0x10};

  @Test
  void methodFourHandshakeAgreesOnKeysAndNamesThePskUsed() throws Exception {
    PskCredential psk = entry(KID);
    PskFixture.Run r = handshake(initiator(psk).build(), responder(id -> id.equals(psk.idCredPsk()) ? psk : null).build());
    assertThat(r.initiator.method()).isEqualTo(Method.PSK);
    assertThat(r.initiator.isResponderAuthenticated()).isTrue();
    assertThat(r.responder.isResponderAuthenticated()).isTrue();
    assertThat(r.initiator.exporter(0, EMPTY, 16)).isEqualTo(r.responder.exporter(0, EMPTY, 16));
    assertThat(r.initiator.exporter(1, EMPTY, 8)).isEqualTo(r.responder.exporter(1, EMPTY, 8));
    assertThat(r.initiator.peerCredential()).isNull();
    assertThat(r.initiator.pskCredential()).isSameAs(psk);
    assertThat(r.responder.pskCredential()).isSameAs(psk);
    assertThat(r.responder.idCredPsk()).isEqualTo(IdCred.kid(KID));
    // message_3 carries the compact ID_CRED_PSK under KEYSTREAM_3A: not in clear
    assertThat(r.initiator.toString()).doesNotContain(Hex.encode(psk.exportPsk()));
  }

  @Test
  void ownPskEntriesServeAsTheResponderResolverWhenNoneIsConfigured() throws Exception {
    PskCredential psk = entry(KID);
    EdhocConfig rc = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.PSK).psk(psk).build();
    PskFixture.Run r = handshake(initiator(psk).build(), rc);
    assertThat(r.responder.pskCredential()).isSameAs(psk);
  }

  @Test
  void wrongPskFailsCleanlyWithErrCode1() throws Exception {
    PskCredential mine = entry(KID);
    PskCredential theirs = entry(KID); // same ID_CRED_PSK, another key
    byte[] key = theirs.exportPsk();
    EdhocConfig ic = initiator(mine).build();
    EdhocConfig rc = responder(id -> theirs).build();
    EdhocException e = assertThrows(EdhocException.class, () -> toMessage3(ic, Edhoc.initiator(ic, Method.PSK), rc));
    assertThat(e.failure()).isEqualTo(Failure.DECRYPTION_FAILED);
    assertThat(e.errorCode()).isEqualTo(ErrorMessage.UNSPECIFIED);
    assertThat(e.errorMessage()).isNotNull();
    assertThat(ErrorMessage.isErrorMessage(e.errorMessage())).isTrue();
    assertThat(e.getMessage()).doesNotContainIgnoringCase(Hex.encode(key)).doesNotContainIgnoringCase(Hex.encode(mine.exportPsk()));
  }

  @Test
  void theInitiatorSurfacesTheRespondersErrorMessage() throws Exception {
    PskCredential mine = entry(KID);
    EdhocConfig ic = initiator(mine).build();
    EdhocConfig rc = responder(id -> entry(KID)).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic, Method.PSK).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    EdhocException e = assertThrows(EdhocException.class, () -> w3.readMessage3(w4.message3()));
    EdhocPeerErrorException peer = assertThrows(EdhocPeerErrorException.class, () -> w4.readMessage4(e.errorMessage()));
    assertThat(peer.peerErrorCode()).isEqualTo(ErrorMessage.UNSPECIFIED);
  }

  @Test
  void unknownIdCredPskGivesErrCode3() throws Exception {
    PskCredential mine = entry(new byte[] {0x11});
    EdhocConfig ic = initiator(mine).build();
    PskCredential known = entry(KID);
    for (EdhocConfig rc : List.of(
        responder(id -> id.equals(known.idCredPsk()) ? known : null).build(),
        responder(id -> {
          throw new CredentialException(CredentialException.Reason.UNKNOWN, "no such kid");
        }).build(),
        EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.PSK).psk(known).build())) {
      EdhocException e = assertThrows(EdhocException.class, () -> toMessage3(ic, Edhoc.initiator(ic, Method.PSK), rc));
      assertThat(e.failure()).isEqualTo(Failure.UNKNOWN_CREDENTIAL);
      assertThat(e.errorCode()).isEqualTo(ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED);
      assertThat(e.errorMessage()).isEqualTo(ErrorMessage.unknownCredentialReferenced());
    }
  }

  @Test
  void severalCandidatesForOneIdCredPskFirstWrongSecondRight() throws Exception {
    PskCredential right = entry(KID);
    PskCredential wrong = entry(KID);
    PskCredential alsoWrong = entry(KID);
    EdhocConfig ic = initiator(right).build();
    EdhocConfig rc = responder(new io.edhoc.credentials.PskResolver() {
      @Override
      public PskCredential resolvePsk(IdCred id) {
        return wrong;
      }

      @Override
      public List<PskCredential> resolvePsks(IdCred id) {
        return List.of(wrong, alsoWrong, right);
      }
    }).build();
    PskFixture.Run r = handshake(ic, rc);
    assertThat(r.responder.pskCredential()).isSameAs(right);
    assertThat(r.initiator.exporter(0, EMPTY, 16)).isEqualTo(r.responder.exporter(0, EMPTY, 16));

    // the same through own entries sharing one ID_CRED_PSK
    EdhocConfig own = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.PSK).psk(wrong).psk(right).build();
    assertThat(handshake(ic, own).responder.pskCredential()).isSameAs(right);

    // all candidates wrong: ERR_CODE 1
    EdhocConfig none = responder(new io.edhoc.credentials.PskResolver() {
      @Override
      public PskCredential resolvePsk(IdCred id) {
        return wrong;
      }

      @Override
      public List<PskCredential> resolvePsks(IdCred id) {
        return List.of(wrong, alsoWrong);
      }
    }).build();
    EdhocException e = assertThrows(EdhocException.class, () -> toMessage3(ic, Edhoc.initiator(ic, Method.PSK), none));
    assertThat(e.failure()).isEqualTo(Failure.DECRYPTION_FAILED);
    assertThat(e.errorCode()).isEqualTo(1);
  }

  @Test
  void methodFourIsRefusedUnlessEnabled() throws Exception {
    PskCredential psk = entry(KID);
    EdhocConfig ic = initiator(psk).build();
    byte[] m1 = Edhoc.initiator(ic, Method.PSK).writeMessage1().message1();

    // a Responder that lists methods 0-3 only, even with PSK entries configured
    io.edhoc.credentials.OwnCredential dh = PskFixture.dhCredential("responder", new byte[] {0x0b});
    EdhocConfig noPsk = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.SIG_SIG, Method.STAT_STAT).credential(dh)
        .peers(new InMemoryCredentialStore()).psk(psk).pskResolver(id -> psk).build();
    EdhocException e = assertThrows(EdhocException.class, () -> Edhoc.responder(noPsk).readMessage1(m1));
    assertThat(e.failure()).isEqualTo(Failure.UNSUPPORTED_METHOD);
    assertThat(e.errorCode()).isEqualTo(1);

    // an Initiator cannot start method 4 unless its configuration lists it
    EdhocConfig initiatorNoPsk = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).credential(dh)
        .peers(new InMemoryCredentialStore()).psk(psk).build();
    assertThrows(IllegalArgumentException.class, () -> Edhoc.initiator(initiatorNoPsk, Method.PSK));
    assertThrows(IllegalArgumentException.class, () -> Edhoc.initiator(initiatorNoPsk, psk));
    assertThat(Edhoc.initiator(initiatorNoPsk).method()).isEqualTo(Method.STAT_STAT);

    // no method is enabled by default
    assertThrows(IllegalArgumentException.class, () -> EdhocConfig.builder().suites(CipherSuite.SUITE_2).psk(psk).build());

    // method 4 enabled without any PSK: the Initiator has nothing to present, the Responder nothing to accept
    EdhocConfig bare = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.PSK).build();
    EdhocException noEntry = assertThrows(EdhocException.class, () -> Edhoc.initiator(bare, Method.PSK).writeMessage1());
    assertThat(noEntry.failure()).isEqualTo(Failure.NO_CREDENTIAL);
    EdhocException noResolver = assertThrows(EdhocException.class, () -> Edhoc.responder(bare).readMessage1(m1));
    assertThat(noResolver.failure()).isEqualTo(Failure.NO_CREDENTIAL);
    assertThat(noResolver.errorCode()).isEqualTo(1);
  }

  @Test
  void exportedResponderStateCarriesWhatMessage3Needs() throws Exception {
    PskCredential psk = entry(KID);
    EdhocConfig ic = initiator(psk).build();
    EdhocConfig rc = responder(id -> psk).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic, Method.PSK).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Responder.AwaitingMessage3 restored = Responder.resume(rc, w3.export());
    w3.abandon();
    assertThat(restored.method()).isEqualTo(Method.PSK);
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(restored.message2()).writeMessage3();
    Responder.Completed done = restored.readMessage3(w4.message3()).writeMessage4();
    assertThat(w4.readMessage4(done.message4()).exporter(0, EMPTY, 16)).isEqualTo(done.session().exporter(0, EMPTY, 16));
  }

  @Test
  void tamperedMessage3Fails() throws Exception {
    PskCredential psk = entry(KID);
    EdhocConfig ic = initiator(psk).build();
    EdhocConfig rc = responder(id -> psk).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic, Method.PSK).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    byte[] m3 = w2.readMessage2(w3.message2()).writeMessage3().message3();
    m3[m3.length - 1] ^= 1; // last byte of the AEAD tag of CIPHERTEXT_3B
    EdhocException e = assertThrows(EdhocException.class, () -> w3.readMessage3(m3));
    assertThat(e.errorCode()).isEqualTo(1);
  }

  @Test
  void longEad3IsCarriedInsideCiphertext3b() throws Exception {
    PskCredential psk = entry(random(8));
    EdhocConfig ic = initiator(psk).build();
    EdhocConfig rc = responder(id -> psk).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic, Method.PSK).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    // padding (label 0) is allowed anywhere and dropped on receipt
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3(io.edhoc.EadItem.padding(300, PskFixture.RANDOM));
    Responder.Message3Verified v3 = w3.readMessage3(w4.message3());
    assertThat(v3.ead3()).isEmpty();
    assertThat(v3.pskCredential()).isSameAs(psk);
  }
}
