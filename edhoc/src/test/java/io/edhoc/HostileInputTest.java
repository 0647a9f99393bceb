package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborWriter;
import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.crypto.DefaultCrypto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A seeded fuzz loop over the three entry points that read peer input: random bytes and random
 * mutations of genuine messages into Responder.readMessage1 (and writeMessage2, where G_X is
 * used), AwaitingMessage2.readMessage2 and AwaitingMessage3.readMessage3. Besides raw mutations,
 * mutated PLAINTEXT_2 / PLAINTEXT_3 are encrypted under the real keys, so the inner parsers,
 * credential lookup and MAC checks see them. Nothing may escape but EdhocException.
 */
class HostileInputTest {
  private static final long SEED = 0x5eed_edc0L;
  private static final byte[] INTERESTING = {0x00, 0x01, 0x17, 0x18, 0x19, 0x1b, 0x1f, 0x20, 0x37, 0x38, 0x40, 0x41, 0x58, 0x5b, 0x5f,
      0x60, (byte) 0x80, (byte) 0x81, (byte) 0x9f, (byte) 0xa0, (byte) 0xa1, (byte) 0xbf, (byte) 0xc0, (byte) 0xd8, (byte) 0xf4, (byte) 0xf5,
      (byte) 0xf6, (byte) 0xf7, (byte) 0xf9, (byte) 0xfb, (byte) 0xff};

  interface Step {
    void run(byte[] input) throws EdhocException;
  }

  /** Runs one input; returns a description if anything but EdhocException escaped. */
  private static String feed(Step step, byte[] input) {
    try {
      step.run(input);
      return null;
    } catch (EdhocException e) {
      return null;
    } catch (RuntimeException | Error e) {
      return e + " on input " + Hex.encode(input);
    }
  }

