package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.crypto.AeadAlgorithm;
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
    // swapping the identifiers is a different context (the peer's), and its view of the peer is this one
    assertThat(base.peerView()).isNotEqualTo(base);
    assertThat(base.peerView().peerView()).isEqualTo(base);
    assertThat(base.toString()).isEqualTo("OscoreContext[sender ID 01, recipient ID 02, ID context aa, AEAD " + CCM + ", HKDF SHA_256]");
  }
}
