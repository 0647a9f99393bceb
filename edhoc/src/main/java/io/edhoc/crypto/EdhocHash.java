package io.edhoc.crypto;

/**
 * The EDHOC hash algorithm of a suite with EDHOC_Extract and EDHOC_Expand (RFC 9528 section
 * 4.1.1/4.1.2): HKDF-Extract/Expand for SHA-2, KMAC256 for SHAKE256.
 */
public interface EdhocHash {
  HashAlgorithm algorithm();

  /** hash_length in bytes. */
  default int length() {
    return algorithm().length();
  }

  byte[] hash(byte[] data);

  /**
   * The hash of the concatenation of {@code parts} (a CBOR sequence of items already encoded, as
   * the transcript hashes of section 5.3.2 take them). The library's hashes absorb the parts in
   * turn without building the concatenation; this default, for other implementations, builds it.
   */
  default byte[] hash(byte[]... parts) {
    return hash(io.edhoc.cbor.CborWriter.sequence(parts));
  }

  /** EDHOC_Extract(salt, IKM). An empty salt is hash_length zero bytes for HKDF. */
  byte[] extract(byte[] salt, byte[] ikm);

  /** EDHOC_Expand(PRK, info, length). */
  byte[] expand(byte[] prk, byte[] info, int length);
}
