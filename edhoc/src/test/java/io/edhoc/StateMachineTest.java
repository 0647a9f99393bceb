package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9528 section 5 and Appendix I: each state object is used once, out-of-order and repeated
 * steps fail with a clear IllegalStateException, failed states are dead, and secrets are wiped
 * after a failure or close().
 */
class StateMachineTest {
  private final Fixture.Pair pair = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
  private final EdhocConfig ic = pair.initiator().build();
  private final EdhocConfig rc = pair.responder().build();

  private static void assertUsedTwice(ThrowingRunnable second) {
    assertThatThrownBy(second::run).isInstanceOf(IllegalStateException.class).hasMessageContaining("already called");
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void everyInitiatorStateIsUsedOnce() throws Exception {
    Initiator i = Edhoc.initiator(ic);
    Initiator.AwaitingMessage2 w2 = i.writeMessage1();
    assertUsedTwice(i::writeMessage1);
    Responder r = Edhoc.responder(rc);
    Responder.Message1Received r1 = r.readMessage1(w2.message1());
    assertUsedTwice(() -> r.readMessage1(w2.message1()));
    Responder.AwaitingMessage3 w3 = r1.writeMessage2();
    assertUsedTwice(r1::writeMessage2);
    Initiator.Message2Verified v2 = w2.readMessage2(w3.message2());
    assertUsedTwice(() -> w2.readMessage2(w3.message2()));
    Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
    assertUsedTwice(v2::writeMessage3);
    Responder.Message3Verified r3 = w3.readMessage3(w4.message3());
    // a second message_3 for the same session
    assertUsedTwice(() -> w3.readMessage3(w4.message3()));
    Responder.Completed done = r3.writeMessage4();
    assertUsedTwice(r3::writeMessage4);
    assertUsedTwice(r3::complete);
    EdhocSession si = w4.readMessage4(done.message4());
    assertUsedTwice(() -> w4.readMessage4(done.message4()));
    assertUsedTwice(w4::complete);
    assertThat(Fixture.agree(si, done.session())).isTrue();
  }

  @Test
  void completeThenReadMessage4IsRejected() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    Responder.Completed done = w3.readMessage3(w4.message3()).writeMessage4();
    EdhocSession s = w4.complete();
    assertUsedTwice(() -> w4.readMessage4(done.message4()));
    assertThat(Fixture.agree(s, done.session())).isTrue();
  }

