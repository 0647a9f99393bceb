package io.edhoc.service;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service in its own JVM ({@code Main serve --config FILE}, the test classpath), so a test can
 * {@code kill -9} it. Waits until it prints that it listens and reads its CoAP and admin ports.
 */
final class ServiceProcess implements AutoCloseable {
  private static final Pattern COAP = Pattern.compile("coap://127\\.0\\.0\\.1:(\\d+)/");
  private static final Pattern ADMIN = Pattern.compile("admin http://127\\.0\\.0\\.1:(\\d+)/");
  private final Process process;
  private final Path log;
  final int coapPort;
  final int adminPort;

  private ServiceProcess(Process process, Path log, int coapPort, int adminPort) {
    this.process = process;
    this.log = log;
    this.coapPort = coapPort;
    this.adminPort = adminPort;
  }

  static ServiceProcess start(Path config, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=slf4j",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--config", config.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      String out = Files.exists(log) ? Files.readString(log) : "";
      int i = out.indexOf("EDHOC service listening: ");
      if (i >= 0 && out.indexOf('\n', i) > 0) {
        String line = out.substring(i, out.indexOf('\n', i));
        Matcher c = COAP.matcher(line);
        Matcher a = ADMIN.matcher(line);
        if (!c.find() || !a.find()) {
          p.destroyForcibly();
          throw new AssertionError("cannot read the ports from: " + line);
        }
        return new ServiceProcess(p, log, Integer.parseInt(c.group(1)), Integer.parseInt(a.group(1)));
      }
      if (!p.isAlive()) {
        throw new AssertionError("service exited with " + p.exitValue() + ":\n" + out);
      }
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new AssertionError("service did not start within 90 s:\n" + Files.readString(log));
  }

  /** SIGKILL: no shutdown hook, no flush, no graceful anything. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  long pid() {
    return process.pid();
  }

  String metrics() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  String output() throws Exception {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
