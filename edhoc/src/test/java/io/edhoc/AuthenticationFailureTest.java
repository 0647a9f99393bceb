package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 9528 sections 5.3.3 and 5.4.3: a message_2 or message_3 whose Signature_or_MAC_2/3 is wrong
 * but which is otherwise genuine (it decrypts, its credential resolves) fails at the step that
 * receives it, with AUTHENTICATION_FAILED and an error message with ERR_CODE 1, which the peer
 * reads as such. message_2's field is reached by flipping bits of CIPHERTEXT_2 (an XOR
 * keystream); message_3's by re-encrypting a PLAINTEXT_3 whose field was changed under the real
 * K_3 / IV_3 / TH_3. The first and the last bit of the field are flipped, for every method with
 * signatures and MACs, in suites 0 and 2 (AES-CCM-16-64-128, so the test can encrypt itself).
 */
class AuthenticationFailureTest {
  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Method m : new Method[] {Method.SIG_SIG, Method.SIG_STAT, Method.STAT_SIG, Method.STAT_STAT}) {
      for (CipherSuite s : new CipherSuite[] {CipherSuite.SUITE_0, CipherSuite.SUITE_2}) {
        for (boolean lastBit : new boolean[] {false, true}) {
          b.add(Arguments.of(m, s, lastBit));
        }
      }
    }
    return b.build();
  }

  /** Signature (64 bytes for EdDSA/ES256) or MAC (the suite's EDHOC MAC length) of RFC 9528 section 5.3.2. */
  private static int fieldLength(boolean signs, CipherSuite s) {
    return signs ? 64 : s.macLength();
  }

  private static void assertAuthenticationFailure(EdhocException e) throws CborException {
    assertThat(e.failure()).isEqualTo(Failure.AUTHENTICATION_FAILED);
    assertThat(e.errorCode()).isEqualTo(1);
    assertThat(ErrorMessage.parse(e.errorMessage()).code()).isEqualTo(ErrorMessage.UNSPECIFIED);
  }

  @ParameterizedTest(name = "{0} {1} last bit {2}")
  @MethodSource("cases")
  void wrongSignatureOrMac2FailsAtMessage2WithErrCode1(Method m, CipherSuite s, boolean lastBit) throws Exception {
    Fixture.Pair p = new Fixture.Pair(m, s);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(p.responder().build()).readMessage1(w2.message1()).writeMessage2();
    byte[] m2 = w3.message2();
    // PLAINTEXT_2 = C_R, ID_CRED_R, Signature_or_MAC_2 (no EAD): the field is the message's tail
    int field = fieldLength(m.responderSigns(), s);
    int bit = lastBit ? m2.length * 8 - 1 : (m2.length - field) * 8;
    byte[] bad = m2.clone();
    bad[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
    EdhocException e = catchThrowableOfType(EdhocException.class, () -> w2.readMessage2(bad));
    assertThat(e).as("message_2 with a wrong Signature_or_MAC_2 accepted").isNotNull();
    assertAuthenticationFailure(e);
    EdhocPeerErrorException atResponder = catchThrowableOfType(EdhocPeerErrorException.class, () -> w3.readMessage3(e.errorMessage()));
    assertThat(atResponder.peerErrorCode()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} {1} last bit {2}")
  @MethodSource("cases")
  void wrongSignatureOrMac3FailsAtMessage3WithErrCode1(Method m, CipherSuite s, boolean lastBit) throws Exception {
    Fixture.Pair p = new Fixture.Pair(m, s);
    Map<String, byte[]> traced = new HashMap<>();
    TestHooks hooks = TestHooks.create().trace((name, value) -> traced.put(name, value.clone()));
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().testHooks(hooks).build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(p.responder().build()).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    byte[] plaintext3 = traced.get("PLAINTEXT_3");
    assertThat(encrypt0(traced.get("K_3"), traced.get("IV_3"), traced.get("TH_3"), plaintext3))
        .as("the test's own COSE_Encrypt0 reproduces message_3").isEqualTo(w4.message3());
    // PLAINTEXT_3 = ID_CRED_I, Signature_or_MAC_3 (no EAD): the field is the plaintext's tail
    int field = fieldLength(m.initiatorSigns(), s);
    int bit = lastBit ? plaintext3.length * 8 - 1 : (plaintext3.length - field) * 8;
    byte[] bad = plaintext3.clone();
    bad[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
    byte[] m3 = encrypt0(traced.get("K_3"), traced.get("IV_3"), traced.get("TH_3"), bad);
    EdhocException e = catchThrowableOfType(EdhocException.class, () -> w3.readMessage3(m3));
    assertThat(e).as("message_3 with a wrong Signature_or_MAC_3 accepted").isNotNull();
    assertAuthenticationFailure(e);
    EdhocPeerErrorException atInitiator = catchThrowableOfType(EdhocPeerErrorException.class, () -> w4.readMessage4(e.errorMessage()));
    assertThat(atInitiator.peerErrorCode()).isEqualTo(1);
    assertThatThrownBy(() -> w3.readMessage3(w4.message3())).as("the failed state cannot be reused").isInstanceOf(IllegalStateException.class);
  }

  /** message_3 = bstr(COSE_Encrypt0 ciphertext), AES-CCM-16-64-128, Enc_structure ["Encrypt0", h'', TH_3]. */
  static byte[] encrypt0(byte[] key, byte[] iv, byte[] th, byte[] plaintext) throws Exception {
    byte[] aad = new CborWriter().writeArrayHeader(3).writeText("Encrypt0").writeBytes(new byte[0]).writeBytes(th).toByteArray();
    CCMBlockCipher ccm = new CCMBlockCipher(AESEngine.newInstance());
    ccm.init(true, new AEADParameters(new KeyParameter(key), 64, iv, aad));
    byte[] out = new byte[ccm.getOutputSize(plaintext.length)];
    ccm.doFinal(out, ccm.processBytes(plaintext, 0, plaintext.length, out, 0));
    return new CborWriter().writeBytes(out).toByteArray();
  }
}
