package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.Method;
import io.edhoc.service.config.ServiceConfig;
import io.edhoc.service.http.HttpTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs src/test/scripts/http-curl.sh (curl) against the real service. curl is required: no skipping. */
class CurlScriptTest {
  @TempDir Path dir;

  @Test
  @Timeout(90)
  void curlScriptPasses() throws Exception {
    Process which = new ProcessBuilder("sh", "-c", "command -v curl").redirectErrorStream(true).start();
    assertThat(which.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(which.exitValue()).as("curl must be installed to run the HTTP script test").isZero();

    ServiceConfig c = TestSupport.config(dir);
    c.coap.enabled = false;
    c.limits.ratePerSourcePerSecond = 0;
    try (EdhocService svc = EdhocService.start(c, null)) {
      byte[] m1 = Edhoc.initiator(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT)).writeMessage1().message1();
      Path m1File = dir.resolve("m1.bin");
      Files.write(m1File, ServiceTest.withTrue(m1));
      Path script = Path.of("src/test/scripts/http-curl.sh").toAbsolutePath();
      Process p = new ProcessBuilder("bash", script.toString(), "http://127.0.0.1:" + svc.httpPort() + HttpTransport.PATH, m1File.toString())
          .redirectErrorStream(true).start();
      boolean done = p.waitFor(60, TimeUnit.SECONDS);
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      System.out.println(out);
      assertThat(done).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("all curl checks passed");
      // only the valid message_1 left a half-open session; none of the bad requests did
      assertThat(svc.sessionStore().size()).isEqualTo(1);
    }
  }
}
