package io.edhoc.oscore.bench;

import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import io.edhoc.oscore.OscoreContext;
import io.edhoc.oscore.store.*;
import java.nio.file.*;

/** Cost of one SSN reservation and one load (acquire) in the memory and file stores (not a test: run with exec:java, docs/oscore.md). */
public final class StoreCost {
  public static void main(String[] a) throws Exception {
    Path dir = Files.createTempDirectory("i12m");
    byte[] key = new byte[32];
    OscoreContext ctx = OscoreContext.derive(new byte[16], new byte[8], new byte[] {1}, new byte[] {2}, null,
        AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    for (int round = 0; round < 3; round++) {
      for (String kind : new String[] {"memory", "file"}) {
        OscoreContextStore s = kind.equals("memory") ? new InMemoryOscoreContextStore(1000)
            : FileOscoreContextStore.open(dir.resolve("r" + round), key, 1000);
        StoredContext r = s.create(ctx, 1, 256);
        int n = kind.equals("memory") ? 20000 : 300;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          s.reserve(new byte[] {2}, r.generation(), 1, 256);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          s.acquire(new byte[] {2}, 1, 256);
        }
        long t2 = System.nanoTime();
        System.out.printf("round %d %-6s reserve %8.1f us/op  acquire %8.1f us/op%n", round, kind, (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n);
        if (s instanceof FileOscoreContextStore f) f.close();
      }
    }
    // creations of distinct contexts from 4 threads (completing handshakes): writes of different contexts overlap
    for (int round = 0; round < 3; round++) {
      FileOscoreContextStore fs = FileOscoreContextStore.open(dir.resolve("par" + round), key, 100_000);
      int threads = 4, per = 40;
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      long t0 = System.nanoTime();
      java.util.List<java.util.concurrent.Future<?>> f = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * per;
        f.add(pool.submit(() -> {
          for (int i = 0; i < per; i++) {
            int id = base + i;
            fs.create(OscoreContext.derive(new byte[16], new byte[8], new byte[] {1}, new byte[] {(byte) (id >> 8), (byte) id}, null,
                AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256), 1, 256);
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> x : f) x.get();
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("round %d file   %d creations from %d threads: %.0f contexts/s%n", round, threads * per, threads, threads * per / s);
      pool.shutdown();
      fs.close();
    }
  }
}
