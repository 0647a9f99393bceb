package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;

/**
 * P-256 ECDH on BoringSSL with EDHOC's compact (x-only) keys. BoringSSL's P-256 is constant-time
 * (fiat-crypto field arithmetic), so long-term static DH keys (methods 1-3) are safe here.
 *
 * <p>A peer key reaches BoringSSL as a compressed point that each agreement parses
 * ({@link ConscryptP256#compressed}: one finalizable native reference per agreement instead of
 * three for a parsed key object). Keys that BoringSSL accepted are kept in a small LRU with the
 * number of agreements they took part in: an ephemeral key takes part in at most two per
 * handshake (G_XY and G_RX / G_IY in methods 1-3), so a key in its third agreement recurs across
 * handshakes (the peer's static key) and is then parsed once into Conscrypt's key object, which
 * every later agreement reuses. Hostile keys only cause misses (refused ones are never kept).
 */
final class ConscryptEcKeyExchange implements KeyExchange {
  /** The agreement from which a known key is kept as Conscrypt's parsed key object. */
  static final int PARSE_AT_USE = 3;

  private final ConscryptP256 p256;
  private final BoundedCache<Peer> peers = new BoundedCache<>(64);

  /** A peer key BoringSSL accepted, as it goes to the next agreement, and how often it was used. */
  private static final class Peer {
    private volatile PublicKey key;
    private final java.util.concurrent.atomic.AtomicInteger uses = new java.util.concurrent.atomic.AtomicInteger(1);

    Peer(PublicKey key) {
      this.key = key;
    }

    PublicKey next(ConscryptP256 p256, byte[] x) {
      PublicKey k = key;
      if (uses.incrementAndGet() == PARSE_AT_USE && k instanceof ConscryptP256.SpkiKey) {
        PublicKey parsed = p256.fromX(x);
        if (parsed != null) {
          key = parsed;
          return parsed;
        }
      }
      return k;
    }
  }

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
    Peer known = peerCompactPublicKey == null ? null : peers.peek(peerCompactPublicKey);
    PublicKey peer = known != null ? known.next(p256, peerCompactPublicKey) : p256.compressed(peerCompactPublicKey);
    if (peer == null) {
      throw invalidPeerKey(peerCompactPublicKey);
    }
    ConscryptP256.NativeKey d = p256.nativeKey(own);
    if (d == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "private scalar out of range");
    }
    byte[] z = p256.agree(d, peer);
    if (z == null || z.length != 32) {
      if (known == null) {
        throw invalidPeerKey(peerCompactPublicKey); // BoringSSL refused the point as it parsed it
      }
      throw new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY, "ECDH failed");
    }
    if (known == null) {
      peers.put(peerCompactPublicKey, new Peer(peer));
    }
    return z;
  }

  /** The reason as EcCurve tells it (RFC 9529 4.2.2 and 4.2.3 are distinct), whichever provider refused. */
  private static CryptoException invalidPeerKey(byte[] x) {
    return new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY,
        "peer public key is not a valid " + CoseCurve.P_256 + " x-coordinate: " + EcCurve.P256.compactFailure(x));
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

  /** Peer keys parsed into Conscrypt's key object (for tests). */
  long peerKeyObjects() {
    return p256.publicKeyObjects.sum();
  }

  long agreementInits() {
    return p256.agreementInits.sum();
  }

  int cachedKeys() {
    return peers.size();
  }
}
