package io.edhoc.crypto;

/**
 * EDHOC hash algorithms (COSE ids). {@link #length()} is hash_length of RFC 9528 section 4.1.1:
 * 32 for SHA-256, 48 for SHA-384, 64 for SHAKE256 (whose EDHOC_Extract is KMAC256 with 512-bit
 * output).
 */
public enum HashAlgorithm {
  SHA_256(-16, 32),
  SHA_384(-43, 48),
  SHAKE256(-45, 64);

  private final int coseId;
  private final int length;

  HashAlgorithm(int coseId, int length) {
    this.coseId = coseId;
    this.length = length;
  }

  public int coseId() {
    return coseId;
  }

  public int length() {
    return length;
  }
}
