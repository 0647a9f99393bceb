package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./run.sh runs the jar in the caller's directory (relative paths are the user's) and passes
 * JAVA_OPTS to the JVM. The script is copied into a scratch "repository" whose jar is a probe that
 * reports its working directory, arguments and a system property, and whose mvnw fails (so the
 * test also shows that an up-to-date jar is not rebuilt).
 */
class RunScriptTest {
  /** The probe's main: prints what run.sh handed it and creates the file named by its last argument. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      System.out.println("cwd=" + System.getProperty("user.dir"));
      System.out.println("args=" + String.join("|", args));
      System.out.println("probe=" + System.getProperty("edhoc.probe"));
      System.out.println("xmx=" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
      Path f = Path.of(args[args.length - 1]);
      Files.createDirectories(f.toAbsolutePath().getParent());
      Files.writeString(f, "x");
    }
  }

  @Test
  @Timeout(60)
  void userPathsResolveAgainstTheCallersDirectoryAndJavaOptsReachTheJvm(@TempDir Path tmp) throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    Path script = repo.resolve("run.sh");
    Files.copy(Path.of("../run.sh").toAbsolutePath().normalize(), script);
    Files.writeString(repo.resolve("mvnw"), "#!/bin/sh\necho 'mvnw must not run: the jar is up to date' >&2\nexit 7\n");
    Files.setPosixFilePermissions(repo.resolve("mvnw"), PosixFilePermissions.fromString("rwx------"));
    Path jar = Files.createDirectories(repo.resolve("vertx-service/target")).resolve("edhoc.jar");
    writeProbeJar(jar);
    Path caller = Files.createDirectories(tmp.resolve("caller dir"));

    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "keygen", "--out", "keys/out.txt").directory(caller.toFile())
        .redirectErrorStream(true);
    pb.environment().put("JAVA_OPTS", "-Dedhoc.probe=hello   -Xmx64m");
    Process q = pb.start();
    String out = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(q.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(q.exitValue()).as(out).isZero();
    assertThat(out).contains("cwd=" + caller.toRealPath(), "args=keygen|--out|keys/out.txt", "probe=hello");
    assertThat(Long.parseLong(out.replaceAll("(?s).*xmx=(\\d+).*", "$1"))).isLessThanOrEqualTo(64);
    assertThat(caller.resolve("keys/out.txt")).exists();
    assertThat(repo.resolve("keys")).doesNotExist();
  }

  private static void writeProbeJar(Path jar) throws Exception {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Probe.class.getName());
    String entry = Probe.class.getName().replace('.', '/') + ".class";
    try (OutputStream fo = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(fo, m);
        InputStream in = Probe.class.getClassLoader().getResourceAsStream(entry)) {
      j.putNextEntry(new JarEntry(entry));
      in.transferTo(j);
      j.closeEntry();
    }
  }
}
