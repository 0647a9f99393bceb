package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edhoc.cbor.CborWriter;
import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.edhoc.crypto.CryptoChoice;
import io.edhoc.crypto.CryptoProvider;
import io.edhoc.crypto.DefaultCrypto;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An invalid or low-order peer public key (ephemeral G_X / G_Y, or a static DH key from a
 * credential) ends the handshake with INVALID_PUBLIC_KEY and an ERR_CODE 1 error message, never
 * with another exception: the same Failure on both public-key libraries (Bouncy Castle and
 * Conscrypt/BoringSSL; the Conscrypt run is skipped where its native library does not load).
 */
@ParameterizedClass(name = "crypto {0}")
@EnumSource(value = CryptoChoice.class, names = {"BOUNCYCASTLE", "CONSCRYPT"})
class InvalidPublicKeyTest {
  @Parameter
  CryptoChoice choice;

  private CryptoProvider crypto;

  @BeforeEach
  void selectProvider() {
    Assumptions.assumeTrue(choice != CryptoChoice.CONSCRYPT || DefaultCrypto.conscryptAvailable(), "Conscrypt not available here");
    crypto = DefaultCrypto.of(choice);
  }

  /** X25519 u-coordinates of small order (RFC 7748 section 6.1 asks for the all-zero check), and their non-canonical forms. */
  static final List<String> X25519_BAD = List.of(
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0100000000000000000000000000000000000000000000000000000000000000",
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

  static List<byte[]> x448Bad() {
    byte[] zero = new byte[56];
    byte[] one = new byte[56];
    one[0] = 1;
    // p - 1 = 2^448 - 2^224 - 2, little-endian
    byte[] pm1 = le(BigInteger.ONE.shiftLeft(448).subtract(BigInteger.ONE.shiftLeft(224)).subtract(BigInteger.TWO), 56);
    return List.of(zero, one, pm1);
  }

  /** x-coordinates that are not on P-256 (no y exists) or not field elements. */
  static List<byte[]> p256Bad() {
    BigInteger p = new BigInteger("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    BigInteger b = new BigInteger("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16);
    List<byte[]> out = new ArrayList<>();
    for (BigInteger x = BigInteger.ONE; out.size() < 3; x = x.add(BigInteger.ONE)) {
      BigInteger rhs = x.pow(3).subtract(x.multiply(BigInteger.valueOf(3))).add(b).mod(p);
      if (!rhs.modPow(p.subtract(BigInteger.ONE).shiftRight(1), p).equals(BigInteger.ONE)) {
        out.add(be(x, 32));
      }
    }
    out.add(be(p, 32));
    out.add(Hex.decode("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
    return out;
  }

  static byte[] le(BigInteger v, int n) {
    byte[] r = be(v, n);
    for (int i = 0; i < n / 2; i++) {
      byte t = r[i];
      r[i] = r[n - 1 - i];
      r[n - 1 - i] = t;
    }
    return r;
  }

  static byte[] be(BigInteger v, int n) {
    byte[] raw = v.toByteArray();
    byte[] r = new byte[n];
    int len = Math.min(raw.length, n);
    System.arraycopy(raw, raw.length - len, r, n - len, len);
    return r;
  }

  static List<byte[]> bad(CoseCurve curve) {
    switch (curve) {
      case X25519:
        List<byte[]> r = new ArrayList<>();
        X25519_BAD.forEach(h -> r.add(Hex.decode(h)));
        return r;
      case X448:
        return x448Bad();
      case P_256:
        return p256Bad();
      default:
        throw new IllegalArgumentException();
    }
  }

  private static void assertInvalidKey(EdhocException e) throws Exception {
    assertThat(e.failure()).as(e.getMessage()).isEqualTo(Failure.INVALID_PUBLIC_KEY);
    assertThat(ErrorMessage.parse(e.errorMessage()).code()).isEqualTo(ErrorMessage.UNSPECIFIED);
  }

  /** message_1 with G_X replaced, everything else as the initiator wrote it. */
  static byte[] withGx(byte[] m1, byte[] gxOld, byte[] gxNew) {
    byte[] head = CborWriter.bstr(gxOld);
    for (int i = 0; i + head.length <= m1.length; i++) {
      if (Arrays.equals(Arrays.copyOfRange(m1, i, i + head.length), head)) {
        byte[] r = m1.clone();
        System.arraycopy(gxNew, 0, r, i + head.length - gxNew.length, gxNew.length);
        return r;
      }
    }
    throw new AssertionError("G_X not found");
  }

  @Test
  void badEphemeralKeyInMessage1() throws Exception {
    for (CipherSuite s : new CipherSuite[] {CipherSuite.SUITE_0, CipherSuite.SUITE_2, CipherSuite.SUITE_25}) {
      Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, s);
      for (byte[] gx : bad(s.dhCurve())) {
        Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().crypto(crypto).build()).writeMessage1();
        byte[] m1 = w2.message1();
        byte[] tampered = withGx(m1, gX(m1, s), gx);
        EdhocException e = assertThrows(EdhocException.class, () -> Edhoc.responder(p.responder().crypto(crypto).build()).readMessage1(tampered).writeMessage2(),
            s + " G_X " + Hex.encode(gx));
        assertInvalidKey(e);
      }
    }
  }

  /** G_X of a message_1 without EAD: the bstr right before C_I. */
  static byte[] gX(byte[] m1, CipherSuite s) {
    int n = s.dhCurve().coordinateLength();
    for (int i = 0; i < m1.length; i++) {
      byte[] head = Arrays.copyOf(CborWriter.bstr(new byte[n]), CborWriter.bstr(new byte[n]).length - n);
      if (i + head.length + n <= m1.length && Arrays.equals(Arrays.copyOfRange(m1, i, i + head.length), head)) {
        return Arrays.copyOfRange(m1, i + head.length, i + head.length + n);
      }
    }
    throw new AssertionError("no G_X");
  }

  @Test
  void badEphemeralKeyInMessage2() throws Exception {
    for (CipherSuite s : new CipherSuite[] {CipherSuite.SUITE_0, CipherSuite.SUITE_2, CipherSuite.SUITE_25}) {
      Fixture.Pair p = new Fixture.Pair(Method.SIG_SIG, s);
      for (byte[] gy : bad(s.dhCurve())) {
        Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().crypto(crypto).build()).writeMessage1();
        byte[] gyCiphertext = new byte[gy.length + 80];
        System.arraycopy(gy, 0, gyCiphertext, 0, gy.length);
        EdhocException e = assertThrows(EdhocException.class, () -> w2.readMessage2(CborWriter.bstr(gyCiphertext)), s + " G_Y " + Hex.encode(gy));
        assertInvalidKey(e);
      }
    }
  }

