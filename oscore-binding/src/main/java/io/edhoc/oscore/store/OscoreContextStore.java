package io.edhoc.oscore.store;

import io.edhoc.oscore.OscoreContext;
import java.security.SecureRandom;

/**
 * Server-side OSCORE contexts kept outside Californium's context DB, keyed by Recipient ID, so
 * that they survive a restart ({@link FileOscoreContextStore}) or the loss of a cluster node (the
 * service's Hazelcast store), and so that one process can establish them (EDHOC) while another uses
 * them. {@link io.edhoc.oscore.StoreBackedCtxDB} loads them into Californium on demand.
 *
 * <p>Every change goes through one primitive, {@link #compareAndSet}: an implementation only has
 * to read a record with a version token and replace it atomically if that token is still current.
 * The operations below are built on it, so no two callers can ever be handed overlapping Sender
 * Sequence Number ranges (RFC 8613 Appendix B.1.1):
 *
 * <ul>
 *   <li>{@link #create}: a new context (after EDHOC); its first range is [0, step);
 *   <li>{@link #acquire}: take over a stored context (after a restart, on another node): the range
 *       [bound, bound + step) above every number ever reserved, and this copy becomes the holder;
 *   <li>{@link #reserve}: the holder's next range, refused once the record was replaced, removed
 *       or taken over by another copy;
 *   <li>{@link #replace}: EDHOC_KeyUpdate, only if the caller knew the current generation;
 *   <li>{@link #remove}.
 * </ul>
 *
 * Listeners hear about records changed by others (where the implementation can observe them), so
 * that a copy that is no longer the holder stops being used.
 */
public interface OscoreContextStore {
  /** Default Sender Sequence Numbers reserved per store write (K of RFC 8613 B.1.1). */
  int DEFAULT_SSN_STEP = 256;

  /** A record and the token that identifies this version of it for {@link #compareAndSet}. */
  record Versioned(StoredContext record, Object token) {}

  /** Told when the record of a Recipient ID changed ({@code holder} = its new holder) or went away ({@code holder} = 0). */
  @FunctionalInterface
  interface Listener {
    void changed(byte[] recipientId, long holder);
  }

  /** The current record for a Recipient ID, or null. */
  Versioned read(byte[] recipientId);

  /**
   * Atomically: if the record of {@code recipientId} is still the version {@code expected} (null:
   * there is none), replace it by {@code update} (null: remove it). True if it was done.
   */
  boolean compareAndSet(byte[] recipientId, Object expected, StoredContext update);

  /** Contexts currently stored. */
  int size();

  /** Contexts dropped for the store's size bound. */
  long evictions();

  void addListener(Listener listener);

  /** True if a context for this Recipient ID is stored (for connection identifier allocation). */
  default boolean contains(byte[] recipientId) {
    return read(recipientId) != null;
  }

  /**
   * Stores a new context with {@code holder} as its holder and [0, ssnStep) reserved; null if a
   * context with that Recipient ID exists (the identifier is in use somewhere in the cluster).
   */
  default StoredContext create(OscoreContext context, long holder, int ssnStep) {
    checkStep(ssnStep);
    StoredContext r = new StoredContext(context, newGeneration(), ssnStep, holder);
    return compareAndSet(context.recipientId(), null, r) ? r : null;
  }

  /**
   * Takes over the stored context: raises its bound by {@code ssnStep} and makes {@code holder}
   * the holder. The caller may use [result.ssnBound() - ssnStep, result.ssnBound()). Null if none.
   */
  default StoredContext acquire(byte[] recipientId, long holder, int ssnStep) {
    checkStep(ssnStep);
    while (true) {
      Versioned v = read(recipientId);
      if (v == null) {
        return null;
      }
      StoredContext next = v.record().withBound(Math.addExact(v.record().ssnBound(), ssnStep), holder);
      if (compareAndSet(recipientId, v.token(), next)) {
        return next;
      }
    }
  }

  /**
   * The holder's next range: the new bound (the caller may use [bound - ssnStep, bound)), or -1
   * when the record is gone, has another generation, or another copy took it over.
   */
  default long reserve(byte[] recipientId, long generation, long holder, int ssnStep) {
    checkStep(ssnStep);
    while (true) {
      Versioned v = read(recipientId);
      if (v == null || v.record().generation() != generation || v.record().holder() != holder) {
        return -1;
      }
      long bound = Math.addExact(v.record().ssnBound(), ssnStep);
      if (compareAndSet(recipientId, v.token(), v.record().withBound(bound, holder))) {
        return bound;
      }
    }
  }

  /**
   * EDHOC_KeyUpdate: replaces the context of generation {@code generation} by {@code updated} (same
   * Recipient ID) with a new generation, [0, ssnStep) reserved and {@code holder} as holder. Null if
   * the stored generation is another one (someone else updated or removed it first).
   */
  default StoredContext replace(byte[] recipientId, long generation, OscoreContext updated, long holder, int ssnStep) {
    checkStep(ssnStep);
    if (!java.util.Arrays.equals(recipientId, updated.recipientId())) {
      throw new IllegalArgumentException("a key update keeps the Recipient ID");
    }
    while (true) {
      Versioned v = read(recipientId);
      if (v == null || v.record().generation() != generation) {
        return null;
      }
      StoredContext next = new StoredContext(updated, newGeneration(), ssnStep, holder);
      if (compareAndSet(recipientId, v.token(), next)) {
        return next;
      }
    }
  }

  /** Removes the context if it has this generation (0: any). True if removed. */
  default boolean remove(byte[] recipientId, long generation) {
    while (true) {
      Versioned v = read(recipientId);
      if (v == null || (generation != 0 && v.record().generation() != generation)) {
        return false;
      }
      if (compareAndSet(recipientId, v.token(), null)) {
        return true;
      }
    }
  }

  /** A fresh random generation or holder identifier (never 0). */
  static long newGeneration() {
    long g;
    do {
      g = Holder.RANDOM.nextLong() & Long.MAX_VALUE;
    } while (g == 0);
    return g;
  }

  /**
   * A Recipient ID of up to 7 bytes (every OSCORE ID: nonce length - 6, RFC 8613 section 3.3) as
   * one long: a length marker, then the bytes; distinct IDs give distinct values, never 0. Longer
   * IDs (no context can have one) give 0. For maps keyed by Recipient ID without an array per key.
   */
  static long packedId(byte[] recipientId) {
    if (recipientId.length > 7) {
      return 0;
    }
    long k = recipientId.length + 1;
    for (byte b : recipientId) {
      k = k << 8 | (b & 0xff);
    }
    return k;
  }

  private static void checkStep(int ssnStep) {
    if (ssnStep < 1) {
      throw new IllegalArgumentException("the SSN reservation step must be positive");
    }
  }

  /** Lazily created randomness for identifiers. */
  final class Holder {
    static final SecureRandom RANDOM = new SecureRandom();

    private Holder() {}
  }
}
