package io.edhoc.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Sha2Hash} keeps MessageDigests per thread and reuses them across calls. Several threads
 * hash, extract and expand different inputs through the same instance at once, each result
 * checked against a reference computed with a fresh JCA object: digests shared between threads, or
 * state left behind by one call (a digest not reset, a stale T(i-1)), mix inputs and fail this.
 * Keys run past the hash's block size, so the hashed-key path of RFC 2104 is among them.
 */
class Sha2HashConcurrencyTest {
  private static final int THREADS = 6;
  private static final int ROUNDS = 3_000;

  @ParameterizedTest
  @EnumSource(value = HashAlgorithm.class, names = {"SHA_256", "SHA_384"})
  void oneInstanceUsedFromManyThreadsAgreesWithFreshJcaObjects(HashAlgorithm alg) throws Exception {
    EdhocHash h = DefaultCrypto.get().hash(alg);
    assertThat(h).isInstanceOf(Sha2Hash.class);
    String digestName = alg == HashAlgorithm.SHA_256 ? "SHA-256" : "SHA-384";
    String macName = alg == HashAlgorithm.SHA_256 ? "HmacSHA256" : "HmacSHA384";
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int th = 0; th < THREADS; th++) {
        final long seed = 1000L * th + alg.ordinal();
        results.add(pool.submit(() -> {
          Random r = new Random(seed);
          MessageDigest refDigest = MessageDigest.getInstance(digestName);
          Mac refMac = Mac.getInstance(macName);
          start.await();
          int checked = 0;
          for (int i = 0; i < ROUNDS; i++) {
            byte[] data = bytes(r, r.nextInt(200));
            byte[] salt = bytes(r, r.nextInt(2 * 128 + 8)); // empty, short, block-sized and longer than SHA-384's 128-byte block
            byte[] info = bytes(r, r.nextInt(40));
            int length = 1 + r.nextInt(3 * alg.length());

            assertThat(h.hash(data)).isEqualTo(refDigest.digest(data));

            refMac.init(new SecretKeySpec(salt.length == 0 ? new byte[alg.length()] : salt, macName)); // RFC 5869: no salt = HashLen zeros
            byte[] prk = refMac.doFinal(data);
            assertThat(h.extract(salt, data)).isEqualTo(prk);

            // RFC 5869 HKDF-Expand, written out with a fresh Mac
            refMac.init(new SecretKeySpec(prk, macName));
            byte[] okm = new byte[length];
            byte[] t = new byte[0];
            for (int n = 1, off = 0; off < length; n++) {
              refMac.update(t);
              refMac.update(info);
              refMac.update((byte) n);
              t = refMac.doFinal();
              int c = Math.min(t.length, length - off);
              System.arraycopy(t, 0, okm, off, c);
              off += c;
            }
            assertThat(h.expand(prk, info, length)).isEqualTo(okm);
            checked++;
          }
          return checked;
        }));
      }
      start.countDown();
      for (Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(ROUNDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}
