package io.edhoc.psk;

import static io.edhoc.psk.PskFixture.EMPTY;
import static io.edhoc.psk.PskFixture.handshake;
import static io.edhoc.psk.PskFixture.toMessage3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.ErrorMessage;
import io.edhoc.Failure;
import io.edhoc.Method;
import io.edhoc.Resumption;
import io.edhoc.ResumptionState;
import io.edhoc.cbor.Hex;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.PskCredential;
import io.edhoc.crypto.HashAlgorithm;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Session resumption with rPSK / rKID (draft-ietf-lake-edhoc-psk section 6). */
class ResumptionTest {
  private static EdhocConfig initiatorConfig() {
    return EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.PSK).build();
  }

  private static EdhocConfig responderConfig(Resumption r) {
    return EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.PSK).pskResolver(r).build();
  }

  /** A copy of a resumption PSK entry, as an attacker or a confused peer that kept it would hold. */
  private static PskCredential copy(PskCredential p) throws Exception {
    return PskCredential.forResumption(p.idCredPsk(), p.exportPsk(), p.credI(), p.credR());
  }

  private static PskFixture.Run resume(Resumption initiator, Resumption responder) throws Exception {
    EdhocConfig ic = initiatorConfig();
    return handshake(ic, Edhoc.initiator(ic, initiator.current()), responderConfig(responder));
  }

  @Test
  void bothSidesDeriveTheSameResumptionKeyAsTheDraftDefinesIt() throws Exception {
    PskFixture.Run s0 = PskFixture.method3(PskFixture.dhCredential("initiator", new byte[] {0x0a}), PskFixture.dhCredential("responder", new byte[] {0x0b}));
    ResumptionState i = ResumptionState.from(s0.initiator);
    ResumptionState r = ResumptionState.from(s0.responder);
    assertThat(i.rKid()).hasSize(2).isEqualTo(r.rKid()).isEqualTo(s0.initiator.exporter(3, EMPTY, 2));
    assertThat(i.pskCredential().exportPsk()).hasSize(32).isEqualTo(r.pskCredential().exportPsk()).isEqualTo(s0.responder.exporter(2, EMPTY, 32));
    assertThat(i.rIdCredPsk()).isEqualTo(IdCred.kid(i.rKid()));
    assertThat(i.originalIdCredI()).isEqualTo(IdCred.kid(new byte[] {0x0a}));
    assertThat(i.originalIdCredR()).isEqualTo(IdCred.kid(new byte[] {0x0b}));
    assertThat(r.originalIdCredI()).isEqualTo(i.originalIdCredI());
    assertThat(r.originalIdCredR()).isEqualTo(i.originalIdCredR());
    assertThat(i.hashAlgorithm()).isEqualTo(HashAlgorithm.SHA_256);
    // CRED_I / CRED_R of the original session are reused as they are
    assertThat(i.pskCredential().credI()).isEqualTo(r.pskCredential().credI());
    assertThat(i.toString()).doesNotContain(Hex.encode(i.pskCredential().exportPsk()));
  }

  @Test
  void chainOfThreeResumptionsWithFreshKeysAndStaleKeysRefused() throws Exception {
    OwnCredential credI = PskFixture.dhCredential("initiator", new byte[] {0x0a});
    OwnCredential credR = PskFixture.dhCredential("responder", new byte[] {0x0b});
    PskFixture.Run s0 = PskFixture.method3(credI, credR);
    Resumption ri = Resumption.start(s0.initiator);
    Resumption rr = Resumption.start(s0.responder);

    Set<String> rPsks = new HashSet<>();
    Set<String> oscoreSecrets = new HashSet<>();
    rPsks.add(Hex.encode(ri.current().exportPsk()));
    oscoreSecrets.add(Hex.encode(s0.initiator.exporter(0, EMPTY, 16)));
    PskCredential[] used = new PskCredential[4];
    for (int k = 1; k <= 3; k++) {
      assertThat(ri.currentState().generation()).isEqualTo(k);
      assertThat(ri.currentState().rKid()).isEqualTo(rr.currentState().rKid());
      used[k] = copy(ri.current());
      PskCredential presented = ri.current();
      PskFixture.Run s = resume(ri, rr);
      assertThat(s.initiator.method()).isEqualTo(Method.PSK);
      assertThat(s.responder.pskCredential()).isSameAs(rr.currentState().pskCredential());
      assertThat(s.initiator.exporter(0, EMPTY, 16)).isEqualTo(s.responder.exporter(0, EMPTY, 16));
      assertThat(oscoreSecrets.add(Hex.encode(s.initiator.exporter(0, EMPTY, 16)))).as("fresh OSCORE keys in session %d", k).isTrue();
      ri.advance(s.initiator);
      rr.advance(s.responder);
      // the Initiator deleted rPSK_k after message_4
      assertThat(presented.isDestroyed()).isTrue();
      assertThat(ri.currentState().generation()).isEqualTo(k + 1);
      assertThat(rPsks.add(Hex.encode(ri.current().exportPsk()))).as("fresh rPSK after session %d", k).isTrue();
      assertThat(ri.current().exportPsk()).isEqualTo(rr.current().exportPsk());
      // the original identities and hash travel along the chain
      assertThat(ri.currentState().originalIdCredI()).isEqualTo(credI.idCredToSend());
      assertThat(rr.currentState().originalIdCredR()).isEqualTo(credR.idCredToSend());
      assertThat(ri.currentState().hashAlgorithm()).isEqualTo(HashAlgorithm.SHA_256);
      assertThat(ri.current().credI()).isEqualTo(credI.credential().cred());
      assertThat(ri.current().credR()).isEqualTo(credR.credential().cred());
    }

    // rPSK_1 and rPSK_2 are superseded: the Responder no longer knows them -> ERR_CODE 3
    for (int k = 1; k <= 2; k++) {
      PskCredential stale = used[k];
      EdhocConfig ic = initiatorConfig();
      EdhocException e = assertThrows(EdhocException.class, () -> toMessage3(ic, Edhoc.initiator(ic, stale), responderConfig(rr)));
      assertThat(e.failure()).as("stale rPSK_%d", k).isEqualTo(Failure.UNKNOWN_CREDENTIAL);
      assertThat(e.errorCode()).isEqualTo(ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED);
    }
    // the current one still works
    PskFixture.Run again = resume(ri, rr);
    assertThat(again.initiator.isResponderAuthenticated()).isTrue();
  }

  @Test
  void responderKeepsThePreviousKeyForARetryUntilTheNextKeyIsUsedOrConfirmed() throws Exception {
    PskFixture.Run s0 = PskFixture.method3(PskFixture.dhCredential("initiator", new byte[] {1}), PskFixture.dhCredential("responder", new byte[] {2}));
    Resumption ri = Resumption.start(s0.initiator);
    Resumption rr = Resumption.start(s0.responder);
    PskCredential r1 = copy(ri.current());

    // session 1 with rPSK_1; message_4 is lost: the Initiator cannot advance and retries rPSK_1
    EdhocConfig ic = initiatorConfig();
    PskFixture.Run lost = toMessage3(ic, Edhoc.initiator(ic, ri.current()), responderConfig(rr));
    rr.advance(lost.r3.complete());
    assertThat(rr.previousState()).isNotNull();
    PskFixture.Run retry = resume(ri, rr);
    ri.advance(retry.initiator);
    rr.advance(retry.responder);
    assertThat(ri.current().exportPsk()).isEqualTo(rr.current().exportPsk());

    // the Responder confirms (an OSCORE request from the Initiator verified): rPSK_1 goes
    rr.peerConfirmed();
    assertThat(rr.previousState()).isNull();
    EdhocException e = assertThrows(EdhocException.class, () -> toMessage3(ic, Edhoc.initiator(ic, r1), responderConfig(rr)));
    assertThat(e.errorCode()).isEqualTo(ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED);
    // and the chain goes on with rPSK_2
    PskFixture.Run s2 = resume(ri, rr);
    ri.advance(s2.initiator);
    rr.advance(s2.responder);
    assertThat(ri.currentState().generation()).isEqualTo(3);
  }

  @Test
  void resumptionAfterAnExternalPskSessionKeepsItsCredentials() throws Exception {
    PskCredential external = PskFixture.entry(new byte[] {0x10});
    PskFixture.Run s0 = handshake(PskFixture.initiator(external).build(), PskFixture.responder(id -> external).build());
    Resumption ri = Resumption.start(s0.initiator);
    Resumption rr = Resumption.start(s0.responder);
    assertThat(ri.currentState().originalIdCredI()).isEqualTo(external.idCredPsk());
    assertThat(ri.current().credI()).isEqualTo(external.credI());
    for (int k = 0; k < 2; k++) {
      PskFixture.Run s = resume(ri, rr);
      ri.advance(s.initiator);
      rr.advance(s.responder);
    }
    assertThat(ri.current().exportPsk()).isEqualTo(rr.current().exportPsk()).isNotEqualTo(external.exportPsk());
  }

  @Test
  void advanceChecksTheSessionBelongsToTheChain() throws Exception {
    PskFixture.Run s0 = PskFixture.method3(PskFixture.dhCredential("initiator", new byte[] {1}), PskFixture.dhCredential("responder", new byte[] {2}));
    Resumption ri = Resumption.start(s0.initiator);
    Resumption rr = Resumption.start(s0.responder);
    assertThrows(IllegalArgumentException.class, () -> ri.advance(s0.initiator)); // not a PSK session
    assertThrows(IllegalArgumentException.class, () -> ri.advance(s0.responder)); // the other side's
    PskFixture.Run s = resume(ri, rr);
    ri.advance(s.initiator);
    assertThrows(IllegalArgumentException.class, () -> ri.advance(s.initiator)); // its key is no longer current
  }
}
