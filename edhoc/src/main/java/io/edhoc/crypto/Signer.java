package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;

/** A COSE signature algorithm on one curve (EdDSA Ed25519/Ed448, ES256, ES384). */
public interface Signer {
  SignatureAlgorithm algorithm();

  CoseCurve curve();

  /** The COSE signature (raw r||s for ECDSA). */
  byte[] sign(CosePrivateKey key, byte[] message) throws CryptoException;

  /** False for any invalid signature or key; never throws for hostile input. */
  boolean verify(CosePublicKey key, byte[] message, byte[] signature);
}
