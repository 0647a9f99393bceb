package io.edhoc.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded Python peer process from {@code interop/} run with the interop venv: stdout lines are
 * queued, stderr goes to a log file under target/interop. {@link #close()} kills it.
 */
final class PythonProcess implements AutoCloseable {
  private static final String EOF = "\u0000EOF";
  private final Process process;
  private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();
  private final Path log;

  private PythonProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          stdout.add(line);
        }
      } catch (IOException e) {
        // ended
      } finally {
        stdout.add(EOF);
      }
    }, "python-stdout");
    t.setDaemon(true);
    t.start();
  }

  static Path repoRoot() {
    Path p = Paths.get("").toAbsolutePath();
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("interop/aiocoap_server.py"))) {
        return q;
      }
    }
    throw new IllegalStateException("interop/aiocoap_server.py not found above " + p);
  }

  static Path python() {
    return repoRoot().resolve("interop/.venv/bin/python");
  }

  /** Starts {@code interop/<script> args...}; stderr is appended to target/interop/<logName>.log. */
  static PythonProcess start(String script, String logName, List<String> args) throws IOException {
    Path root = repoRoot();
    List<String> cmd = new ArrayList<>();
    cmd.add(python().toString());
    cmd.add(root.resolve("interop").resolve(script).toString());
    cmd.addAll(args);
    Path log = Paths.get("target", "interop", logName + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new PythonProcess(pb.start(), log);
  }

  /** The next stdout line, or null at end of output; fails after {@code seconds}. */
  String nextLine(long seconds) throws InterruptedException {
    String s = stdout.poll(seconds, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("no output for " + seconds + " s\n" + diagnostics());
    }
    if (s.equals(EOF)) {
      stdout.add(EOF);
      return null;
    }
    seen.add(s);
    return s;
  }

  /** All remaining stdout after the process exits (bounded). */
  List<String> remainingLines() throws InterruptedException {
    List<String> out = new ArrayList<>();
    String s;
    while ((s = nextLine(30)) != null) {
      out.add(s);
    }
    return out;
  }

  int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("process did not end within " + seconds + " s\n" + diagnostics());
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String diagnostics() {
    String err;
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      err = String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      err = "(no log)";
    }
    return "--- stdout\n" + String.join("\n", seen) + "\n--- stderr (" + log + ", last lines)\n" + err;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A UDP port on 127.0.0.1 in [from, to] that a plain bind accepts right now. */
  static int freeUdpPort(int from, int to) {
    for (int p = from; p <= to; p++) {
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p))) {
        return p;
      } catch (IOException e) {
        // in use
      }
    }
    throw new IllegalStateException("no free UDP port in " + from + ".." + to + " on 127.0.0.1");
  }
}
