package io.edhoc.oscore;

import io.edhoc.CipherSuite;
import io.edhoc.ConnectionIdAllocator;
import io.edhoc.crypto.AeadAlgorithm;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A {@link ConnectionIdAllocator} for EDHOC keying OSCORE, where this side's connection identifier
 * becomes its OSCORE Recipient ID (RFC 9528 Appendix A.1, section 3.3.3). It picks an identifier
 * that
 *
 * <ul>
 *   <li>is not in use as a Recipient ID ({@code inUse}: the OSCORE context store, pending
 *       handshakes),
 *   <li>fits the AEAD limit (nonce length - 6 bytes: 7 for AES-CCM, 6 for GCM and ChaCha20) of
 *       every suite given,
 *   <li>differs from the peer's identifier (C_I = C_R is refused by RFC 9528 section 3.3.2 for
 *       OSCORE).
 * </ul>
 *
 * Short identifiers first: every one of the 48 one-byte CBOR ints in random order, then every
 * other one-byte value, then random longer ones up to the limit. If no identifier is free after many tries
 * the allocation fails with an {@link IllegalStateException}.
 */
public final class RecipientIdAllocator implements ConnectionIdAllocator {
  private static final int TRIES_PER_LENGTH = 64;

  private final SecureRandom random;
  private final int maxLength;
  private final Predicate<byte[]> inUse;

  public RecipientIdAllocator(SecureRandom random, int maxLength, Predicate<byte[]> inUse) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be at least 1");
    }
    this.random = Objects.requireNonNull(random);
    this.maxLength = maxLength;
    this.inUse = Objects.requireNonNull(inUse);
  }

  /** The identifier length limit that fits every given suite's application AEAD. */
  public static int maxLengthFor(Collection<CipherSuite> suites) {
    int max = Integer.MAX_VALUE;
    for (CipherSuite s : suites) {
      AeadAlgorithm a = s.applicationAead();
      max = Math.min(max, OscoreContext.maxIdLength(a));
    }
    return max == Integer.MAX_VALUE ? 6 : max;
  }

  @Override
  public byte[] allocate(byte[] peerConnectionId) {
    // every one of the 48 one-byte ints, in random order; then every other one-byte value
    for (int v : shuffled(48)) {
      byte[] id = {(byte) (v < 24 ? v : 0x20 + (v - 24))};
      if (acceptable(id, peerConnectionId)) {
        return id;
      }
    }
    for (int v : shuffled(256)) {
      byte[] id = {(byte) v};
      if (acceptable(id, peerConnectionId)) {
        return id;
      }
    }
    for (int len = 2; len <= maxLength; len++) {
      for (int i = 0; i < TRIES_PER_LENGTH; i++) {
        byte[] id = new byte[len];
        random.nextBytes(id);
        if (acceptable(id, peerConnectionId)) {
          return id;
        }
      }
    }
    throw new IllegalStateException("no free OSCORE Recipient ID of at most " + maxLength + " bytes");
  }

  private int[] shuffled(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  private boolean acceptable(byte[] id, byte[] peer) {
    return (peer == null || !java.util.Arrays.equals(id, peer)) && !inUse.test(id);
  }
}
