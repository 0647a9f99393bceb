package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.cbor.CborWriter;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * RFC 9528 Appendix G: a PLAINTEXT_2 longer than 255 * hash_length is encrypted with KEYSTREAM_2 =
 * OKM(0) | OKM(1) | ..., OKM(i) = EDHOC_KDF(PRK_2e, -i, TH_2, length(P(i))). The keystream the
 * Responder uses is recomputed here with the JDK's HMAC, independently of the core.
 */
class LongPlaintext2Test {

  @Test
  void longPlaintext2RoundTripsWithTheAppendixGKeystream() throws Exception {
    Map<String, byte[]> trace = new HashMap<>();
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_2);
    EdhocConfig rc = p.responder().testHooks(TestHooks.create().trace((name, value) -> trace.put(name, value))).build();
    byte[] big = new byte[20000];
    Fixture.RANDOM.nextBytes(big);
    EadItem item = new EadItem(42, big);
    Fixture.Done d = Fixture.handshake(Edhoc.initiator(p.initiator().build()), rc, List.of(), List.of(item), List.of(), List.of());

    assertThat(d.v2.ead2()).containsExactly(item);
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();

    byte[] plaintext2 = trace.get("PLAINTEXT_2");
    int m = 255 * 32;
    assertThat(plaintext2.length).isGreaterThan(2 * m); // three parts: P(0), P(1), P(2)
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (int i = 0, off = 0; off < plaintext2.length; i++, off += m) {
      int n = Math.min(m, plaintext2.length - off);
      expected.write(hkdfExpandSha256(trace.get("PRK_2e"), new CborWriter().writeInt(-i).writeBytes(trace.get("TH_2")).writeInt(n).toByteArray(), n));
    }
    assertThat(trace.get("KEYSTREAM_2")).isEqualTo(expected.toByteArray());
    byte[] ciphertext2 = trace.get("CIPHERTEXT_2");
    for (int i = 0; i < plaintext2.length; i++) {
      if ((byte) (plaintext2[i] ^ expected.toByteArray()[i]) != ciphertext2[i]) {
        throw new AssertionError("CIPHERTEXT_2 differs at byte " + i);
      }
    }
  }

  @Test
  void plaintext2AtTheLimitUsesTheOrdinaryKeystream() throws Exception {
    Map<String, byte[]> trace = new HashMap<>();
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    EdhocConfig rc = p.responder().testHooks(TestHooks.create().trace((name, value) -> trace.put(name, value))).build();
    // fill PLAINTEXT_2 to exactly 8160 bytes: C_R (1) + ID_CRED_R (1) + MAC_2 (1 + 8) + EAD item (label 42: 2, bstr head 3, value)
    int value = 8160 - 1 - 1 - 9 - 2 - 3;
    Fixture.Done d = Fixture.handshake(
        Edhoc.initiator(p.initiator().build()), rc, List.of(), List.of(new EadItem(42, new byte[value])), List.of(), List.of());
    byte[] plaintext2 = trace.get("PLAINTEXT_2");
    assertThat(plaintext2.length).isEqualTo(8160);
    byte[] ks = hkdfExpandSha256(trace.get("PRK_2e"), new CborWriter().writeInt(0).writeBytes(trace.get("TH_2")).writeInt(8160).toByteArray(), 8160);
    assertThat(trace.get("KEYSTREAM_2")).isEqualTo(ks);
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();
  }

  /** RFC 5869 HKDF-Expand with HMAC-SHA-256. */
  static byte[] hkdfExpandSha256(byte[] prk, byte[] info, int length) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] t = new byte[0];
    for (int i = 1; out.size() < length; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      out.write(t);
    }
    return java.util.Arrays.copyOf(out.toByteArray(), length);
  }
}
