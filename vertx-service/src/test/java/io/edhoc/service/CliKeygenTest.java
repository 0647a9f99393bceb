package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.credentials.CcsCredential;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `edhoc keygen` through picocli, as a user runs it (its arguments pass through to the credentials module). */
class CliKeygenTest {
  private int run(String... args) {
    return Main.commandLine().execute(args);
  }

  @Test
  void helpPrintsTheUsageAndSucceeds() {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(run("keygen", "--help")).isZero();
    } finally {
      System.setOut(saved);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("keygen ccs", "keygen cert", "keygen psk");
  }

  @Test
  void ccsIsWrittenWithAnOwnerOnlyPrivateKey(@TempDir Path dir) throws Exception {
    assertThat(run("keygen", "ccs", "--curve", "p-256", "--sub", "dev", "--kid", "0a", "--name", "dev", "--out", dir.toString())).isZero();
    CcsCredential ccs = CcsCredential.parse(Files.readAllBytes(dir.resolve("dev.ccs")));
    assertThat(ccs.subject()).isEqualTo("dev");
    assertThat(ccs.kid()).containsExactly(0x0a);
    assertThat(Files.getPosixFilePermissions(dir.resolve("dev.key.pem")))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  }

  @Test
  void badArgumentsAreAUsageError(@TempDir Path dir) {
    assertThat(run("keygen", "ccs", "--curve", "p-521", "--name", "x", "--out", dir.toString())).isEqualTo(2);
  }
}
