package io.edhoc.bench;

import java.util.Arrays;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A noise-tolerant companion to {@link HandshakeBench} for shared machines: handshake and floor
 * run in alternating short rounds in one JVM, so both see the same load, and the median of the
 * per-round ratios is reported. Run after test-compile with the test classpath:
 * {@code java -cp <test classpath> io.edhoc.bench.HandshakeRatio [rounds]}.
 */
public final class HandshakeRatio {
  private HandshakeRatio() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    System.out.println("method suite  handshake_ms(median)  floor_ms(median)  ratio(median of rounds)");
    for (int method : new int[] {0, 3}) {
      for (int suite : new int[] {0, 2}) {
        HandshakeBench b = new HandshakeBench();
        b.method = method;
        b.suite = suite;
        b.setup();
        long warmEnd = System.nanoTime() + 4_000_000_000L;
        while (System.nanoTime() < warmEnd) {
          b.handshake(bh);
          b.publicKeyFloor(bh);
        }
        int n = 50;
        double[] hs = new double[rounds];
        double[] fl = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < n; i++) {
            b.handshake(bh);
          }
          long t1 = System.nanoTime();
          for (int i = 0; i < n; i++) {
            b.publicKeyFloor(bh);
          }
          long t2 = System.nanoTime();
          hs[r] = (t1 - t0) / 1e6 / n;
          fl[r] = (t2 - t1) / 1e6 / n;
          ratio[r] = hs[r] / fl[r];
        }
        System.out.printf("%6d %5d  %20.3f  %16.3f  %8.2f%n", method, suite, median(hs), median(fl), median(ratio));
      }
    }
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }
}
