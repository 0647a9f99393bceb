package io.edhoc.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A served handshake runs about twenty HMACs per role; {@link Sha2Hash} allocates only their
 * results (the digests are the thread's own, reset after each call). Counted with the JVM's
 * per-thread allocation counter, not timed: a call that cloned or looked up its digests again
 * (about 450 bytes a clone, three or four per HMAC) exceeds the bound several times over.
 */
class Sha2HashAllocationTest {
  private static final int CALLS = 2_000;

  @ParameterizedTest
  @EnumSource(value = HashAlgorithm.class, names = {"SHA_256", "SHA_384"})
  void hashExtractAndExpandAllocateLittleMoreThanTheirResults(HashAlgorithm alg) {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeThat(mx.isThreadAllocatedMemorySupported()).isTrue();
    mx.setThreadAllocatedMemoryEnabled(true);
    EdhocHash h = DefaultCrypto.get().hash(alg);
    byte[] key = new byte[alg.length()];
    byte[] info = new byte[40];
    byte[] data = new byte[200];
    byte[][] sink = new byte[4][];
    for (int i = 0; i < 20_000; i++) { // let the JIT settle (and make the thread's digests)
      sink[0] = h.hash(data);
      sink[1] = h.extract(key, data);
      sink[2] = h.expand(key, info, alg.length());
      sink[3] = h.expand(key, info, 2 * alg.length() + 5);
    }
    long before = mx.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < CALLS; i++) {
      sink[0] = h.hash(data);
      sink[1] = h.extract(key, data);
      sink[2] = h.expand(key, info, alg.length());
      sink[3] = h.expand(key, info, 2 * alg.length() + 5);
    }
    long perRound = (mx.getCurrentThreadAllocatedBytes() - before) / CALLS;
    // the four results: 3 hash-length arrays and one of 2 * hash length + 5, with array headers
    long results = 3L * (16 + alg.length()) + 16 + 2L * alg.length() + 5 + 8;
    assertThat(perRound).as("bytes allocated per round of hash, extract and two expands").isLessThanOrEqualTo(results + 64);
    assertThat(sink[3]).hasSize(2 * alg.length() + 5);
  }

  /** The transcript hashes' form: parts hashed in turn, equal to the hash of their concatenation, nothing built. */
  @ParameterizedTest
  @EnumSource(value = HashAlgorithm.class, names = {"SHA_256", "SHA_384", "SHAKE256"})
  void aHashOfPartsIsTheHashOfTheirConcatenation(HashAlgorithm alg) {
    EdhocHash h = DefaultCrypto.get().hash(alg);
    byte[] a = {0x58, 0x20};
    byte[] b = new byte[32];
    byte[] c = new byte[150];
    for (int i = 0; i < c.length; i++) {
      c[i] = (byte) (i * 7);
      b[i % 32] ^= (byte) i;
    }
    assertThat(h.hash(a, b, c)).isEqualTo(h.hash(io.edhoc.cbor.CborWriter.sequence(a, b, c)));
    assertThat(h.hash(new byte[0][])).isEqualTo(h.hash(new byte[0]));
    // the interface's default, for an implementation that only hashes whole inputs
    EdhocHash whole = new EdhocHash() {
      @Override
      public HashAlgorithm algorithm() {
        return h.algorithm();
      }

      @Override
      public byte[] hash(byte[] data) {
        return h.hash(data);
      }

      @Override
      public byte[] extract(byte[] salt, byte[] ikm) {
        return h.extract(salt, ikm);
      }

      @Override
      public byte[] expand(byte[] prk, byte[] info, int length) {
        return h.expand(prk, info, length);
      }
    };
    assertThat(whole.hash(a, b, c)).isEqualTo(h.hash(a, b, c));
    if (alg == HashAlgorithm.SHAKE256) {
      return;
    }
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeThat(mx.isThreadAllocatedMemorySupported()).isTrue();
    mx.setThreadAllocatedMemoryEnabled(true);
    byte[][] sink = new byte[1][];
    for (int i = 0; i < 20_000; i++) {
      sink[0] = h.hash(a, b, c);
    }
    long before = mx.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < CALLS; i++) {
      sink[0] = h.hash(a, b, c);
    }
    long perCall = (mx.getCurrentThreadAllocatedBytes() - before) / CALLS;
    // the result and the varargs array at most: the 184-byte concatenation is never built
    assertThat(perCall).isLessThanOrEqualTo(16 + alg.length() + 32 + 16);
  }
}
