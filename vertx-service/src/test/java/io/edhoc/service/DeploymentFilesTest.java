package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine on the build machines, so the Dockerfile is checked by reading it:
 * two stages, every COPY source exists in the build context (and is not excluded by
 * .dockerignore), the run stage copies the jar the build stage builds, runs as a non-root user,
 * and its entrypoint runs that jar with the mounted credentials' configuration. The systemd unit
 * is checked the same way (SuccessExitStatus=143, the jar, a non-root user).
 */
class DeploymentFilesTest {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  record Instruction(String keyword, String args) {}

  /** Dockerfile instructions with line continuations joined and comments dropped. */
  static List<Instruction> parse(Path dockerfile) throws Exception {
    List<Instruction> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : Files.readAllLines(dockerfile, StandardCharsets.UTF_8)) {
      String t = line.strip();
      if (cur.length() == 0 && (t.isEmpty() || t.startsWith("#"))) {
        continue;
      }
      if (t.endsWith("\\")) {
        cur.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      cur.append(t);
      String s = cur.toString().strip();
      int sp = s.indexOf(' ');
      out.add(new Instruction(s.substring(0, sp).toUpperCase(), s.substring(sp + 1).strip()));
      cur.setLength(0);
    }
    return out;
  }

  @Test
  void dockerfileIsMultiStageNonRootAndRunsTheBuiltJar() throws Exception {
    List<Instruction> ins = parse(REPO.resolve("Dockerfile"));
    List<String> stages = new ArrayList<>();
    Map<String, String> copiedTo = new LinkedHashMap<>();
    String user = null;
    String entrypoint = null;
    String cmd = null;
    int finalStageStart = -1;
    for (int i = 0; i < ins.size(); i++) {
      Instruction in = ins.get(i);
      switch (in.keyword()) {
        case "FROM" -> {
          stages.add(in.args());
          finalStageStart = i;
        }
        case "COPY" -> {
          List<String> words = new ArrayList<>(List.of(in.args().split("\\s+")));
          String from = null;
          while (words.get(0).startsWith("--")) {
            String flag = words.remove(0);
            if (flag.startsWith("--from=")) {
              from = flag.substring(7);
            }
          }
          String dest = words.remove(words.size() - 1);
          for (String src : words) {
            if (from == null) {
              assertThat(REPO.resolve(src)).as("COPY source %s in the build context", src).exists();
            }
            copiedTo.put((from == null ? "" : from + ":") + src, dest);
          }
        }
        case "USER" -> user = in.args();
        case "ENTRYPOINT" -> entrypoint = in.args();
        case "CMD" -> cmd = in.args();
        default -> { }
      }
    }
    assertThat(stages).hasSize(2);
    assertThat(stages.get(0)).matches("\\S+ AS build");
    assertThat(stages.get(1)).doesNotContain(" AS ").contains("jre");
    // the build stage builds the service jar; the run stage takes exactly that file
    String buildRun = ins.subList(0, finalStageStart).stream().filter(i -> i.keyword().equals("RUN")).map(Instruction::args)
        .findFirst().orElseThrow();
    assertThat(buildRun).contains("./mvnw", "-pl vertx-service", "package");
    assertThat(Files.readString(REPO.resolve("vertx-service/pom.xml"))).contains("<finalName>edhoc</finalName>");
    assertThat(copiedTo).containsEntry("build:/src/vertx-service/target/edhoc.jar", "/opt/edhoc/edhoc.jar");
    assertThat(copiedTo).containsEntry("deploy/edhoc.yaml", "/etc/edhoc/edhoc.yaml");
    // non-root: a numeric uid other than 0 (so Kubernetes runAsNonRoot can verify it)
    assertThat(user).isNotNull().matches("[1-9][0-9]*(:[0-9]+)?");
    String uid = user.split(":")[0];
    assertThat(ins.subList(finalStageStart, ins.size()).stream().filter(i -> i.keyword().equals("RUN")).map(Instruction::args))
        .anySatisfy(r -> assertThat(r).contains("useradd", "--uid " + uid));
    assertThat(entrypoint).contains("-jar /opt/edhoc/edhoc.jar", "$JAVA_OPTS", "exec java");
    assertThat(cmd).contains("\"serve\"", "\"/etc/edhoc/edhoc.yaml\"");
    assertThat(ins).anySatisfy(i -> assertThat(i.keyword() + " " + i.args()).startsWith("VOLUME").contains("/etc/edhoc/credentials"));
    // build context: no build output, no local credentials, no virtualenv
    List<String> ignored = Files.readAllLines(REPO.resolve(".dockerignore"));
    assertThat(ignored).contains("**/target/", ".edhoc-dev/", "interop/.venv*", ".git/");
  }

