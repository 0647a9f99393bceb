package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import java.security.SecureRandom;

/**
 * ECDH on one curve with EDHOC's compact public keys (RFC 9528 section 3.7, Appendix B): the
 * u-coordinate for X25519/X448, the x-coordinate for P-256/P-384.
 */
public interface KeyExchange {
  CoseCurve curve();

  /** A fresh key pair; its public key's x is the compact G_X / G_Y. */
  CosePrivateKey generate(SecureRandom random);

  /**
   * The shared secret (x-coordinate / u-coordinate). Validates the peer key: wrong length, not on
   * the curve, low order or an all-zero result give {@link CryptoException.Reason#INVALID_PUBLIC_KEY}.
   */
  byte[] agree(CosePrivateKey own, byte[] peerCompactPublicKey) throws CryptoException;
}
