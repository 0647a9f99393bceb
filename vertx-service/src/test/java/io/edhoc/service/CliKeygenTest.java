package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.service.config.ServiceConfig;
import io.edhoc.service.http.HttpTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `edhoc keygen` through picocli, as a user runs it: real subcommands, help, exit codes, the directory layout. */
class CliKeygenTest {
  /** Exit status, standard output and standard error of one run. */
  record Run(int code, String out, String err) {}

  private static synchronized Run run(String... args) {
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Main.commandLine().execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
  }

  @Test
  void helpListsTheKindsAndEachKindHasItsOwnHelp() {
    Run top = run("keygen", "--help");
    assertThat(top.code()).isZero();
    assertThat(top.out()).contains("key", "ccs", "cert", "psk");
    Run ccs = run("keygen", "ccs", "--help");
    assertThat(ccs.code()).isZero();
    assertThat(ccs.out()).contains("Usage: edhoc keygen ccs", "--layout", "--kid=HEX", "--curve=CURVE").doesNotContain("--subject");
    // PSK: --kid and --name required, the subjects and length optional (square brackets in the synopsis)
    Run psk = run("keygen", "psk", "--help");
    assertThat(psk.code()).isZero();
    String synopsis = psk.out().substring(0, psk.out().indexOf("Generate") > 0 ? psk.out().indexOf("A PSK") : psk.out().length());
    assertThat(synopsis).contains("--kid=HEX", "--name=N", "[--sub-i=NAME]", "[--sub-r=NAME]", "[--length=BYTES]");
    assertThat(synopsis).doesNotContain("[--kid=HEX]", "[--name=N]");
  }

  @Test
  void versionIsAnOption() {
    Run v = run("keygen", "--version");
    assertThat(v.code()).isZero();
    assertThat(v.out()).contains("keygen");
  }

  @Test
  void ccsWithEqualsSyntaxIsWrittenWithAnOwnerOnlyPrivateKey(@TempDir Path dir) throws Exception {
    Run r = run("keygen", "ccs", "--curve=ed25519", "--sub=dev", "--kid=0a", "--name=dev", "--out=" + dir);
    assertThat(r.code()).as(r.err()).isZero();
    CcsCredential ccs = CcsCredential.parse(Files.readAllBytes(dir.resolve("dev.ccs")));
    assertThat(ccs.subject()).isEqualTo("dev");
    assertThat(ccs.kid()).containsExactly(0x0a);
    assertThat(Files.getPosixFilePermissions(dir.resolve("dev.key.pem")))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  }

  @Test
  void usageErrorsAreStatus2WithAMessageNamingTheProblem(@TempDir Path dir) {
    Run badCurve = run("keygen", "ccs", "--curve", "p-521", "--kid", "01", "--name", "x", "--out", dir.toString());
    assertThat(badCurve.code()).isEqualTo(2);
    assertThat(badCurve.err()).contains("unknown curve p-521");
    Run missing = run("keygen", "ccs", "--curve", "p-256", "--name", "x", "--out", dir.toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("Missing required option: '--kid=HEX'");
    Run unknown = run("keygen", "ccs", "--curve", "p-256", "--kid", "01", "--name", "x", "--colour", "red");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option", "'--colour'");
    Run noKind = run("keygen");
    assertThat(noKind.code()).isEqualTo(2);
    Run badKind = run("keygen", "rsa");
    assertThat(badKind.code()).isEqualTo(2);
    assertThat(dir.toFile().list()).isEmpty();
  }

  @Test
  void failuresWhileWritingAreStatus1WithOneCleanLine(@TempDir Path dir) {
    assertThat(run("keygen", "ccs", "--curve", "p-256", "--kid", "01", "--name", "x", "--out", dir.toString()).code()).isZero();
    Run again = run("keygen", "ccs", "--curve", "p-256", "--kid", "01", "--name", "x", "--out", dir.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err().strip()).startsWith("keygen: ").contains("exists (use --force to overwrite)").doesNotContain("Exception", "\tat ");
  }

  @Test
  void directoryLayoutIsWhatTheServiceReads(@TempDir Path dir) throws Exception {
    Path server = dir.resolve("server");
    Path client = dir.resolve("client");
    assertThat(run("keygen", "ccs", "--curve", "p-256", "--sub", "rs", "--kid", "01", "--name", "rs-p256", "--layout", "directory", "--out",
        server.toString()).code()).isZero();
    Run c = run("keygen", "ccs", "--curve", "p-256", "--sub", "cl", "--kid", "02", "--name", "cl-p256", "--layout", "directory", "--out",
        client.toString());
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.out()).contains("own/cl-p256.ccs", "own/cl-p256.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(client.resolve("own")))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(client.resolve("own/cl-p256.key")))).isEqualTo("rw-------");
    // each side pins the other: copy the CCS into peers/
    Files.createDirectories(server.resolve("peers"));
    Files.createDirectories(client.resolve("peers"));
    Files.copy(client.resolve("own/cl-p256.ccs"), server.resolve("peers/cl-p256.ccs"));
    Files.copy(server.resolve("own/rs-p256.ccs"), client.resolve("peers/rs-p256.ccs"));

    ServiceConfig cfg = new ServiceConfig();
    cfg.http.port = 0;
    cfg.coap.enabled = false;
    cfg.admin.enabled = false;
    cfg.credentials.directory = server.toString();
    try (EdhocService svc = EdhocService.start(cfg, null)) {
      CredentialDirectory d = CredentialDirectory.load(client);
      EdhocConfig.Builder b = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).peers(d.resolver(false));
      d.own().forEach(b::credential);
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + svc.httpPort() + HttpTransport.PATH);
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(b.build()).writeMessage1();
      HttpResponse<byte[]> r2 = http.send(post(uri, ServiceTest.withTrue(w2.message1())), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r2.statusCode()).isEqualTo(200);
      Initiator.AwaitingMessage4 w4 = w2.readMessage2(r2.body()).writeMessage3();
      HttpResponse<byte[]> r4 = http.send(post(uri, ServiceTest.concat(ConnectionIdCodec.encode(w4.connectionIdR()), w4.message3())),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r4.statusCode()).isEqualTo(200);
      try (EdhocSession s = w4.complete()) {
        assertThat(s.describePeer()).contains("rs");
      }
    }
  }

  @Test
  void developmentCredentialsKeepTheirKeysInOwnerOnlyDirectories(@TempDir Path dir) throws Exception {
    CredentialDirectory.createDevelopmentPair(dir);
    for (String side : new String[] {"server", "client"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(side).resolve("own")))).isEqualTo("rwx------");
    }
  }

  @Test
  void directoryLayoutIsForCcsOnly(@TempDir Path dir) {
    Run r = run("keygen", "key", "--curve", "x25519", "--name", "k", "--out", dir.toString(), "--layout", "directory");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option", "'--layout'");
  }

  private static HttpRequest post(URI uri, byte[] body) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Content-Type", HttpTransport.REQUEST_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }
}