  @Test
  void dockerConfigurationNamesTheMountedCredentials() throws Exception {
    // deploy/edhoc.yaml is copied to /etc/edhoc/edhoc.yaml; relative paths resolve against it, so
    // credentials/credentials.yaml is the mounted /etc/edhoc/credentials/credentials.yaml
    io.edhoc.service.config.ServiceConfig c = io.edhoc.service.config.ConfigLoader.load(REPO.resolve("deploy/edhoc.yaml"), Map.of());
    assertThat(Path.of(c.credentials.config)).isEqualTo(REPO.resolve("deploy/credentials/credentials.yaml"));
    assertThat(Path.of(c.credentials.config)).exists();
  }

  @Test
  void systemdUnitTreatsSigtermAsSuccessAndRunsTheJarAsAServiceUser() throws Exception {
    Map<String, List<String>> unit = new LinkedHashMap<>();
    Pattern kv = Pattern.compile("^([A-Za-z]+)=(.*)$");
    for (String line : Files.readAllLines(REPO.resolve("deploy/edhoc.service"))) {
      Matcher m = kv.matcher(line.strip());
      if (!line.startsWith("#") && m.matches()) {
        unit.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
      }
    }
    assertThat(unit.get("SuccessExitStatus")).containsExactly("143");
    assertThat(unit.get("ExecStart")).singleElement().asString()
        .startsWith("/usr/bin/java $JAVA_OPTS -jar /opt/edhoc/edhoc.jar serve --config /etc/edhoc/edhoc.yaml");
    assertThat(unit.get("User")).singleElement().isNotIn("root", "0");
    assertThat(unit.get("RestartPreventExitStatus")).containsExactly("2"); // configuration errors (exit 2) do not loop
    assertThat(unit.get("WantedBy")).containsExactly("multi-user.target");
  }

  @Test
  void exampleCredentialsAreWhatTheKeygenCommandsInItsHeaderMake(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path example = REPO.resolve("deploy/credentials/credentials.yaml");
    Files.copy(example, dir.resolve("credentials.yaml"));
    java.io.PrintStream quiet = new java.io.PrintStream(new java.io.ByteArrayOutputStream());
    int commands = 0;
    for (String line : Files.readAllLines(example)) {
      String t = line.replaceFirst("^#\\s*", "");
      if (!t.startsWith("edhoc keygen ")) {
        continue;
      }
      List<String> args = new ArrayList<>();
      Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(t.substring("edhoc keygen ".length()));
      while (m.find()) {
        args.add(m.group(1) != null ? m.group(1) : m.group(2));
      }
      args.replaceAll(a -> a.equals(".") ? dir.toString() : a.startsWith("ca/") ? dir.resolve(a).toString() : a);
      assertThat(io.edhoc.credentials.KeygenCommand.execute(args.toArray(new String[0]), quiet, quiet)).as(t).isZero();
      commands++;
    }
    assertThat(commands).isEqualTo(4);
    // the clients' CA (made elsewhere in real life)
    assertThat(io.edhoc.credentials.KeygenCommand.execute(new String[] {"cert", "--curve", "p-256", "--subject", "CN=client-1", "--name",
        "client-1", "--ca-name", "anchors/clients-ca", "--out", dir.toString()}, quiet, quiet)).isZero();
    io.edhoc.credentials.CredentialsConfig.Loaded l = io.edhoc.credentials.CredentialsConfig.load(dir.resolve("credentials.yaml"));
    assertThat(l.own()).hasSize(3);
    assertThat(l.psks()).hasSize(1);
  }
}
