package io.edhoc.crypto;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Security;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM and ChaCha20-Poly1305 from the JDK's SunJCE provider (AES-NI / CLMUL intrinsics for
 * GCM). SunJCE is named explicitly so a provider installed ahead of it cannot change the choice. A
 * new Cipher per call: SunJCE refuses to re-encrypt with the same key and nonce on one instance,
 * and Cipher is not thread-safe.
 */
final class JdkAead extends AbstractAead {
  static final Provider SUN_JCE = Security.getProvider("SunJCE");

  private final String transformation;
  private final String keyAlgorithm;

  JdkAead(AeadAlgorithm algorithm) {
    super(algorithm);
    switch (algorithm) {
      case A128GCM:
      case A256GCM:
        transformation = "AES/GCM/NoPadding";
        keyAlgorithm = "AES";
        break;
      case CHACHA20_POLY1305:
        transformation = "ChaCha20-Poly1305";
        keyAlgorithm = "ChaCha20";
        break;
      default:
        throw new IllegalArgumentException("JDK has no " + algorithm);
    }
  }

  private Cipher cipher(int mode, byte[] key, byte[] iv, byte[] aad) throws GeneralSecurityException {
    Cipher c = SUN_JCE != null ? Cipher.getInstance(transformation, SUN_JCE) : Cipher.getInstance(transformation);
    AlgorithmParameterSpec spec = algorithm == AeadAlgorithm.CHACHA20_POLY1305
        ? new IvParameterSpec(iv)
        : new GCMParameterSpec(algorithm.tagLength() * 8, iv);
    c.init(mode, new SecretKeySpec(key, keyAlgorithm), spec);
    if (aad.length > 0) {
      c.updateAAD(aad);
    }
    return c;
  }

  @Override
  protected byte[] seal(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) throws CryptoException {
    try {
      return cipher(Cipher.ENCRYPT_MODE, key, iv, aad).doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, algorithm + " encryption failed: " + e.getClass().getSimpleName());
    }
  }

  @Override
  protected byte[] open(byte[] key, byte[] iv, byte[] aad, byte[] ct) throws CryptoException {
    try {
      return cipher(Cipher.DECRYPT_MODE, key, iv, aad).doFinal(ct);
    } catch (AEADBadTagException e) {
      throw authFailed();
    } catch (GeneralSecurityException e) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, algorithm + " decryption failed: " + e.getClass().getSimpleName());
    }
  }
}
