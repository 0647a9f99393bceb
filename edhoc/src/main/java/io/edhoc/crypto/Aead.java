package io.edhoc.crypto;

/** One AEAD algorithm. Ciphertexts are ciphertext || tag, as in COSE_Encrypt0. */
public interface Aead {
  AeadAlgorithm algorithm();

  byte[] encrypt(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) throws CryptoException;

  /** Fails with {@link CryptoException.Reason#AUTHENTICATION_FAILED} when the tag does not verify. */
  byte[] decrypt(byte[] key, byte[] iv, byte[] aad, byte[] ciphertextWithTag) throws CryptoException;
}
