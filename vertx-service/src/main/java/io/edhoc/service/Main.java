package io.edhoc.service;

import io.edhoc.credentials.KeygenCommand;
import io.edhoc.vectors.Conformance;
import io.edhoc.TestHooks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar edhoc.jar serve | connect | keygen | vectors}. */
@Command(
    name = "edhoc",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionInfo.class,
    description = "EDHOC (RFC 9528) key establishment: responder service over CoAP and HTTP, initiator client, key generation, conformance.",
    subcommands = {ServeCommand.class, ConnectCommand.class, BenchCommand.class, KeygenCommand.class, Main.Vectors.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    if (code != ServeCommand.KEEP_RUNNING) {
      System.exit(code);
    }
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 2;
  }

  /** {@code edhoc --version}: the version and the crypto libraries "auto" picks on this machine. */
  static final class VersionInfo implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String crypto;
      try {
        crypto = io.edhoc.crypto.DefaultCrypto.get().describe();
      } catch (RuntimeException e) {
        crypto = "unavailable: " + e.getMessage();
      }
      return new String[] {"edhoc 0.1.0", "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
          "crypto " + crypto};
    }
  }

  /**
   * Runs the conformance suite in a child JVM: replaying traces needs test hooks (fixed ephemeral
   * keys), and this JVM must never have them (a service may run in it). The child gets the same
   * class path and the hooks property; its output and exit status are passed through.
   */
  @Command(name = "vectors", mixinStandardHelpOptions = true,
      description = {"Run the conformance suite (RFC 9529 traces and more); exit 0 only if every check passes.",
          "It runs in a child JVM with test hooks (fixed ephemeral keys) enabled; this JVM never gets them."})
  static final class Vectors implements Callable<Integer> {
    @CommandLine.Option(names = "--quiet", description = "Print only failures and the summary.")
    boolean quiet;

    @CommandLine.Option(names = "--quick", description = "Only the RFC 9529 traces and invalid traces (seconds; no matrix).")
    boolean quick;

    @Override
    public Integer call() throws Exception {
      List<String> cmd = new ArrayList<>(List.of(javaExecutable(), "-D" + TestHooks.PROPERTY + "=enabled", "-cp",
          System.getProperty("java.class.path"), Conformance.class.getName()));
      if (quiet) {
        cmd.add("--quiet");
      }
      if (quick) {
        cmd.add("--quick");
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      try (java.io.InputStream in = p.getInputStream()) {
        in.transferTo(System.out); // through System.out (not inheritIO): callers that redirect it see the output
      }
      System.out.flush();
      return p.waitFor();
    }

    static String javaExecutable() {
      return ProcessHandle.current().info().command()
          .orElse(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
  }
}
