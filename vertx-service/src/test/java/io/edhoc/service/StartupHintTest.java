package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.service.config.ServiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connect commands `serve` prints work from any directory: absolute jar and credentials paths. */
class StartupHintTest {
  @Test
  void printedConnectCommandsRunFromAnotherDirectory(@TempDir Path dir) throws Exception {
    ServiceConfig c = new ServiceConfig();
    c.http.port = 0;
    c.coap.port = 0;
    c.admin.enabled = false;
    c.limits.ratePerSourcePerSecond = 0;
    c.credentials.devDirectory = dir.resolve(".edhoc-dev").toString();
    try (EdhocService svc = EdhocService.start(c, null)) {
      List<String> hints = ServeCommand.connectHints(c, svc.coapPort(), svc.httpPort(), "java -jar /opt/edhoc/edhoc.jar");
      assertThat(hints).hasSize(2);
      String clientDir = dir.resolve(".edhoc-dev/client").toString();
      assertThat(hints).allSatisfy(h -> assertThat(h).startsWith("java -jar /opt/edhoc/edhoc.jar connect ").endsWith("--credentials " + clientDir));
      assertThat(hints.get(0)).contains("coap://127.0.0.1:" + svc.coapPort() + "/.well-known/edhoc --get /hello");
      // run the printed HTTP command's arguments through the real CLI; this JVM's working
      // directory is vertx-service/, where no .edhoc-dev exists
      assertThat(Path.of(".edhoc-dev/client")).doesNotExist();
      String[] args = hints.get(1).substring("java -jar /opt/edhoc/edhoc.jar ".length()).split(" ");
      PrintStream saved = System.out;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      int code;
      try {
        code = Main.commandLine().execute(args);
      } finally {
        System.setOut(saved);
      }
      assertThat(code).as(Arrays.toString(args) + "\n" + out).isZero();
    }
  }

  @Test
  void wildcardListenersAreSuggestedAsLoopback() {
    ServiceConfig c = new ServiceConfig();
    c.coap.host = "0.0.0.0";
    c.http.host = "::";
    c.credentials.config = "/etc/edhoc/credentials.yaml";
    List<String> hints = ServeCommand.connectHints(c, 5683, 8080, "java -jar edhoc.jar");
    assertThat(hints.get(0)).contains("coap://127.0.0.1/.well-known/edhoc").endsWith("--credentials CLIENT-CREDENTIALS");
    assertThat(hints.get(1)).contains("http://[::1]:8080/.well-known/edhoc");
  }

  @Test
  void jarCommandNamesTheJarByItsAbsolutePath(@TempDir Path dir) throws Exception {
    Path jar = dir.resolve("my dir").resolve("edhoc.jar");
    Files.createDirectories(jar.getParent());
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    String entry = RunScriptTest.Probe.class.getName().replace('.', '/') + ".class";
    try (OutputStream fo = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(fo, m);
        InputStream in = RunScriptTest.Probe.class.getClassLoader().getResourceAsStream(entry)) {
      j.putNextEntry(new JarEntry(entry));
      in.transferTo(j);
    }
    try (URLClassLoader l = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Class<?> fromJar = l.loadClass(RunScriptTest.Probe.class.getName());
      assertThat(ServeCommand.jarCommand(fromJar)).isEqualTo("java -jar '" + jar.toAbsolutePath() + "'");
    }
    assertThat(ServeCommand.jarCommand(StartupHintTest.class)).isEqualTo("java -jar edhoc.jar"); // classes directory: generic form
  }
}
