package io.edhoc.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-CCM (RFC 3610, NIST SP 800-38C) for COSE's AES-CCM-16-64-128 and AES-CCM-16-128-128: a
 * 13-byte nonce (so L = 2, at most 65,535 bytes of payload), a 128-bit key, an 8- or 16-byte tag.
 * The block cipher is the JDK's AES (SunJCE's AES in ECB mode, AES-NI intrinsics, constant
 * time), the CCM composition is written here from RFC 3610 section 2: CBC-MAC over B_0, the
 * length-prefixed AAD and the payload (each zero-padded to whole blocks), the payload encrypted
 * with the key stream S_1, S_2, ... = E(K, A_i), the tag the first M bytes of the MAC XOR S_0.
 * The static {@link #seal(byte[], byte[], byte[], byte[], int)} / {@link #open} take any of RFC
 * 3610's parameters (nonce 7-13 bytes, tag 4-16 even, AES-128/192/256) so the tests can run every
 * Wycheproof CCM case through the same code; the AEAD instances fix EDHOC's.
 *
 * <p>Decryption computes the plaintext into a private array, recomputes the tag over it and
 * compares it with the received one in constant time ({@link MessageDigest#isEqual}); only then
 * is the plaintext returned. On a mismatch the array is wiped and only
 * {@link CryptoException.Reason#AUTHENTICATION_FAILED} leaves. Working arrays that held plaintext
 * or key stream are wiped before return. A new Cipher per call (Cipher is not thread-safe); no
 * state is kept between calls.
 */
final class JdkAesCcm extends AbstractAead {
  private static final int BLOCK = 16;

  private final int tagLength;

  JdkAesCcm(AeadAlgorithm algorithm) {
    super(algorithm);
    if (algorithm != AeadAlgorithm.AES_CCM_16_64_128 && algorithm != AeadAlgorithm.AES_CCM_16_128_128) {
      throw new IllegalArgumentException("not AES-CCM with a 13-byte nonce: " + algorithm);
    }
    this.tagLength = algorithm.tagLength();
  }

  @Override
  protected byte[] seal(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) throws CryptoException {
    return seal(key, iv, aad, plaintext, tagLength);
  }

  @Override
  protected byte[] open(byte[] key, byte[] iv, byte[] aad, byte[] ct) throws CryptoException {
    return open(key, iv, aad, ct, tagLength);
  }

  private static CryptoException invalid(String what) {
    return new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "AES-CCM: " + what);
  }

  /** L, the size of the length field: 15 - nonce length. Checks RFC 3610's parameter ranges. */
  private static int lengthFieldSize(byte[] key, byte[] nonce, int tagLength) throws CryptoException {
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw invalid("key must be 16, 24 or 32 bytes");
    }
    if (nonce.length < 7 || nonce.length > 13) {
      throw invalid("nonce must be 7 to 13 bytes");
    }
    if (tagLength < 4 || tagLength > 16 || (tagLength & 1) != 0) {
      throw invalid("tag must be 4, 6, ..., 16 bytes");
    }
    return 15 - nonce.length;
  }

  /** True if a payload of n bytes fits in an L-byte length field. */
  private static boolean fits(int n, int l) {
    return l >= 4 || n < (1 << (8 * l));
  }

  static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext, int tagLength) throws CryptoException {
    int l = lengthFieldSize(key, nonce, tagLength);
    int n = plaintext.length;
    if (!fits(n, l) || n > Integer.MAX_VALUE - BLOCK - tagLength) {
      throw invalid("payload too long for a " + nonce.length + "-byte nonce");
    }
    Cipher aes = aes(key);
    byte[] out = new byte[n + tagLength];
    byte[] mac = cbcMac(aes, nonce, l, aad, plaintext, tagLength);
    byte[] s = keyStream(aes, nonce, l, n);
    for (int i = 0; i < n; i++) {
      out[i] = (byte) (plaintext[i] ^ s[BLOCK + i]);
    }
    for (int i = 0; i < tagLength; i++) {
      out[n + i] = (byte) (mac[i] ^ s[i]);
    }
    Arrays.fill(s, (byte) 0);
    Arrays.fill(mac, (byte) 0);
    return out;
  }

  /**
   * Decrypts and verifies; the plaintext is returned only after the tag compared equal (in
   * constant time), and is wiped otherwise.
   */
  static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ct, int tagLength) throws CryptoException {
    int l = lengthFieldSize(key, nonce, tagLength);
    int n = ct.length - tagLength;
    if (n < 0 || !fits(n, l)) {
      throw AbstractAead.authFailed();
    }
    Cipher aes = aes(key);
    byte[] s = keyStream(aes, nonce, l, n);
    byte[] plaintext = new byte[n];
    for (int i = 0; i < n; i++) {
      plaintext[i] = (byte) (ct[i] ^ s[BLOCK + i]);
    }
    byte[] mac = cbcMac(aes, nonce, l, aad, plaintext, tagLength);
    byte[] expected = new byte[tagLength];
    for (int i = 0; i < tagLength; i++) {
      expected[i] = (byte) (mac[i] ^ s[i]);
    }
    Arrays.fill(s, (byte) 0);
    Arrays.fill(mac, (byte) 0);
    byte[] received = Arrays.copyOfRange(ct, n, ct.length);
    if (!MessageDigest.isEqual(expected, received)) {
      Arrays.fill(plaintext, (byte) 0);
      throw AbstractAead.authFailed();
    }
    return plaintext;
  }

  /**
   * SunJCE's AES block function keyed with key. Looked up by the bare name "AES" (ECB; its default
   * PKCS5 padding never comes into play: only {@code update} with whole blocks is called, which in
   * encrypt mode returns every block at once, checked by the callers): a quarter of the look-up
   * cost of "AES_128/ECB/NoPadding", whose transformation string is parsed on every call.
   */
  private static Cipher aes(byte[] key) throws CryptoException {
    try {
      Cipher c = JdkAead.SUN_JCE != null ? Cipher.getInstance("AES", JdkAead.SUN_JCE) : Cipher.getInstance("AES/ECB/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
      return c;
    } catch (GeneralSecurityException e) {
      throw invalid("AES unavailable: " + e.getClass().getSimpleName());
    }
  }

  /** Writes the L-byte big-endian value v at b[off ..]. */
  private static void putLength(byte[] b, int off, int l, int v) {
    for (int i = 0; i < l; i++) {
      int shift = 8 * (l - 1 - i);
      b[off + i] = shift >= 32 ? 0 : (byte) (v >>> shift);
    }
  }

  /**
   * The key stream blocks S_0 .. S_m (S_0 masks the tag, S_1.. the payload): the counter blocks
   * A_i = flags (L - 1) || nonce || i, encrypted in one call.
   */
  private static byte[] keyStream(Cipher aes, byte[] nonce, int l, int payloadLength) {
    int blocks = 1 + (payloadLength + BLOCK - 1) / BLOCK;
    byte[] a = new byte[blocks * BLOCK];
    for (int i = 0; i < blocks; i++) {
      int o = i * BLOCK;
      a[o] = (byte) (l - 1);
      System.arraycopy(nonce, 0, a, o + 1, nonce.length);
      putLength(a, o + 1 + nonce.length, l, i);
    }
    try {
      int done = aes.update(a, 0, a.length, a, 0);
      if (done != a.length) {
        throw new IllegalStateException("AES/ECB returned " + done + " of " + a.length + " bytes");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/ECB failed", e);
    }
    return a;
  }

  /**
   * The CBC-MAC (RFC 3610 2.2) over B_0, the encoded AAD and the payload; returns the full last
   * block X_{n+1} (the caller uses its first M bytes).
   */
  private static byte[] cbcMac(Cipher aes, byte[] nonce, int l, byte[] aad, byte[] payload, int tagLength) {
    int n = payload.length;
    int aadHead = aad.length == 0 ? 0 : aad.length < 0xFF00 ? 2 : 6;
    int aadBlocks = (aadHead + aad.length + BLOCK - 1) / BLOCK;
    int payloadBlocks = (n + BLOCK - 1) / BLOCK;
    byte[] b = new byte[(1 + aadBlocks + payloadBlocks) * BLOCK];
    // B_0: flags = 64 * Adata + 8 * M' + L', with M' = (M - 2) / 2 and L' = L - 1
    b[0] = (byte) ((aad.length > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (l - 1));
    System.arraycopy(nonce, 0, b, 1, nonce.length);
    putLength(b, 1 + nonce.length, l, n);
    int p = BLOCK;
    if (aadHead == 2) {
      b[p] = (byte) (aad.length >>> 8);
      b[p + 1] = (byte) aad.length;
    } else if (aadHead == 6) {
      b[p] = (byte) 0xFF;
      b[p + 1] = (byte) 0xFE;
      b[p + 2] = (byte) (aad.length >>> 24);
      b[p + 3] = (byte) (aad.length >>> 16);
      b[p + 4] = (byte) (aad.length >>> 8);
      b[p + 5] = (byte) aad.length;
    }
    System.arraycopy(aad, 0, b, p + aadHead, aad.length);
    p += aadBlocks * BLOCK;
    System.arraycopy(payload, 0, b, p, n);
    byte[] x = new byte[BLOCK];
    try {
      for (int o = 0; o < b.length; o += BLOCK) {
        for (int i = 0; i < BLOCK; i++) {
          x[i] ^= b[o + i];
        }
        if (aes.update(x, 0, BLOCK, x, 0) != BLOCK) {
          throw new IllegalStateException("AES/ECB returned a partial block");
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/ECB failed", e);
    } finally {
      Arrays.fill(b, (byte) 0);
    }
    return x;
  }
}
