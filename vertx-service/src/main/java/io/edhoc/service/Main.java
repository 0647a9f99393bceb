package io.edhoc.service;

import io.edhoc.credentials.KeygenCommand;
import io.edhoc.vectors.Conformance;
import io.edhoc.vectors.Report;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code java -jar edhoc.jar serve | connect | keygen | vectors}. */
@Command(
    name = "edhoc",
    mixinStandardHelpOptions = true,
    version = "edhoc 0.1.0",
    description = "EDHOC (RFC 9528) key establishment: responder service over CoAP and HTTP, initiator client, key generation, conformance.",
    subcommands = {ServeCommand.class, ConnectCommand.class, BenchCommand.class, Main.Keygen.class, Main.Vectors.class, CommandLine.HelpCommand.class})
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
    // keygen has the credentials module's own syntax: hand it every argument, in order
    cl.getSubcommands().get("keygen").setUnmatchedOptionsArePositionalParams(true);
    return cl;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 2;
  }

  /** Delegates to the credentials module's key generator (its own argument syntax). */
  @Command(name = "keygen", description = "Generate keys, CCS, certificates or PSKs (see: keygen --help).", mixinStandardHelpOptions = false)
  static final class Keygen implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "key|ccs|cert|psk and its options, e.g. ccs --curve p-256 --sub dev --kid 0a --name dev")
    List<String> args = new java.util.ArrayList<>(); // picocli appends: must be mutable

    @Override
    public Integer call() {
      return KeygenCommand.execute(args.toArray(new String[0]), System.out, System.err);
    }
  }

  /** Runs the conformance suite; the last line is {@code N passed, N failed}. */
  @Command(name = "vectors", mixinStandardHelpOptions = true, description = "Run the conformance suite (RFC 9529 traces and more); exit 0 only if every check passes.")
  static final class Vectors implements Callable<Integer> {
    @CommandLine.Option(names = "--quiet", description = "Print only failures and the summary.")
    boolean quiet;

    @Override
    public Integer call() {
      PrintStream out = System.out;
      Report report = Conformance.runAll(quiet ? null : out);
      if (quiet) {
        report.checks().stream().filter(c -> !c.passed()).forEach(c -> out.println("FAIL " + c.name() + ": " + c.detail()));
      }
      out.println(report.summary());
      out.flush();
      return report.failed() == 0 && report.passed() > 0 ? 0 : 1;
    }
  }
}