  @Test
  void abandonedStateCannotReadMessage3() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    w3.abandon();
    assertUsedTwice(() -> w3.readMessage3(w4.message3()));
    assertThat(bytes(w3, "prk3e2m")).containsOnly(0);
  }

  @Test
  void readMessage3AfterAFailedReadMessage3IsRejected() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    byte[] bad = w4.message3();
    bad[bad.length - 1] ^= 1;
    assertThatThrownBy(() -> w3.readMessage3(bad)).isInstanceOf(EdhocException.class);
    // the state is dead: even the genuine message_3 is refused, and PRK_3e2m is gone
    assertUsedTwice(() -> w3.readMessage3(w4.message3()));
    assertThat(bytes(w3, "prk3e2m")).containsOnly(0);
  }

  @Test
  void aFailedReadMessage2KillsTheState() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    byte[] bad = w3.message2();
    bad[bad.length - 1] ^= 1;
    assertThatThrownBy(() -> w2.readMessage2(bad)).isInstanceOf(EdhocException.class);
    assertUsedTwice(() -> w2.readMessage2(w3.message2()));
  }

  @Test
  void aFailedReadMessage4WipesPrkOut() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    byte[] m4 = w3.readMessage3(w4.message3()).writeMessage4().message4();
    m4[1] ^= 0x10;
    EdhocException e = org.junit.jupiter.api.Assertions.assertThrows(EdhocException.class, () -> w4.readMessage4(m4));
    assertThat(e.failure()).isEqualTo(Failure.DECRYPTION_FAILED);
    assertThat(bytes(w4, "prkOut")).containsOnly(0);
    assertThat(bytes(w4, "prk4e3m")).containsOnly(0);
    assertUsedTwice(w4::complete);
  }

  @Test
  void closedSessionRefusesExporterAndKeyUpdateAndIsWiped() throws Exception {
    Fixture.Done d = Fixture.handshake(ic, rc);
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();
    d.initiator.close();
    assertThat(d.initiator.isClosed()).isTrue();
    assertThat(bytes(d.initiator, "prkOut")).containsOnly(0);
    assertThat(bytes(d.initiator, "prkExporter")).containsOnly(0);
    assertThatThrownBy(() -> d.initiator.exporter(0, Fixture.EMPTY, 16)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> d.initiator.keyUpdate(Fixture.EMPTY)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    // the other side is unaffected
    assertThat(d.responder.exporter(0, Fixture.EMPTY, 16)).hasSize(16);
    d.responder.close();
  }

  @Test
  void keyUpdateKeepsBothSidesInStepAndChangesTheKeys() throws Exception {
    Fixture.Done d = Fixture.handshake(ic, rc);
    byte[] before = d.initiator.exporter(0, Fixture.EMPTY, 16);
    byte[] ctx = {1, 2, 3};
    d.initiator.keyUpdate(ctx);
    assertThat(Fixture.agree(d.initiator, d.responder)).isFalse();
    d.responder.keyUpdate(ctx);
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();
    assertThat(d.initiator.exporter(0, Fixture.EMPTY, 16)).isNotEqualTo(before);
  }

  @Test
  void ephemeralKeysAreDestroyedAfterUse() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    w2.readMessage2(w3.message2());
    assertThat(((io.edhoc.cose.CosePrivateKey) field(w2, "x")).isDestroyed()).isTrue();
  }

  @Test
  void abortedInitiatorStatesAreWipedAndDead() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.Message2Verified v2 = w2.readMessage2(w3.message2());
    v2.abort();
    assertThat(bytes(v2, "prk3e2m")).containsOnly(0);
    assertUsedTwice(v2::writeMessage3);

    Initiator.AwaitingMessage2 w2b = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3b = Edhoc.responder(rc).readMessage1(w2b.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2b.readMessage2(w3b.message2()).writeMessage3();
    w4.abort();
    assertThat(bytes(w4, "prkOut")).containsOnly(0);
    assertThat(bytes(w4, "prk4e3m")).containsOnly(0);
    assertUsedTwice(w4::complete);
  }

  @Test
  void aMessage2ThatFailsAfterDecryptionStillNamesC_R() throws Exception {
    // the initiator trusts nobody: message_2 decrypts, then ID_CRED_R is unknown (ERR_CODE 3)
    EdhocConfig stranger = ic.toBuilder().peers(new io.edhoc.credentials.InMemoryCredentialStore()).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(stranger).writeMessage1();
    assertThat(w2.peerConnectionId()).isNull();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    assertThatThrownBy(() -> w2.readMessage2(w3.message2())).isInstanceOf(EdhocException.class);
    assertThat(w2.peerConnectionId()).isEqualTo(w3.connectionIdR());
  }

  @Test
  void aConfigurationWithAnotherAllocatorSharesEverythingElseAndUsesIt() throws Exception {
    byte[] fixed = {0x27};
    ConnectionIdAllocator one = peer -> fixed.clone();
    EdhocConfig per = rc.withConnectionIds(one);
    assertThat(per.connectionIds()).isSameAs(one);
    assertThat(rc.connectionIds()).isNotSameAs(one);
    assertThat(per.suites()).isSameAs(rc.suites());
    assertThat(per.methods()).isSameAs(rc.methods());
    assertThat(per.credentials()).isSameAs(rc.credentials());
    assertThat(per.peers()).isSameAs(rc.peers());
    assertThat(per.crypto()).isSameAs(rc.crypto());
    assertThat(per.ead()).isSameAs(rc.ead());
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(per).readMessage1(w2.message1()).writeMessage2();
    assertThat(w3.connectionIdR()).isEqualTo(fixed);
    assertThatThrownBy(() -> rc.withConnectionIds(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void methodNotEnabledIsAProgrammingError() {
    assertThatThrownBy(() -> Edhoc.initiator(ic, Method.SIG_SIG)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("method 0");
  }

  @Test
  void resumedResponderStateCompletesTheHandshake() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    byte[] saved = w3.export();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3(List.of());
    Responder.AwaitingMessage3 again = Responder.resume(rc, saved);
    EdhocSession sr = again.readMessage3(w4.message3()).complete();
    assertThat(Fixture.agree(w4.complete(), sr)).isTrue();
    assertThatThrownBy(() -> Responder.resume(rc, new byte[] {(byte) 0x83, 1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
  }

  static Object field(Object o, String name) throws Exception {
    Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  static byte[] bytes(Object o, String name) throws Exception {
    return (byte[]) field(o, name);
  }
}
