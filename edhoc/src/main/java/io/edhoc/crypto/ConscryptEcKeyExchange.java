package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;

/**
 * P-256 ECDH on BoringSSL with EDHOC's compact (x-only) keys. BoringSSL's P-256 is constant-time
 * (fiat-crypto field arithmetic), so long-term static DH keys (methods 1-3) are safe here.
 *
 * <p>Validated peer keys are kept in a small LRU: within one handshake each ephemeral key is used
 * twice in methods 1-3 (G_XY and G_RX / G_IY) and the peer's static key recurs across
 * handshakes; hostile keys only cause misses (invalid ones are never kept).
 */
final class ConscryptEcKeyExchange implements KeyExchange {
  private final ConscryptP256 p256;
  private final BoundedCache<PublicKey> peers = new BoundedCache<>(64);

  ConscryptEcKeyExchange(ConscryptP256 p256) {
    this.p256 = p256;
  }

  @Override
  public CoseCurve curve() {
    return CoseCurve.P_256;
  }

  @Override
  public CosePrivateKey generate(SecureRandom random) {
    return p256.generate(random);
  }

  @Override
  public byte[] agree(CosePrivateKey own, byte[] peerCompactPublicKey) throws CryptoException {
    if (own == null || own.curve() != CoseCurve.P_256) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "private key is not on " + CoseCurve.P_256);
    }
    PublicKey peer = peerCompactPublicKey == null ? null : peers.get(peerCompactPublicKey, p256::fromX);
    if (peer == null) {
      // the reason as EcCurve tells it (RFC 9529 4.2.2 and 4.2.3 are distinct), whichever provider refused
      throw new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY,
          "peer public key is not a valid " + CoseCurve.P_256 + " x-coordinate: " + EcCurve.P256.compactFailure(peerCompactPublicKey));
    }
    ConscryptP256.NativeKey d = p256.nativeKey(own);
    if (d == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "private scalar out of range");
    }
    byte[] z = p256.agree(d, peer);
    if (z == null || z.length != 32) {
      throw new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY, "ECDH failed");
    }
    return z;
  }

  long privateKeyParses() {
    return p256.privateKeyParses.sum();
  }

  /** For tests: whether Conscrypt's key object was built for {@code key} (not by ECDH for a parsed key). */
  /** The key's native form (for tests). */
  ConscryptP256.NativeKey nativeForm(CosePrivateKey key) {
    return p256.nativeKey(key);
  }

  boolean builtKeyObject(CosePrivateKey key) {
    ConscryptP256.NativeKey k = p256.nativeKey(key);
    return k != null && k.hasKeyObject();
  }

  long agreementInits() {
    return p256.agreementInits.sum();
  }

  int cachedKeys() {
    return peers.size();
  }
}
