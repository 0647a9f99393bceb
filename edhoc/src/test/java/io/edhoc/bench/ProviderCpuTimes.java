package io.edhoc.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link ProviderBench}'s operations on both libraries, for a machine too busy for JMH's
 * wall-clock figures: the libraries alternate in short rounds and each operation's cost is the
 * median over rounds of the thread's own CPU time ({@code ThreadMXBean.getCurrentThreadCpuTime},
 * which does not count waiting for a core; GC and JIT threads are left out for both alike). Run
 * after test-compile with the test classpath: {@code java -cp <test classpath>
 * io.edhoc.bench.ProviderCpuTimes [rounds]}.
 */
public final class ProviderCpuTimes {
  private ProviderCpuTimes() {}

  private interface Op {
    Object run(ProviderBench b) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    String[] libs = {"bouncycastle", "conscrypt"};
    ProviderBench[] b = new ProviderBench[libs.length];
    for (int i = 0; i < libs.length; i++) {
      b[i] = new ProviderBench();
      b[i].lib = libs[i];
      b[i].setup();
    }
    List<String> names = new ArrayList<>();
    List<Op> ops = new ArrayList<>();
    names.add("P-256 keygen");
    ops.add(ProviderBench::p256Keygen);
    names.add("P-256 ECDH, new peer key (decompression incl.)");
    ops.add(ProviderBench::p256Ecdh);
    names.add("P-256 ECDH, known peer key");
    ops.add(ProviderBench::p256EcdhKnownPeer);
    names.add("X25519 keygen");
    ops.add(ProviderBench::x25519Keygen);
    names.add("X25519 DH");
    ops.add(ProviderBench::x25519Dh);
    names.add("ES256 sign");
    ops.add(ProviderBench::es256Sign);
    names.add("ES256 verify");
    ops.add(ProviderBench::es256Verify);
    names.add("Ed25519 sign");
    ops.add(ProviderBench::ed25519Sign);
    names.add("Ed25519 verify");
    ops.add(ProviderBench::ed25519Verify);
    ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
    Object sink = null;
    System.out.printf("%-48s %14s %14s %8s%n", "operation (µs of thread CPU, median)", libs[0], libs[1], "ratio");
    for (int o = 0; o < ops.size(); o++) {
      Op op = ops.get(o);
      for (int w = 0; w < 3000; w++) {
        for (ProviderBench x : b) {
          sink = op.run(x);
        }
      }
      int n = 100;
      double[][] t = new double[libs.length][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < libs.length; i++) {
          long c0 = tmx.getCurrentThreadCpuTime();
          for (int k = 0; k < n; k++) {
            sink = op.run(b[i]);
          }
          t[i][r] = (tmx.getCurrentThreadCpuTime() - c0) / 1e3 / n;
        }
      }
      double a = median(t[0]);
      double c = median(t[1]);
      System.out.printf("%-48s %14.1f %14.1f %7.1fx%n", names.get(o), a, c, a / c);
    }
    if (sink == null) {
      System.out.println();
    }
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }
}
