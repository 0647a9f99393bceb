package io.edhoc.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edhoc.cbor.Hex;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
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
 * One {@code interop/lakers_peer.py} process (one EDHOC session of lakers-python in one role),
 * spoken to over its JSON-lines protocol. Every wait is bounded; {@link #close()} kills the
 * process. Lines are kept for failure messages; they carry only test-session values.
 */
final class LakersPeer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final long LINE_TIMEOUT_S = 20;
  private static final JsonNode EOF = JSON.createObjectNode().put("eof", true);

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();
  private final List<JsonNode> info = new ArrayList<>();
  private final List<String> transcript = new ArrayList<>();

  private LakersPeer(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread out = new Thread(() -> pump(process.getInputStream(), true), "lakers-stdout");
    Thread err = new Thread(() -> pump(process.getErrorStream(), false), "lakers-stderr");
    out.setDaemon(true);
    err.setDaemon(true);
    out.start();
    err.start();
  }

  /** The repository root: the nearest ancestor of the working directory holding interop/. */
  static Path repoRoot() {
    Path p = Paths.get("").toAbsolutePath();
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("interop/lakers_peer.py"))) {
        return q;
      }
    }
    throw new IllegalStateException("interop/lakers_peer.py not found above " + p);
  }

  static Path python() {
    return repoRoot().resolve("interop/.venv/bin/python");
  }

  /** Starts the driver and sends the configuration line. */
  static LakersPeer start(ObjectNode config) throws IOException {
    Path root = repoRoot();
    ProcessBuilder pb = new ProcessBuilder(python().toString(), root.resolve("interop/lakers_peer.py").toString());
    pb.directory(root.toFile());
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    LakersPeer peer = new LakersPeer(pb.start());
    peer.writeLine(config);
    return peer;
  }

  private void pump(InputStream in, boolean json) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (json) {
          try {
            lines.add(JSON.readTree(line));
          } catch (IOException e) {
            lines.add(JSON.createObjectNode().put("unparsable", line));
          }
        } else {
          stderr.append(line).append('\n');
        }
      }
    } catch (IOException e) {
      // process ended
    } finally {
      if (json) {
        lines.add(EOF);
      }
    }
  }

  private void writeLine(JsonNode node) throws IOException {
    String s = JSON.writeValueAsString(node);
    transcript.add("> " + abbreviate(s));
    stdin.write(s);
    stdin.write('\n');
    stdin.flush();
  }

  /** Delivers a message the driver waits for ({@code name}: message_1 .. message_4). */
  void deliver(String name, byte[] message) throws IOException {
    writeLine(JSON.createObjectNode().put("recv", name).put("hex", Hex.encode(message)));
  }

  /** The next line that is not an {@code info} line (info lines are kept). */
  JsonNode next() throws InterruptedException {
    while (true) {
      JsonNode n = lines.poll(LINE_TIMEOUT_S, TimeUnit.SECONDS);
      if (n == null) {
        throw new AssertionError("lakers_peer.py said nothing for " + LINE_TIMEOUT_S + " s\n" + diagnostics());
      }
      transcript.add("< " + abbreviate(n.toString()));
      if (n.has("info")) {
        info.add(n);
        continue;
      }
      return n;
    }
  }

  /** Expects {@code {"send": name, "hex": ...}} next and returns the bytes. */
  byte[] expectSend(String name) throws InterruptedException {
    JsonNode n = next();
    if (!name.equals(n.path("send").asText(null))) {
      throw new AssertionError("expected lakers to send " + name + ", got " + n + "\n" + diagnostics());
    }
    return Hex.decode(n.get("hex").asText());
  }

  /** Expects the final {@code {"result": "ok"}} line. */
  JsonNode expectResult() throws InterruptedException {
    JsonNode n = next();
    if (!"ok".equals(n.path("result").asText(null))) {
      throw new AssertionError("expected lakers' result line, got " + n + "\n" + diagnostics());
    }
    return n;
  }

  List<JsonNode> info() {
    return info;
  }

  /** Waits (bounded) for the exit status. */
  int exitCode() throws InterruptedException {
    if (!process.waitFor(LINE_TIMEOUT_S, TimeUnit.SECONDS)) {
      throw new AssertionError("lakers_peer.py did not exit\n" + diagnostics());
    }
    return process.exitValue();
  }

  String diagnostics() {
    return "--- lakers_peer.py transcript\n" + String.join("\n", transcript) + "\n--- stderr\n" + stderr;
  }

  private static String abbreviate(String s) {
    return s.length() > 400 ? s.substring(0, 400) + "..." : s;
  }

  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
