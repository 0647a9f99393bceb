package io.edhoc.bench;

import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A noise-tolerant companion to {@link HandshakeBench} for shared machines: for each method and
 * suite, the handshake and its public-key floor on each crypto library run in alternating short
 * rounds in one JVM (conscrypt handshake, conscrypt floor, bouncycastle handshake, bouncycastle
 * floor, repeat), so all four see the same load; the medians of the per-round ratios are
 * reported: each library's handshake / floor, and the speed-up bouncycastle / conscrypt. Each
 * figure is given twice: by wall-clock time, and by the thread's own CPU time
 * ({@code ThreadMXBean.getCurrentThreadCpuTime}), which does not count the time the thread waits
 * for a core on an oversubscribed machine (it leaves out GC and JIT threads, for both libraries
 * alike). Run after
 * test-compile with the test classpath: {@code java -cp <test classpath> io.edhoc.bench.HandshakeRatio
 * [rounds] [libraries, comma-separated] [method/suite pairs, comma-separated, e.g. 0/0]}.
 */
public final class HandshakeRatio {
  private HandshakeRatio() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    List<String> libs = args.length > 1 ? List.of(args[1].split(",")) : List.of("conscrypt", "bouncycastle");
    List<String> cases = args.length > 2 ? List.of(args[2].split(",")) : List.of("0/0", "0/2", "3/0", "3/2");
    Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    StringBuilder head = new StringBuilder("method suite");
    for (String l : libs) {
      head.append(String.format("  %s hs/floor ms (ratio)", l));
    }
    if (libs.size() == 2) {
      head.append(String.format("  speed-up %s/%s", libs.get(1), libs.get(0)));
    }
    System.out.println(head + "    [wall clock]  |  same by thread CPU time");
    for (String c : cases) {
      {
        int method = Integer.parseInt(c.substring(0, c.indexOf('/')));
        int suite = Integer.parseInt(c.substring(c.indexOf('/') + 1));
        HandshakeBench[] b = new HandshakeBench[libs.size()];
        for (int i = 0; i < b.length; i++) {
          b[i] = new HandshakeBench();
          b[i].method = method;
          b[i].suite = suite;
          b[i].crypto = libs.get(i);
          b[i].setup();
        }
        long warmEnd = System.nanoTime() + 4_000_000_000L * b.length;
        while (System.nanoTime() < warmEnd) {
          for (HandshakeBench x : b) {
            x.handshake(bh);
            x.publicKeyFloor(bh);
          }
        }
        int n = 50;
        double[][] hs = new double[b.length][rounds];
        double[][] fl = new double[b.length][rounds];
        double[][] ratio = new double[b.length][rounds];
        double[] speedup = new double[rounds];
        double[][] hsCpu = new double[b.length][rounds];
        double[][] flCpu = new double[b.length][rounds];
        double[][] ratioCpu = new double[b.length][rounds];
        double[] speedupCpu = new double[rounds];
        java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = 0; r < rounds; r++) {
          for (int i = 0; i < b.length; i++) {
            long c0 = tmx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int k = 0; k < n; k++) {
              b[i].handshake(bh);
            }
            long c1 = tmx.getCurrentThreadCpuTime();
            long t1 = System.nanoTime();
            for (int k = 0; k < n; k++) {
              b[i].publicKeyFloor(bh);
            }
            long c2 = tmx.getCurrentThreadCpuTime();
            long t2 = System.nanoTime();
            hs[i][r] = (t1 - t0) / 1e6 / n;
            fl[i][r] = (t2 - t1) / 1e6 / n;
            ratio[i][r] = hs[i][r] / fl[i][r];
            hsCpu[i][r] = (c1 - c0) / 1e6 / n;
            flCpu[i][r] = (c2 - c1) / 1e6 / n;
            ratioCpu[i][r] = hsCpu[i][r] / flCpu[i][r];
          }
          if (b.length == 2) {
            speedup[r] = hs[1][r] / hs[0][r];
            speedupCpu[r] = hsCpu[1][r] / hsCpu[0][r];
          }
        }
        StringBuilder line = new StringBuilder(String.format("%6d %5d", method, suite));
        for (int i = 0; i < b.length; i++) {
          line.append(String.format("  %9.3f / %6.3f (%4.2f)", median(hs[i]), median(fl[i]), median(ratio[i])));
        }
        if (b.length == 2) {
          line.append(String.format("  %6.2fx", median(speedup)));
        }
        line.append("  |");
        for (int i = 0; i < b.length; i++) {
          line.append(String.format("  %9.3f / %6.3f (%4.2f)", median(hsCpu[i]), median(flCpu[i]), median(ratioCpu[i])));
        }
        if (b.length == 2) {
          line.append(String.format("  %6.2fx", median(speedupCpu)));
        }
        System.out.println(line);
      }
    }
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }
}
