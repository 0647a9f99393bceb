package io.edhoc.crypto;

/** AEAD algorithms of the EDHOC cipher suites (COSE ids, RFC 9053). Lengths in bytes. */
public enum AeadAlgorithm {
  AES_CCM_16_64_128(10, 16, 13, 8),
  AES_CCM_16_128_128(30, 16, 13, 16),
  A128GCM(1, 16, 12, 16),
  A256GCM(3, 32, 12, 16),
  CHACHA20_POLY1305(24, 32, 12, 16);

  private final int coseId;
  private final int keyLength;
  private final int ivLength;
  private final int tagLength;

  AeadAlgorithm(int coseId, int keyLength, int ivLength, int tagLength) {
    this.coseId = coseId;
    this.keyLength = keyLength;
    this.ivLength = ivLength;
    this.tagLength = tagLength;
  }

  public int coseId() {
    return coseId;
  }

  public int keyLength() {
    return keyLength;
  }

  public int ivLength() {
    return ivLength;
  }

  public int tagLength() {
    return tagLength;
  }
}
