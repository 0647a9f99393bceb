package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.TestHooks;
import io.edhoc.service.config.ServiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 17: `edhoc vectors` needs test hooks (fixed ephemeral keys); a serving JVM must
 * never have them. vectors runs in a child JVM, serve refuses to start when they are on, and once a
 * service has started in a JVM the hooks refuse to be created there, whatever the property says.
 */
class VectorsIsolationTest {
  @Test
  @Timeout(180)
  void vectorsRunsInAChildJvmAndThisOneNeverGetsTheHooks() {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.commandLine().execute("vectors", "--quick", "--quiet");
    } finally {
      System.setOut(saved);
    }
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(code).as(String.join("\n", lines)).isZero();
    assertThat(lines.get(lines.size() - 1)).matches("[1-9][0-9]* passed, 0 failed");
    assertThat(System.getProperty(TestHooks.PROPERTY)).isNull();
    assertThat(TestHooks.enabled()).isFalse();
  }

  @Test
  void serveRefusesWithHooksOnAndAStartedServiceDisablesThemForGood(@TempDir Path dir) throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.coap.enabled = false;
    c.admin.enabled = false;
    System.setProperty(TestHooks.PROPERTY, "enabled");
    try {
      assertThatThrownBy(() -> EdhocService.start(c, null)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("test hooks are enabled in this JVM").hasMessageContaining("refusing to serve");
    } finally {
      System.clearProperty(TestHooks.PROPERTY);
    }
    try (EdhocService svc = EdhocService.start(c, null)) {
      assertThat(svc.httpPort()).isPositive();
    }
    // later code in the same JVM switching the property on gets nothing
    System.setProperty(TestHooks.PROPERTY, "enabled");
    try {
      assertThat(TestHooks.enabled()).isFalse();
      assertThatThrownBy(TestHooks::create).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("TestHooks are disabled in this JVM: an EDHOC service was started in it");
      assertThatThrownBy(() -> io.edhoc.vectors.Conformance.runAll(null)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("never inside a serving JVM");
    } finally {
      System.clearProperty(TestHooks.PROPERTY);
    }
  }
}
