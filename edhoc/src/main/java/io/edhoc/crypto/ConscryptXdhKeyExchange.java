package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import org.conscrypt.OpenSSLX25519PrivateKey;
import org.conscrypt.OpenSSLX25519PublicKey;

/**
 * X25519 (RFC 7748) on BoringSSL. Conscrypt's X25519 keys are plain 32-byte arrays on the Java
 * heap (built in nanoseconds), so the private key object is made per agreement from the
 * CosePrivateKey and destroyed (wiped) right after, rather than kept. BoringSSL refuses an all-zero
 * result (a low-order peer key); the result is checked here as well, so both providers fail the
 * same way (RFC 9528 section 9.2).
 */
final class ConscryptXdhKeyExchange implements KeyExchange {
  private static final int LEN = 32;
  private final Provider provider;

  ConscryptXdhKeyExchange(Provider provider) {
    this.provider = provider;
  }

  @Override
  public CoseCurve curve() {
    return CoseCurve.X25519;
  }

  /** BoringSSL draws the private key from its own RNG (the OS entropy source); the argument is not used. */
  @Override
  public CosePrivateKey generate(SecureRandom ignored) {
    KeyPair kp;
    try {
      kp = java.security.KeyPairGenerator.getInstance("XDH", provider).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 key generation failed", e);
    }
    OpenSSLX25519PrivateKey priv = (OpenSSLX25519PrivateKey) kp.getPrivate();
    byte[] k = priv.getU();
    try {
      return new CosePrivateKey(CoseCurve.X25519, k, new CosePublicKey(CoseCurve.X25519, ((OpenSSLX25519PublicKey) kp.getPublic()).getU(), null));
    } finally {
      Arrays.fill(k, (byte) 0);
      priv.destroy();
    }
  }

  @Override
  public byte[] agree(CosePrivateKey own, byte[] peer) throws CryptoException {
    if (own == null || own.curve() != CoseCurve.X25519) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "private key is not on " + CoseCurve.X25519);
    }
    if (peer == null || peer.length != LEN) {
      throw new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY, "peer public key must be " + LEN + " bytes");
    }
    byte[] k = own.exportSecret();
    OpenSSLX25519PrivateKey priv = new OpenSSLX25519PrivateKey(k);
    Arrays.fill(k, (byte) 0);
    byte[] out = null;
    try {
      KeyAgreement ka = KeyAgreement.getInstance("XDH", provider);
      ka.init(priv);
      ka.doPhase(new OpenSSLX25519PublicKey(peer), true);
      out = ka.generateSecret();
    } catch (GeneralSecurityException | RuntimeException e) {
      out = null; // BoringSSL's X25519() fails on an all-zero result
    } finally {
      priv.destroy();
    }
    if (out == null || out.length != LEN || allZero(out)) {
      if (out != null) {
        Arrays.fill(out, (byte) 0);
      }
      throw new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY, "all-zero shared secret (low-order peer key)");
    }
    return out;
  }

  private static boolean allZero(byte[] b) {
    int acc = 0;
    for (byte x : b) {
      acc |= x;
    }
    return acc == 0;
  }
}
