package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.DefaultCrypto;
import io.edhoc.crypto.HashAlgorithm;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The OSCORE context derivation at its edges: the identifier and length limits exactly at the
 * boundary, the AEAD nonce of RFC 8613 section 5.2 computed independently, and equality that
 * looks at every parameter.
 */
class OscoreContextEdgesTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] SECRET = HEX.parseHex("0102030405060708090a0b0c0d0e0f10");
  private static final byte[] SALT = HEX.parseHex("9e7ca92223786340");
  private static final AeadAlgorithm CCM = AeadAlgorithm.AES_CCM_16_64_128;

  private static OscoreContext derive(byte[] secret, byte[] salt, byte[] sid, byte[] rid, byte[] idc, AeadAlgorithm a, HashAlgorithm h) {
    return OscoreContext.derive(secret, salt, sid, rid, idc, a, h);
  }

  @Test
  void identifiersOfExactlyTheNonceLimitAreAcceptedOnBothSides() {
    assertThat(OscoreContext.maxIdLength(CCM)).isEqualTo(7);
    assertThat(derive(SECRET, SALT, new byte[1], new byte[7], null, CCM, HashAlgorithm.SHA_256).recipientId()).hasSize(7);
    assertThatThrownBy(() -> derive(SECRET, SALT, new byte[1], new byte[8], null, CCM, HashAlgorithm.SHA_256))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> derive(new byte[0], SALT, new byte[1], new byte[2], null, CCM, HashAlgorithm.SHA_256))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Master Secret");
  }

  private static EdhocSession session() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(f.initiator).writeMessage1();
    var w3 = Edhoc.responder(f.responder).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    w3.readMessage3(w4.message3()).complete().close();
    return w4.complete();
  }

  @Test
  void lengthsAgreedOutOfBandAreCheckedAtTheirLimits() throws Exception {
    try (EdhocSession s = session()) {
      assertThat(OscoreContext.fromEdhoc(s, 16, 0).masterSalt()).isEmpty();
      assertThat(OscoreContext.fromEdhoc(s, 16, 8).masterSecret()).hasSize(16);
      assertThatThrownBy(() -> OscoreContext.fromEdhoc(s, 15, 8)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> OscoreContext.fromEdhoc(s, 16, -1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** RFC 8613 section 5.2: left-padded Partial IV (5 bytes), ID, ID length in the first byte, XOR Common IV. */
  private static byte[] expectedNonce(byte[] commonIv, byte[] id, long piv) {
    int n = commonIv.length;
    byte[] b = new byte[n];
    b[0] = (byte) id.length;
    byte[] paddedId = new byte[n - 6];
    System.arraycopy(id, 0, paddedId, paddedId.length - id.length, id.length);
    System.arraycopy(paddedId, 0, b, 1, paddedId.length);
    byte[] p = HEX.parseHex(String.format("%010x", piv));
    System.arraycopy(p, 0, b, n - 5, 5);
    for (int i = 0; i < n; i++) {
      b[i] ^= commonIv[i];
    }
    return b;
  }

  @Test
  void nonceFollowsRfc8613() {
    OscoreContext c = derive(SECRET, SALT, new byte[0], HEX.parseHex("01"), null, CCM, HashAlgorithm.SHA_256);
    // RFC 8613 C.1.1 Common IV; C.4: Partial IV 0x14 with the client's empty Sender ID
    assertThat(HEX.formatHex(c.commonIv())).isEqualTo("4622d4dd6d944168eefb54987c");
    for (long piv : new long[] {0, 0x14, 0x0102030405L, 0xffffffffffL}) {
      for (byte[] id : List.of(new byte[0], HEX.parseHex("01"), HEX.parseHex("0a0b0c0d0e0f10"))) {
        assertThat(HEX.formatHex(c.nonce(id, piv))).as(HEX.formatHex(id) + " / " + piv).isEqualTo(HEX.formatHex(expectedNonce(c.commonIv(), id, piv)));
      }
    }
    OscoreContext gcm = derive(SECRET, SALT, new byte[0], HEX.parseHex("01"), null, AeadAlgorithm.A128GCM, HashAlgorithm.SHA_256);
    assertThat(gcm.nonce(HEX.parseHex("01"), 0x0102030405L)).isEqualTo(expectedNonce(gcm.commonIv(), HEX.parseHex("01"), 0x0102030405L));
  }

  private static OscoreContext make(byte[][] f, AeadAlgorithm a, HashAlgorithm h) {
    return new OscoreContext(f[0], f[1], f[2], f[3], f[4], a, h, f[5], f[6], f[7]);
  }

  /** RFC 5869 Appendix A.1 and A.2 (SHA-256, 42 and 82 bytes: several HMAC blocks), and the 255-block limit, through the suite hash the OSCORE derivation now shares with the key schedule. */
  @Test
  void hkdfExpandOverSeveralBlocks() {
    byte[] prk1 = OscoreContext.extract(HashAlgorithm.SHA_256, DefaultCrypto.get(), HEX.parseHex("000102030405060708090a0b0c"), HEX.parseHex("0b".repeat(22)));
    assertThat(HEX.formatHex(prk1)).isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    assertThat(HEX.formatHex(OscoreContext.expand(HashAlgorithm.SHA_256, DefaultCrypto.get(), prk1, HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42)))
        .isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    StringBuilder salt = new StringBuilder();
    StringBuilder ikm = new StringBuilder();
    StringBuilder info = new StringBuilder();
    for (int i = 0; i < 80; i++) {
      ikm.append(String.format("%02x", i));
      salt.append(String.format("%02x", 0x60 + i));
      info.append(String.format("%02x", 0xb0 + i));
    }
    byte[] prk2 = OscoreContext.extract(HashAlgorithm.SHA_256, DefaultCrypto.get(), HEX.parseHex(salt.toString()), HEX.parseHex(ikm.toString()));
    assertThat(HEX.formatHex(OscoreContext.expand(HashAlgorithm.SHA_256, DefaultCrypto.get(), prk2, HEX.parseHex(info.toString()), 82)))
        .isEqualTo("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
    assertThat(OscoreContext.expand(HashAlgorithm.SHA_256, DefaultCrypto.get(), prk1, new byte[0], 255 * 32)).hasSize(255 * 32);
    assertThatThrownBy(() -> OscoreContext.expand(HashAlgorithm.SHA_256, DefaultCrypto.get(), prk1, new byte[0], 255 * 32 + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void equalityLooksAtEveryParameter() {
    OscoreContext base = derive(SECRET, SALT, HEX.parseHex("01"), HEX.parseHex("02"), HEX.parseHex("aa"), CCM, HashAlgorithm.SHA_256);
    OscoreContext same = derive(SECRET, SALT, HEX.parseHex("01"), HEX.parseHex("02"), HEX.parseHex("aa"), CCM, HashAlgorithm.SHA_256);
    assertThat(base).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(base).isNotEqualTo("context").isNotEqualTo(null);
    List<OscoreContext> others = List.of(
        derive(SECRET, SALT, HEX.parseHex("01"), HEX.parseHex("02"), HEX.parseHex("aa"), AeadAlgorithm.A128GCM, HashAlgorithm.SHA_256),
        derive(SECRET, SALT, HEX.parseHex("01"), HEX.parseHex("02"), HEX.parseHex("aa"), CCM, HashAlgorithm.SHA_384),
        derive(SECRET, SALT, HEX.parseHex("03"), HEX.parseHex("02"), HEX.parseHex("aa"), CCM, HashAlgorithm.SHA_256),
        derive(SECRET, SALT, HEX.parseHex("01"), HEX.parseHex("03"), HEX.parseHex("aa"), CCM, HashAlgorithm.SHA_256),
        derive(SECRET, SALT, HEX.parseHex("01"), HEX.parseHex("02"), HEX.parseHex("bb"), CCM, HashAlgorithm.SHA_256),
        derive(SECRET, SALT, HEX.parseHex("01"), HEX.parseHex("02"), null, CCM, HashAlgorithm.SHA_256),
        derive(HEX.parseHex("0102030405060708090a0b0c0d0e0f11"), SALT, HEX.parseHex("01"), HEX.parseHex("02"), HEX.parseHex("aa"), CCM,
            HashAlgorithm.SHA_256),
        derive(SECRET, HEX.parseHex("9e7ca92223786341"), HEX.parseHex("01"), HEX.parseHex("02"), HEX.parseHex("aa"), CCM, HashAlgorithm.SHA_256));
    for (OscoreContext o : others) {
      assertThat(base).as(o.toString()).isNotEqualTo(o);
      assertThat(o).isNotEqualTo(base);
    }
    assertThat(base.hashCode()).isNotEqualTo(others.get(2).hashCode());
    // contexts that differ in exactly one field (keys included), which derive cannot make
    byte[][] f = {SECRET, SALT, HEX.parseHex("01"), HEX.parseHex("02"), HEX.parseHex("aa"), base.senderKey(), base.recipientKey(), base.commonIv()};
    OscoreContext again = make(f, CCM, HashAlgorithm.SHA_256);
    assertThat(again).isEqualTo(base);
    assertThat(make(f, AeadAlgorithm.A128GCM, HashAlgorithm.SHA_256)).isNotEqualTo(base);
    assertThat(make(f, CCM, HashAlgorithm.SHA_384)).isNotEqualTo(base);
    for (int i = 0; i < f.length; i++) {
      byte[][] g = f.clone();
      g[i] = f[i].clone();
      g[i][0] ^= 1;
      assertThat(make(g, CCM, HashAlgorithm.SHA_256)).as("field " + i).isNotEqualTo(base);
    }
    byte[][] noIdContext = f.clone();
    noIdContext[4] = null;
    assertThat(make(noIdContext, CCM, HashAlgorithm.SHA_256)).isNotEqualTo(base);
    // swapping the identifiers is a different context (the peer's), and its view of the peer is this one
    assertThat(base.peerView()).isNotEqualTo(base);
    assertThat(base.peerView().peerView()).isEqualTo(base);
    assertThat(base.toString()).isEqualTo("OscoreContext[sender ID 01, recipient ID 02, ID context aa, AEAD " + CCM + ", HKDF SHA_256]");
  }

  /**
   * A server holds one context per established handshake until it is evicted, and young
   * collections copy and promote every new one: the parameters are one array, whatever their
   * lengths, and each part reads back as it went in (null and empty ID Context kept apart).
   */
  @Test
  void aContextIsOneObjectAndOneArray() throws Exception {
    int arrays = 0;
    for (java.lang.reflect.Field f : OscoreContext.class.getDeclaredFields()) {
      if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
        continue;
      }
      if (f.getType().isArray()) {
        arrays++;
      } else {
        assertThat(f.getType().isEnum()).as(f.getName() + " is a shared constant, not per-context state").isTrue();
      }
    }
    assertThat(arrays).isEqualTo(1);
    byte[][] f = {HEX.parseHex("0102"), HEX.parseHex(""), HEX.parseHex("aa"), HEX.parseHex(""), null, new byte[300], HEX.parseHex("55"),
        HEX.parseHex("0c0d0e")};
    OscoreContext c = make(f, CCM, HashAlgorithm.SHA_256);
    assertThat(c.masterSecret()).isEqualTo(f[0]);
    assertThat(c.masterSalt()).isEmpty();
    assertThat(c.senderId()).isEqualTo(f[2]);
    assertThat(c.recipientId()).isEmpty();
    assertThat(c.idContext()).isNull();
    assertThat(c.senderKey()).isEqualTo(f[5]);
    assertThat(c.recipientKey()).isEqualTo(f[6]);
    assertThat(c.commonIv()).isEqualTo(f[7]);
    f[4] = new byte[0];
    OscoreContext withEmpty = make(f, CCM, HashAlgorithm.SHA_256);
    assertThat(withEmpty.idContext()).isEmpty();
    assertThat(withEmpty).isNotEqualTo(c);
    // the same bytes split differently are a different context
    byte[][] g = {HEX.parseHex("01"), HEX.parseHex("02"), HEX.parseHex("aa"), HEX.parseHex(""), null, new byte[300], HEX.parseHex("55"),
        HEX.parseHex("0c0d0e")};
    assertThat(make(g, CCM, HashAlgorithm.SHA_256)).isNotEqualTo(c);
    assertThat(c.peerView().peerView()).isEqualTo(c).hasSameHashCodeAs(c);
  }
}