  static byte[] mutate(byte[] in, SplittableRandom r) {
    byte[] b = in.clone();
    int ops = 1 + r.nextInt(4);
    for (int k = 0; k < ops; k++) {
      int pos = b.length == 0 ? 0 : r.nextInt(b.length);
      switch (r.nextInt(8)) {
        case 0:
          if (b.length > 0) {
            b[pos] ^= (byte) (1 << r.nextInt(8));
          }
          break;
        case 1:
          if (b.length > 0) {
            b[pos] = (byte) r.nextInt(256);
          }
          break;
        case 2:
          if (b.length > 0) {
            b[pos] = INTERESTING[r.nextInt(INTERESTING.length)];
          }
          break;
        case 3: { // insert
          int n = 1 + r.nextInt(8);
          byte[] c = new byte[b.length + n];
          System.arraycopy(b, 0, c, 0, pos);
          for (int i = 0; i < n; i++) {
            c[pos + i] = r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)] : (byte) r.nextInt(256);
          }
          System.arraycopy(b, pos, c, pos + n, b.length - pos);
          b = c;
          break;
        }
        case 4: { // delete
          int n = Math.min(b.length - pos, 1 + r.nextInt(8));
          byte[] c = new byte[b.length - n];
          System.arraycopy(b, 0, c, 0, pos);
          System.arraycopy(b, pos + n, c, pos, b.length - pos - n);
          b = c;
          break;
        }
        case 5: // truncate
          b = java.util.Arrays.copyOf(b, pos);
          break;
        case 6: { // duplicate a slice
          int n = Math.min(b.length - pos, 1 + r.nextInt(16));
          byte[] c = new byte[b.length + n];
          System.arraycopy(b, 0, c, 0, pos + n);
          System.arraycopy(b, pos, c, pos + n, b.length - pos);
          b = c;
          break;
        }
        default: { // append
          int n = 1 + r.nextInt(8);
          byte[] c = java.util.Arrays.copyOf(b, b.length + n);
          for (int i = b.length; i < c.length; i++) {
            c[i] = (byte) r.nextInt(256);
          }
          b = c;
        }
      }
    }
    return b;
  }

  static byte[] random(SplittableRandom r, int maxLength) {
    byte[] b = new byte[r.nextInt(maxLength + 1)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  /** A responder that accepts methods 0-3 in every suite, so mutated message_1 get far. */
  private static EdhocConfig permissiveResponder() {
    EdhocConfig.Builder b = EdhocConfig.builder().suites(CipherSuite.values())
        .methods(Method.SIG_SIG, Method.SIG_STAT, Method.STAT_SIG, Method.STAT_STAT).peers(new InMemoryCredentialStore());
    for (CoseCurve c : new CoseCurve[] {CoseCurve.X25519, CoseCurve.X448, CoseCurve.P_256, CoseCurve.P_384, CoseCurve.ED25519, CoseCurve.ED448}) {
      b.credential(Fixture.ccs(c, "r", new byte[] {(byte) c.ordinal()}));
    }
    return b.build();
  }

  @Test
  void readMessage1SurvivesRandomAndMutatedInput() throws Exception {
    SplittableRandom r = new SplittableRandom(SEED);
    EdhocConfig rc = permissiveResponder();
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    byte[] m1 = Edhoc.initiator(p.initiator().build()).writeMessage1(List.of(new EadItem(3, new byte[] {1, 2}))).message1();
    byte[] m1p = Edhoc.initiator(new Fixture.Pair(Method.SIG_SIG, CipherSuite.SUITE_2).initiator().build()).writeMessage1().message1();
    Step step = in -> Edhoc.responder(rc).readMessage1(in).writeMessage2();
    int accepted = 0;
    for (int i = 0; i < 6000; i++) {
      byte[] in = i % 3 == 0 ? random(r, 80) : mutate(i % 3 == 1 ? m1 : m1p, r);
      String escaped = feed(step, in);
      assertThat(escaped).as("iteration %d", i).isNull();
      try {
        Edhoc.responder(rc).readMessage1(in);
        accepted++;
      } catch (EdhocException e) {
        // expected for most
      }
    }
    assertThat(accepted).as("some mutations are still valid message_1 (the loop reaches writeMessage2)").isPositive();
  }

  /** A handshake whose initiator can be re-created at will in the same state (fixed X and C_I). */
  static final class Replayable {
    final Fixture.Pair pair;
    final EdhocConfig ic;
    final EdhocConfig rc;
    final byte[] xSecret;
    final CosePrivateKey x;
    final Map<String, byte[]> initiatorTrace = new HashMap<>();
    final Map<String, byte[]> responderTrace = new HashMap<>();
    final TestHooks hooks;
    byte[] m2;
    byte[] m3;
    byte[] exportedResponder;

    Replayable(Method method, CipherSuite suite) throws EdhocException {
      pair = new Fixture.Pair(method, suite);
      x = DefaultCrypto.get().keyExchange(suite.dhCurve()).generate(Fixture.RANDOM);
      xSecret = x.exportSecret();
      hooks = TestHooks.create().trace((n, v) -> initiatorTrace.put(n, v));
      ic = pair.initiator().connectionIds(ConnectionIdAllocator.fixed(new byte[] {0x07})).testHooks(hooks).build();
      rc = pair.responder().connectionIds(ConnectionIdAllocator.fixed(new byte[] {0x08}))
          .testHooks(TestHooks.create().trace((n, v) -> responderTrace.put(n, v))).build();
      Initiator.AwaitingMessage2 w2 = fresh();
      Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
      exportedResponder = w3.export();
      m2 = w3.message2();
      m3 = w2.readMessage2(m2).writeMessage3().message3();
    }

    /** The initiator after writing the same message_1 as always. */
    Initiator.AwaitingMessage2 fresh() throws EdhocException {
      hooks.ephemeralKey(new CosePrivateKey(x.curve(), xSecret.clone(), x.publicKey()));
      return Edhoc.initiator(ic).writeMessage1();
    }

    /** message_2 carrying an arbitrary PLAINTEXT_2 under the genuine KEYSTREAM_2. */
    byte[] message2With(byte[] plaintext2) {
      byte[] gY = gY();
      byte[] ks = keystream(plaintext2.length);
      byte[] out = new byte[gY.length + plaintext2.length];
      System.arraycopy(gY, 0, out, 0, gY.length);
      for (int i = 0; i < plaintext2.length; i++) {
        out[gY.length + i] = (byte) (plaintext2[i] ^ ks[i]);
      }
      return CborWriter.bstr(out);
    }

    private byte[] gY() {
      byte[] content;
      try {
        content = new io.edhoc.cbor.CborReader(m2).readBytes();
      } catch (CborException e) {
        throw new IllegalStateException(e);
      }
      return java.util.Arrays.copyOf(content, pair.suite.dhCurve().coordinateLength());
    }

    byte[] keystream(int length) {
      try {
        byte[] info = new CborWriter().writeInt(0).writeBytes(responderTrace.get("TH_2")).writeInt(length).toByteArray();
        return LongPlaintext2Test.hkdfExpandSha256(responderTrace.get("PRK_2e"), info, length);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** message_3 carrying an arbitrary PLAINTEXT_3 under the genuine K_3 / IV_3. */
    byte[] message3With(byte[] plaintext3) throws Exception {
      byte[] c = DefaultCrypto.get().aead(pair.suite.edhocAead()).encrypt(
          initiatorTrace.get("K_3"), initiatorTrace.get("IV_3"), initiatorTrace.get("A_3"), plaintext3);
      return CborWriter.bstr(c);
    }
  }

  @Test
  void readMessage2SurvivesMutationsOfTheMessageAndOfPlaintext2() throws Exception {
    SplittableRandom r = new SplittableRandom(SEED + 2);
    for (Method m : new Method[] {Method.STAT_STAT, Method.SIG_SIG}) {
      Replayable h = new Replayable(m, CipherSuite.SUITE_0);
      // sanity: the replayed initiator accepts the genuine message_2, and one built from PLAINTEXT_2
      h.fresh().readMessage2(h.m2);
      h.fresh().readMessage2(h.message2With(h.responderTrace.get("PLAINTEXT_2")));
      byte[] pt2 = h.responderTrace.get("PLAINTEXT_2");
      int authFailures = 0;
      for (int i = 0; i < 1500; i++) {
        byte[] in = i % 2 == 0 ? mutate(h.m2, r) : h.message2With(mutate(pt2, r));
        Initiator.AwaitingMessage2 w2 = h.fresh();
        String escaped = feed(w2::readMessage2, in);
        assertThat(escaped).as("%s iteration %d", m, i).isNull();
      }
      for (int i = 0; i < 300; i++) {
        try {
          h.fresh().readMessage2(h.message2With(mutate(pt2, r)));
        } catch (EdhocException e) {
          if (e.failure() == Failure.AUTHENTICATION_FAILED || e.failure() == Failure.UNKNOWN_CREDENTIAL) {
            authFailures++;
          }
        }
      }
      assertThat(authFailures).as("mutated PLAINTEXT_2 reach credential lookup and MAC/signature checks").isPositive();
    }
  }

  @Test
  void readMessage3SurvivesMutationsOfTheMessageAndOfPlaintext3() throws Exception {
    SplittableRandom r = new SplittableRandom(SEED + 3);
    for (Method m : new Method[] {Method.STAT_STAT, Method.SIG_SIG}) {
      Replayable h = new Replayable(m, CipherSuite.SUITE_0);
      Responder.resume(h.rc, h.exportedResponder).readMessage3(h.m3).complete().close();
      byte[] pt3 = h.initiatorTrace.get("PLAINTEXT_3");
      Responder.resume(h.rc, h.exportedResponder).readMessage3(h.message3With(pt3)).complete().close();
      int deep = 0;
      for (int i = 0; i < 3000; i++) {
        byte[] in = i % 3 == 0 ? random(r, 60) : i % 3 == 1 ? mutate(h.m3, r) : h.message3With(mutate(pt3, r));
        Responder.AwaitingMessage3 w3 = Responder.resume(h.rc, h.exportedResponder);
        String escaped = feed(w3::readMessage3, in);
        assertThat(escaped).as("%s iteration %d", m, i).isNull();
        if (i % 3 == 2) {
          try {
            Responder.resume(h.rc, h.exportedResponder).readMessage3(in);
          } catch (EdhocException e) {
            if (e.failure() != Failure.DECRYPTION_FAILED) {
              deep++;
            }
          }
        }
      }
      assertThat(deep).as("mutated PLAINTEXT_3 get past decryption").isPositive();
    }
  }

  @Test
  void parsersThrowOnlyCborException() {
    SplittableRandom r = new SplittableRandom(SEED + 4);
    byte[] err = ErrorMessage.wrongSelectedCipherSuite(List.of(2, 0, 6));
    byte[] pt2 = CborWriter.sequence(new byte[] {0x07}, new byte[] {0x0b}, CborWriter.bstr(new byte[8]), new byte[] {0x05, 0x41, 0x01});
    for (int i = 0; i < 20000; i++) {
      byte[] in = i % 4 == 0 ? random(r, 40) : mutate(i % 2 == 0 ? err : pt2, r);
      try {
        ErrorMessage.parse(in);
      } catch (CborException e) {
        // fine
      } catch (RuntimeException e) {
        throw new AssertionError("ErrorMessage.parse: " + e + " on " + Hex.encode(in), e);
      }
      ErrorMessage.isErrorMessage(in);
      try {
        Plaintext2.parse(in, Method.STAT_STAT, CipherSuite.SUITE_0);
      } catch (CborException e) {
        // fine
      } catch (RuntimeException e) {
        throw new AssertionError("Plaintext2.parse: " + e + " on " + Hex.encode(in), e);
      }
    }
  }
}
