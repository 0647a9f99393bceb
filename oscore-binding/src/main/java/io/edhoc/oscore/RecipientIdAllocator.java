package io.edhoc.oscore;

import io.edhoc.CipherSuite;
import io.edhoc.ConnectionIdAllocator;
import io.edhoc.crypto.AeadAlgorithm;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
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
 * <p><b>O(1) expected at any occupancy.</b> Identifiers are drawn at random from a space that grows
 * with the number of live identifiers ({@code liveCount}): the 48 one-byte CBOR ints (the
 * shortest on the wire), then all 256 one-byte values, then 2, 3, ... bytes. The allocator uses
 * the smallest space holding at least {@value #SPARSENESS} times (live + 1) values, so at most a
 * quarter of it can be taken whatever the live identifiers are, and a draw succeeds with
 * probability at least 3/4: about 1.33 {@code inUse} checks per allocation. If {@value
 * #TRIES_PER_SPACE} draws in a row fail (the count was low, or bad luck), it moves to the next
 * longer space, so even a wrong count costs a bounded number of checks. Only when every space up
 * to the length limit has failed does allocation fail ({@link IllegalStateException}).
 * {@link #candidatesTried()} counts the checks, for tests that assert the cost by counting work.
 *
 * <p>{@code inUse} is the only guard against clashes: every returned identifier has been checked
 * by it. An {@code inUse} that also claims the identifier atomically (as {@link ResponderEngine}'s
 * does) makes concurrent allocations safe.
 */
public final class RecipientIdAllocator implements ConnectionIdAllocator {
  static final int SPARSENESS = 4;
  static final int TRIES_PER_SPACE = 8;
  private static final int SHORT_INTS = 48;

  private final SecureRandom random;
  private final int minLength;
  private final int maxLength;
  private final Predicate<byte[]> inUse;
  private final IntSupplier liveCount;
  private final LongAdder tried = new LongAdder();

  /** Without a count of live identifiers (starts at the shortest space; still bounded per call). */
  public RecipientIdAllocator(SecureRandom random, int maxLength, Predicate<byte[]> inUse) {
    this(random, 1, maxLength, inUse, () -> 0);
  }

  /**
   * @param minLength shortest identifier handed out (a cluster uses longer random ones so that
   *     nodes rarely draw the same)
   * @param liveCount about how many identifiers are live now (pending handshakes plus installed
   *     contexts); picks the space to draw from
   */
  public RecipientIdAllocator(SecureRandom random, int minLength, int maxLength, Predicate<byte[]> inUse, IntSupplier liveCount) {
    if (maxLength < 1 || minLength < 1 || minLength > maxLength) {
      throw new IllegalArgumentException("need 1 <= minLength <= maxLength");
    }
    this.random = Objects.requireNonNull(random);
    this.minLength = minLength;
    this.maxLength = maxLength;
    this.inUse = Objects.requireNonNull(inUse);
    this.liveCount = Objects.requireNonNull(liveCount);
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

  /** {@code inUse} checks made since creation (for tests and diagnostics). */
  public long candidatesTried() {
    return tried.sum();
  }

  @Override
  public byte[] allocate(byte[] peerConnectionId) {
    long needed = SPARSENESS * ((long) Math.max(0, liveCount.getAsInt()) + 1);
    // spaces: -1 = the 48 one-byte CBOR ints, then lengths 1..maxLength
    int space = minLength == 1 ? -1 : minLength;
    while (space < maxLength && capacity(space) < needed) {
      space = space == -1 ? 1 : space + 1;
    }
    for (; space <= maxLength; space = space == -1 ? 1 : space + 1) {
      for (int i = 0; i < TRIES_PER_SPACE; i++) {
        byte[] id = draw(space);
        tried.increment();
        if ((peerConnectionId == null || !Arrays.equals(id, peerConnectionId)) && !inUse.test(id)) {
          return id;
        }
      }
    }
    throw new IllegalStateException("no free OSCORE Recipient ID of at most " + maxLength + " bytes");
  }

  private static long capacity(int space) {
    if (space == -1) {
      return SHORT_INTS;
    }
    return space >= 7 ? Long.MAX_VALUE : 1L << (8 * space);
  }

  private byte[] draw(int space) {
    if (space == -1) {
      int v = random.nextInt(SHORT_INTS);
      return new byte[] {(byte) (v < 24 ? v : 0x20 + (v - 24))};
    }
    byte[] id = new byte[space];
    random.nextBytes(id);
    return id;
  }
}
