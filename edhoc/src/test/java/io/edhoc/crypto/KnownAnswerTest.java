package io.edhoc.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Known-answer tests for what Wycheproof does not cover: KMAC256 / SHAKE256 and AES-CCM-16-64-128. */
class KnownAnswerTest {
  private static final DefaultCrypto CRYPTO = DefaultCrypto.get();
  private static final byte[] NIST_KEY = Hex.decode("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f");

  private static byte[] range(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  /** NIST SP 800-185 KMAC samples (csrc.nist.gov KMAC_samples.pdf), Samples #4 to #6: KMAC256, L = 512. */
  @ParameterizedTest(name = "KMAC256 sample #{0}")
  @CsvSource({
    "4, 4, My Tagged Application, 20c570c31346f703c9ac36c61c03cb64c3970d0cfc787e9b79599d273a68d2f7f69d4cc3de9d104a351689f27cf6f5951f0103f33f4f24871024d9c27773a8dd",
    "5, 200, '', 75358cf39e41494e949707927cee0af20a3ff553904c86b08f21cc414bcfd691589d27cf5e15369cbbff8b9a4c2eb17800855d0235ff635da82533ec6b759b69",
    "6, 200, My Tagged Application, b58618f71f92e1d56c1b8c55ddd7cd188b97b4ca4d99831eb2699a837da2e4d970fbacfde50033aea585f1a2708510c32d07880801bd182898fe476876fc8965",
  })
  void kmac256Samples(int sample, int dataLength, String customization, String expected) {
    byte[] out = ShakeHash.kmac256(NIST_KEY, range(dataLength), 64, customization.getBytes(StandardCharsets.US_ASCII));
    assertThat(Hex.encode(out)).isEqualTo(expected);
  }

  /** Sample #5 has S = "", exactly EDHOC_Extract's shape: KMAC256(salt, IKM, 512, ""). */
  @Test
  void shakeExtractIsKmacSample5() {
    EdhocHash h = CRYPTO.hash(HashAlgorithm.SHAKE256);
    assertThat(Hex.encode(h.extract(NIST_KEY, range(200))))
        .isEqualTo("75358cf39e41494e949707927cee0af20a3ff553904c86b08f21cc414bcfd691589d27cf5e15369cbbff8b9a4c2eb17800855d0235ff635da82533ec6b759b69");
    // Expand with 64 bytes is the same function with PRK as key and info as data.
    assertThat(h.expand(NIST_KEY, range(200), 64)).isEqualTo(h.extract(NIST_KEY, range(200)));
    // Output length is absorbed (KMAC, not KMACXOF): a shorter output is not a prefix.
    assertThat(h.expand(NIST_KEY, range(200), 32)).isNotEqualTo(Arrays.copyOf(h.extract(NIST_KEY, range(200)), 32));
    assertThat(h.expand(NIST_KEY, range(200), 0)).isEmpty();
    // empty salt is allowed (KMAC key may be empty)
    assertThat(h.extract(new byte[0], range(3))).hasSize(64);
  }

  /** SHAKE256 with 512-bit output; values checked against Python hashlib (OpenSSL). */
  @ParameterizedTest
  @CsvSource({
    "'', 46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762fd75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be",
    "abc, 483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739d5a15bef186a5386c75744c0527e1faa9f8726e462a12a4feb06bd8801e751e4",
  })
  void shake256(String in, String expected) {
    assertThat(Hex.encode(CRYPTO.hash(HashAlgorithm.SHAKE256).hash(in.getBytes(StandardCharsets.US_ASCII)))).isEqualTo(expected);
  }

  /**
   * RFC 3610 section 8, packet vectors #1 to #6: AES-128 key C0..CF, 13-byte nonce, M = 8 (=
   * AES-CCM-16-64-128). Each packet is header (AAD, 8 or 12 bytes) || payload; the expected output
   * omits the header. Values also checked against OpenSSL (Python cryptography AESCCM).
   */
  @ParameterizedTest(name = "RFC 3610 packet vector #{0}")
  @CsvSource({
    "1, 00000003020100a0a1a2a3a4a5, 8, 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e, 588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0",
    "2, 00000004030201a0a1a2a3a4a5, 8, 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f, 72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3ba091d56e10400916",
    "3, 00000005040302a0a1a2a3a4a5, 8, 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20, 51b1e5f44a197d1da46b0f8e2d282ae871e838bb64da8596574adaa76fbd9fb0c5",
    "4, 00000006050403a0a1a2a3a4a5, 12, 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e, a28c6865939a9a79faaa5c4c2a9d4a91cdac8c96c861b9c9e61ef1",
    "5, 00000007060504a0a1a2a3a4a5, 12, 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f, dcf1fb7b5d9e23fb9d4e131253658ad86ebdca3e51e83f077d9c2d93",
    "6, 00000008070605a0a1a2a3a4a5, 12, 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20, 6fc1b011f006568b5171a42d953d469b2570a4bd87405a0443ac91cb94",
  })
  void aesCcm1664128Rfc3610(int n, String nonce, int headerLength, String packet, String expected) throws Exception {
    Aead a = CRYPTO.aead(AeadAlgorithm.AES_CCM_16_64_128);
    byte[] key = Hex.decode("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
    byte[] p = Hex.decode(packet);
    byte[] aad = Arrays.copyOf(p, headerLength);
    byte[] msg = Arrays.copyOfRange(p, headerLength, p.length);
    assertThat(Hex.encode(a.encrypt(key, Hex.decode(nonce), aad, msg))).isEqualTo(expected);
    assertThat(a.decrypt(key, Hex.decode(nonce), aad, Hex.decode(expected))).isEqualTo(msg);
    // and the reference implementation below agrees
    assertThat(Hex.encode(referenceCcm(key, Hex.decode(nonce), aad, msg, 8))).isEqualTo(expected);
  }

  /** The default AES-CCM (JdkAesCcm) against an independent, deliberately simple CCM written below, random inputs. */
  @Test
  void ccmCrossCheckAgainstJdkAes() throws Exception {
    Random r = new Random(9528);
    for (AeadAlgorithm alg : new AeadAlgorithm[] {AeadAlgorithm.AES_CCM_16_64_128, AeadAlgorithm.AES_CCM_16_128_128}) {
      Aead a = CRYPTO.aead(alg);
      for (int i = 0; i < 300; i++) {
        byte[] key = new byte[16];
        byte[] nonce = new byte[13];
        byte[] aad = new byte[r.nextInt(i % 3 == 0 ? 300 : 40)];
        byte[] msg = new byte[r.nextInt(i % 5 == 0 ? 1000 : 70)];
        r.nextBytes(key);
        r.nextBytes(nonce);
        r.nextBytes(aad);
        r.nextBytes(msg);
        byte[] expected = referenceCcm(key, nonce, aad, msg, alg.tagLength());
        assertThat(a.encrypt(key, nonce, aad, msg)).isEqualTo(expected);
        assertThat(a.decrypt(key, nonce, aad, expected)).isEqualTo(msg);
      }
    }
  }

  /**
   * CCM (RFC 3610 / SP 800-38C) for a 13-byte nonce (L = 2), written from the spec on the JDK's
   * AES block function, for cross-checking only.
   */
  static byte[] referenceCcm(byte[] key, byte[] nonce, byte[] aad, byte[] msg, int tagLength) throws Exception {
    Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
    aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
    // B_0 = flags || nonce || l(m)
    byte[] b0 = new byte[16];
    b0[0] = (byte) ((aad.length > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (2 - 1));
    System.arraycopy(nonce, 0, b0, 1, 13);
    b0[14] = (byte) (msg.length >>> 8);
    b0[15] = (byte) msg.length;
    java.io.ByteArrayOutputStream auth = new java.io.ByteArrayOutputStream();
    auth.write(b0);
    if (aad.length > 0) {
      if (aad.length >= 0xff00) {
        throw new IllegalArgumentException("long AAD not needed here");
      }
      auth.write(aad.length >>> 8);
      auth.write(aad.length);
      auth.write(aad);
      while (auth.size() % 16 != 0) {
        auth.write(0);
      }
    }
    auth.write(msg);
    while (auth.size() % 16 != 0) {
      auth.write(0);
    }
    byte[] blocks = auth.toByteArray();
    byte[] x = new byte[16];
    for (int off = 0; off < blocks.length; off += 16) {
      for (int j = 0; j < 16; j++) {
        x[j] ^= blocks[off + j];
      }
      x = aes.doFinal(x);
    }
    // A_i = flags(L-1) || nonce || i
    byte[] out = new byte[msg.length + tagLength];
    byte[] ctr = new byte[16];
    ctr[0] = 1;
    System.arraycopy(nonce, 0, ctr, 1, 13);
    for (int i = 0; i * 16 < msg.length; i++) {
      int c = i + 1;
      ctr[14] = (byte) (c >>> 8);
      ctr[15] = (byte) c;
      byte[] s = aes.doFinal(ctr);
      for (int j = 0; j < 16 && i * 16 + j < msg.length; j++) {
        out[i * 16 + j] = (byte) (msg[i * 16 + j] ^ s[j]);
      }
    }
    ctr[14] = 0;
    ctr[15] = 0;
    byte[] s0 = aes.doFinal(ctr);
    for (int j = 0; j < tagLength; j++) {
      out[msg.length + j] = (byte) (x[j] ^ s0[j]);
    }
    return out;
  }
}
