package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine workers run below the transports' I/O threads at the OS level when the JVM maps
 * priorities (Linux: {@code -XX:ThreadPriorityPolicy=1}), so that the threads answering refusals
 * (5.03, 503) and Echo challenges get a core before the crypto: the nice value is read from
 * {@code /proc} in a JVM started with and without those options.
 */
class EngineWorkerPriorityTest {

  /** Started in a JVM of its own: prints "worker NICE process NICE" for an engine queue's worker and its process. */
  public static void main(String[] args) throws Exception {
    try (EngineQueue q = new EngineQueue("probe-engine", 1, 1)) {
      java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
      q.offer(true, ran::countDown);
      ran.await(10, TimeUnit.SECONDS);
      System.out.println("worker " + niceOf("probe-engine-0") + " process " + niceOf(Path.of("/proc/self/stat")));
    }
  }

  /** Field 19 of /proc/self/task/TID/stat (after the parenthesised name) for the thread named {@code comm}. */
  static int niceOf(String comm) throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        if (Files.readString(t.resolve("comm")).trim().equals(comm)) {
          return niceOf(t.resolve("stat"));
        }
      }
    }
    throw new IllegalStateException("no thread " + comm);
  }

  static int niceOf(Path stat) throws IOException {
    String s = Files.readString(stat);
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(f[16]); // fields counted from "state" (the 3rd); nice is the 19th
  }

  private static String run(String... jvmOptions) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(jvmOptions));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), EngineWorkerPriorityTest.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().filter(l -> l.startsWith("worker ")).findFirst().orElseThrow(() -> new AssertionError(out));
  }

  @Test
  @Timeout(90)
  void workersRunAtNiceTenWithThePriorityOptionsAndUnchangedWithout() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux /proc");
    // a child starts with its parent's nice; the option sets nice 10 (absolute), which no process
    // may refuse to itself unless it already runs above it
    int base = niceOf(Path.of("/proc/self/stat"));
    assertThat(run("-XX:ThreadPriorityPolicy=1", "-XX:JavaPriority1_To_OSPriority=10"))
        .isEqualTo("worker " + Math.max(base, 10) + " process " + base);
    assertThat(run()).isEqualTo("worker " + base + " process " + base);
  }
}
