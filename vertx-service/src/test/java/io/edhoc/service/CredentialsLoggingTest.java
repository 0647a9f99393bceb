package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.edhoc.credentials.CredentialsConfig;
import io.edhoc.credentials.KeygenCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The credentials module logs through SLF4J, i.e. into the service's Logback set-up, not java.util.logging. */
class CredentialsLoggingTest {
  @Test
  void looseKeyFileWarningReachesLogback(@TempDir Path dir) throws Exception {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    assertThat(KeygenCommand.execute(new String[] {"ccs", "--curve", "p-256", "--kid", "01", "--name", "me", "--out", dir.toString()}, quiet, quiet))
        .isZero();
    Files.setPosixFilePermissions(dir.resolve("me.key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
    Path cfg = dir.resolve("credentials.yaml");
    Files.writeString(cfg, "own:\n  - {ccs: me.ccs, key: me.key.pem}\n");

    Logger logger = (Logger) LoggerFactory.getLogger("io.edhoc.credentials");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      CredentialsConfig.load(cfg);
    } finally {
      logger.detachAppender(appender);
    }
    assertThat(appender.list).anySatisfy(e -> {
      assertThat(e.getLevel().toString()).isEqualTo("WARN");
      assertThat(e.getFormattedMessage()).contains("me.key.pem", "accessible by group or others");
    });
  }
}
