package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.conscrypt.OpenSslEdDsaPrivateKey;
import org.conscrypt.OpenSslEdDsaPublicKey;

/**
 * Pure Ed25519 (RFC 8032) on BoringSSL. A credential's private key becomes a BoringSSL key once
 * (deriving the public key inside costs about 10 µs, as much as a signature) and stays with the
 * {@link CosePrivateKey}. Peer keys get the same partial validation as on the Bouncy Castle path
 * (canonical encoding, on the curve) before BoringSSL sees them, so both providers accept exactly
 * the same keys; parsed keys are kept in a small LRU.
 */
final class ConscryptEdDsaSigner implements Signer {
  private static final int SIG_LEN = 64;
  private final Object owner = new Object();
  private final Provider provider;
  private final BoundedCache<PublicKey> keys = new BoundedCache<>(64);
  /** Private keys parsed into BoringSSL form (for tests: once per credential key, never per handshake). */
  final java.util.concurrent.atomic.LongAdder privateKeyParses = new java.util.concurrent.atomic.LongAdder();

  ConscryptEdDsaSigner(Provider provider) {
    this.provider = provider;
  }

  @Override
  public SignatureAlgorithm algorithm() {
    return SignatureAlgorithm.EDDSA;
  }

  @Override
  public CoseCurve curve() {
    return CoseCurve.ED25519;
  }

  @Override
  public byte[] sign(CosePrivateKey key, byte[] message) throws CryptoException {
    if (key == null || key.curve() != CoseCurve.ED25519 || message == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "need a " + CoseCurve.ED25519 + " private key and a message");
    }
    // the public key is derived from the seed inside BoringSSL, never taken from the caller
    PrivateKey k = (PrivateKey) key.providerForm(owner, seed -> {
      privateKeyParses.increment();
      return new OpenSslEdDsaPrivateKey(seed);
    });
    try {
      Signature s = Signature.getInstance("Ed25519", provider);
      s.initSign(k);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "Ed25519 signing failed");
    }
  }

  @Override
  public boolean verify(CosePublicKey key, byte[] message, byte[] signature) {
    if (key == null || key.curve() != CoseCurve.ED25519 || message == null || signature == null || signature.length != SIG_LEN) {
      return false;
    }
    try {
      PublicKey pub = keys.get(key.x(), this::parse);
      if (pub == null) {
        return false;
      }
      Signature s = Signature.getInstance("Ed25519", provider);
      s.initVerify(pub);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private PublicKey parse(byte[] pk) {
    try {
      Ed25519.validatePublicKeyPartialExport(pk, 0);
      return new OpenSslEdDsaPublicKey(pk);
    } catch (RuntimeException e) {
      return null;
    }
  }

  int cachedKeys() {
    return keys.size();
  }
}
