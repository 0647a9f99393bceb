package io.edhoc.psk;

import static io.edhoc.psk.PskFixture.entry;
import static io.edhoc.psk.PskFixture.initiator;
import static io.edhoc.psk.PskFixture.responder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.edhoc.CipherSuite;
import io.edhoc.EadHandler;
import io.edhoc.EadItem;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.Failure;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.TestHooks;
import io.edhoc.cbor.CborWriter;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.PskCredential;
import io.edhoc.crypto.DefaultCrypto;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Method 4 at its edges: ephemeral keys destroyed, EAD_2/EAD_3 handed to the application, a too short message_2. */
class PskEdgesTest {
  private static CosePrivateKey p256() {
    return DefaultCrypto.get().keyExchange(CipherSuite.SUITE_2.dhCurve()).generate(new SecureRandom());
  }

  @Test
  void ephemeralKeysAreDestroyedAfterTheirLastUse() throws EdhocException {
    PskCredential psk = entry(new byte[] {0x10});
    CosePrivateKey x = p256();
    EdhocConfig ic = initiator(psk).testHooks(TestHooks.create().ephemeralKey(x)).build();
    CosePrivateKey yUsed = p256();
    EdhocConfig rc = responder(id -> psk).testHooks(TestHooks.create().ephemeralKey(yUsed)).build();
    PskFixture.Run run = PskFixture.toMessage3(ic, Edhoc.initiator(ic, Method.PSK), rc);
    assertThat(x.isDestroyed()).isTrue();
    assertThat(yUsed.isDestroyed()).as("Y after message_3").isTrue();
    run.r3.complete().close();
    // a message_1 whose G_X is not a P-256 x-coordinate: writing message_2 fails and destroys Y
    CosePrivateKey y = p256();
    byte[] m1 = Edhoc.initiator(initiator(psk).build(), Method.PSK).writeMessage1().message1();
    byte[] notBelowP = new byte[32];
    java.util.Arrays.fill(notBelowP, (byte) 0xff);
    System.arraycopy(notBelowP, 0, m1, 4, 32); // METHOD 4, SUITES_I 2, 58 20, x = 0xff..ff (not below p)
    Responder.Message1Received r1 = Edhoc.responder(responder(id -> psk).testHooks(TestHooks.create().ephemeralKey(y)).build()).readMessage1(m1);
    EdhocException e = catchThrowableOfType(EdhocException.class, r1::writeMessage2);
    assertThat(e.failure()).isEqualTo(Failure.INVALID_PUBLIC_KEY);
    assertThat(y.isDestroyed()).isTrue();
  }

  /** Records what the application is handed; sends one item in message_2 and message_3. */
  private static final class Recorder implements EadHandler {
    final List<String> consumed = new ArrayList<>();

    @Override
    public List<EadItem> produce(int messageNumber) {
      if (messageNumber != 2 && messageNumber != 3) {
        return List.of();
      }
      return List.of(new EadItem(40 + messageNumber, new byte[] {1}));
    }

    @Override
    public void consume(int messageNumber, List<EadItem> items) {
      for (EadItem i : items) {
        consumed.add(messageNumber + ":" + i.label());
      }
    }
  }

  @Test
  void ead2AndEad3ReachTheApplication() throws EdhocException {
    PskCredential psk = entry(new byte[] {0x11});
    Recorder atInitiator = new Recorder();
    Recorder atResponder = new Recorder();
    PskFixture.handshake(initiator(psk).ead(atInitiator).build(), responder(id -> psk).ead(atResponder).build());
    assertThat(atInitiator.consumed).contains("2:" + (40 + 2));
    assertThat(atResponder.consumed).contains("3:" + (40 + 3));
  }

  @Test
  void aMessage2OfOnlyGyIsTooShort() throws EdhocException {
    PskCredential psk = entry(new byte[] {0x12});
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(initiator(psk).build(), Method.PSK).writeMessage1();
    EdhocException e = catchThrowableOfType(EdhocException.class, () -> w2.readMessage2(new CborWriter().writeBytes(new byte[32]).toByteArray()));
    assertThat(e.failure()).isEqualTo(Failure.MALFORMED_MESSAGE);
    assertThat(e.getMessage()).contains("too short");
  }
}
