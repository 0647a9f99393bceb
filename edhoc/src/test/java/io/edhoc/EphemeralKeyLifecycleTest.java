package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.edhoc.cbor.Hex;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.crypto.DefaultCrypto;
import org.junit.jupiter.api.Test;

/**
 * Ephemeral private keys (X, Y) are destroyed right after their last use, on success and on
 * failure (RFC 9528 section 9.2 / the project's secret-handling rule): X after message_2 is read,
 * Y after message_2 is written when the Initiator signs (method 0, 2) and after message_3 is read
 * (or the state abandoned) when the Initiator authenticates with a static DH key (G_IY needs Y).
 */
class EphemeralKeyLifecycleTest {
  private static CosePrivateKey fresh(CipherSuite s) {
    return DefaultCrypto.get().keyExchange(s.dhCurve()).generate(Fixture.RANDOM);
  }

  @Test
  void initiatorDestroysXAfterReadingMessage2EvenWhenItFails() throws EdhocException {
    for (boolean genuine : new boolean[] {true, false}) {
      Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
      CosePrivateKey x = fresh(p.suite);
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().testHooks(TestHooks.create().ephemeralKey(x)).build()).writeMessage1();
      assertThat(x.isDestroyed()).as("X is needed until message_2").isFalse();
      byte[] m2 = Edhoc.responder(p.responder().build()).readMessage1(w2.message1()).writeMessage2().message2();
      if (genuine) {
        w2.readMessage2(m2);
      } else {
        m2[m2.length - 1] ^= 1;
        catchThrowableOfType(EdhocException.class, () -> w2.readMessage2(m2));
      }
      assertThat(x.isDestroyed()).as("X destroyed after message_2, genuine " + genuine).isTrue();
    }
  }

  @Test
  void responderDestroysYWhenWritingMessage2Fails() throws EdhocException {
    Fixture.Pair p = new Fixture.Pair(Method.SIG_SIG, CipherSuite.SUITE_2);
    CosePrivateKey y = fresh(p.suite);
    byte[] m1 = Edhoc.initiator(p.initiator().build()).writeMessage1().message1();
    // G_X = 0xff..ff is not below p: message_1 parses, the key agreement in writeMessage2 fails
    System.arraycopy(Hex.decode("ff".repeat(32)), 0, m1, 4, 32); // METHOD, SUITES_I, 58 20, x
    Responder.Message1Received r1 = Edhoc.responder(p.responder().testHooks(TestHooks.create().ephemeralKey(y)).build()).readMessage1(m1);
    EdhocException e = catchThrowableOfType(EdhocException.class, r1::writeMessage2);
    assertThat(e.failure()).isEqualTo(Failure.INVALID_PUBLIC_KEY);
    assertThat(e.getMessage()).contains("invalid ephemeral key");
    assertThat(y.isDestroyed()).isTrue();
  }

  @Test
  void responderKeepsYForGiyUntilMessage3ThenDestroysIt() throws EdhocException {
    for (int outcome = 0; outcome < 3; outcome++) {
      Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
      CosePrivateKey y = fresh(p.suite);
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
      Responder.AwaitingMessage3 w3 =
          Edhoc.responder(p.responder().testHooks(TestHooks.create().ephemeralKey(y)).build()).readMessage1(w2.message1()).writeMessage2();
      assertThat(y.isDestroyed()).as("Y is needed for G_IY").isFalse();
      byte[] m3 = w2.readMessage2(w3.message2()).writeMessage3().message3();
      if (outcome == 0) {
        w3.readMessage3(m3).complete().close();
      } else if (outcome == 1) {
        m3[m3.length - 1] ^= 1;
        catchThrowableOfType(EdhocException.class, () -> w3.readMessage3(m3));
      } else {
        w3.abandon();
      }
      assertThat(y.isDestroyed()).as("Y destroyed, outcome " + outcome).isTrue();
    }
  }

  @Test
  void anExportedStateResumesAndOneWithTrailingBytesIsRefused() throws EdhocException {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
    EdhocConfig rc = p.responder().build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    byte[] state = w3.export();
    Responder.AwaitingMessage3 resumed = Responder.resume(rc, state);
    assertThat(resumed.connectionIdR()).isEqualTo(w3.connectionIdR());
    assertThat(resumed.connectionIdI()).isEqualTo(w2.connectionIdI());
    assertThat(resumed.suite()).isEqualTo(CipherSuite.SUITE_2);
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    try (EdhocSession r = resumed.readMessage3(w4.message3()).complete(); EdhocSession i = w4.complete()) {
      assertThat(Fixture.agree(i, r)).isTrue();
    }
    byte[] trailing = java.util.Arrays.copyOf(w3.export(), state.length + 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Responder.resume(rc, trailing)).isInstanceOf(IllegalArgumentException.class);
  }
}
