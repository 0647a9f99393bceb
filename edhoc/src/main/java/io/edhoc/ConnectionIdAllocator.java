package io.edhoc;

import java.security.SecureRandom;

/**
 * Chooses this endpoint's connection identifier (C_I or C_R, RFC 9528 section 3.3). With OSCORE
 * the identifier becomes this endpoint's Recipient ID, so an application that keeps OSCORE
 * contexts supplies an allocator that avoids identifiers in use (see the OSCORE binding).
 */
@FunctionalInterface
public interface ConnectionIdAllocator {
  /**
   * A new identifier (as a byte string value). {@code peerConnectionId} is the peer's identifier
   * when already known (the responder knows C_I), else null.
   */
  byte[] allocate(byte[] peerConnectionId);

  /**
   * Random identifiers: one byte from the 48 values that travel as one-byte CBOR ints, different
   * from the peer's.
   */
  static ConnectionIdAllocator random(SecureRandom random) {
    return peer -> {
      while (true) {
        int v = random.nextInt(48);
        byte b = (byte) (v < 24 ? v : 0x20 + (v - 24));
        if (peer == null || peer.length != 1 || peer[0] != b) {
          return new byte[] {b};
        }
      }
    };
  }

  /** Always the given identifier (an application's fixed choice). */
  static ConnectionIdAllocator fixed(byte[] id) {
    byte[] copy = id.clone();
    return peer -> copy.clone();
  }
}
