package io.edhoc.crypto;

/** Argument checks shared by the AEADs. */
abstract class AbstractAead implements Aead {
  private static final byte[] EMPTY = new byte[0];

  protected final AeadAlgorithm algorithm;

  AbstractAead(AeadAlgorithm algorithm) {
    this.algorithm = algorithm;
  }

  @Override
  public final AeadAlgorithm algorithm() {
    return algorithm;
  }

  @Override
  public final byte[] encrypt(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) throws CryptoException {
    check(key, iv);
    if (plaintext == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "plaintext is null");
    }
    return seal(key, iv, aad == null ? EMPTY : aad, plaintext);
  }

  @Override
  public final byte[] decrypt(byte[] key, byte[] iv, byte[] aad, byte[] ciphertextWithTag) throws CryptoException {
    check(key, iv);
    if (ciphertextWithTag == null || ciphertextWithTag.length < algorithm.tagLength()) {
      throw new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED, "ciphertext shorter than the tag");
    }
    return open(key, iv, aad == null ? EMPTY : aad, ciphertextWithTag);
  }

  private void check(byte[] key, byte[] iv) throws CryptoException {
    if (key == null || key.length != algorithm.keyLength()) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, algorithm + " needs a " + algorithm.keyLength() + "-byte key");
    }
    if (iv == null || iv.length != algorithm.ivLength()) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, algorithm + " needs a " + algorithm.ivLength() + "-byte nonce");
    }
  }

  /** Arguments are checked and non-null. */
  protected abstract byte[] seal(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) throws CryptoException;

  /** Arguments are checked and non-null; ciphertext is at least one tag long. */
  protected abstract byte[] open(byte[] key, byte[] iv, byte[] aad, byte[] ciphertextWithTag) throws CryptoException;

  static CryptoException authFailed() {
    return new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED, "AEAD tag does not verify");
  }
}
