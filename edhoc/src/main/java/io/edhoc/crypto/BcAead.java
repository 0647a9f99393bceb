package io.edhoc.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AEADs on Bouncy Castle's lightweight API: ChaCha20-Poly1305 (where the JDK lacks it), and AES-CCM
 * and AES-GCM only as the benchmark and cross-check alternatives ({@link JdkAesCcm} and
 * {@link JdkAead} are the defaults). A fresh cipher object per call: they are cheap and
 * not thread-safe. BC compares tags in constant time.
 */
final class BcAead extends AbstractAead {
  BcAead(AeadAlgorithm algorithm) {
    super(algorithm);
  }

  private AEADCipher newCipher() {
    switch (algorithm) {
      case AES_CCM_16_64_128:
      case AES_CCM_16_128_128:
        return CCMBlockCipher.newInstance(AESEngine.newInstance());
      case A128GCM:
      case A256GCM:
        return GCMBlockCipher.newInstance(AESEngine.newInstance());
      case CHACHA20_POLY1305:
        return new ChaCha20Poly1305();
      default:
        throw new IllegalArgumentException(algorithm.toString());
    }
  }

  private AEADCipher init(boolean encrypt, byte[] key, byte[] iv, byte[] aad) {
    AEADCipher c = newCipher();
    c.init(encrypt, new AEADParameters(new KeyParameter(key), algorithm.tagLength() * 8, iv, aad));
    return c;
  }

  @Override
  protected byte[] seal(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) throws CryptoException {
    AEADCipher c = init(true, key, iv, aad);
    byte[] out = new byte[c.getOutputSize(plaintext.length)];
    try {
      int n = c.processBytes(plaintext, 0, plaintext.length, out, 0);
      n += c.doFinal(out, n);
      if (n != out.length) {
        throw new IllegalStateException("unexpected AEAD output length");
      }
      return out;
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  @Override
  protected byte[] open(byte[] key, byte[] iv, byte[] aad, byte[] ct) throws CryptoException {
    AEADCipher c = init(false, key, iv, aad);
    byte[] out = new byte[c.getOutputSize(ct.length)];
    try {
      int n = c.processBytes(ct, 0, ct.length, out, 0);
      n += c.doFinal(out, n);
      if (n != out.length) {
        throw new IllegalStateException("unexpected AEAD output length");
      }
      return out;
    } catch (InvalidCipherTextException e) {
      java.util.Arrays.fill(out, (byte) 0);
      throw authFailed();
    }
  }
}