  @Test
  void lowOrderStaticDhKeyOfTheInitiator() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    for (byte[] bad : bad(CoseCurve.X25519)) {
      // the initiator claims a credential with a small-order static DH key (its own private key does not matter)
      CcsCredential claimed = CcsCredential.create("initiator", new CosePublicKey(CoseCurve.X25519, bad, null), new byte[] {0x0c}, null, null);
      CosePrivateKey any = Fixture.key(CoseCurve.X25519);
      EdhocConfig icOnly = EdhocConfig.builder().suites(CipherSuite.SUITE_0).methods(Method.STAT_STAT)
          .credential(OwnCredential.byReference(claimed, any)).peers(p.initiatorPeers).crypto(crypto).build();
      EdhocConfig rc = p.responder().crypto(crypto).peers(new InMemoryCredentialStore().add(claimed)).build();
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(icOnly).writeMessage1();
      Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
      byte[] m3 = w2.readMessage2(w3.message2()).writeMessage3().message3();
      EdhocException e = assertThrows(EdhocException.class, () -> w3.readMessage3(m3), Hex.encode(bad));
      assertInvalidKey(e);
    }
  }

  @Test
  void lowOrderStaticDhKeyOfTheResponder() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    for (byte[] bad : bad(CoseCurve.X25519)) {
      CcsCredential claimed = CcsCredential.create("responder", new CosePublicKey(CoseCurve.X25519, bad, null), new byte[] {0x0d}, null, null);
      EdhocConfig rc = EdhocConfig.builder().suites(CipherSuite.SUITE_0).methods(Method.STAT_STAT)
          .credential(OwnCredential.byReference(claimed, Fixture.key(CoseCurve.X25519))).peers(p.responderPeers).crypto(crypto).build();
      EdhocConfig ic = p.initiator().crypto(crypto).peers(new InMemoryCredentialStore().add(claimed)).build();
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
      Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
      EdhocException e = assertThrows(EdhocException.class, () -> w2.readMessage2(w3.message2()), Hex.encode(bad));
      assertInvalidKey(e);
    }
  }
}
