package io.edhoc.vectors;

import io.edhoc.TestHooks;
import java.io.PrintStream;

/**
 * The conformance run as a program: one line per check, then {@code N passed, N failed}; exit
 * status 0 only when every check passes. Replaying a trace means fixing the ephemeral keys, so it
 * needs {@link TestHooks}: {@link #main} enables them for its own JVM, which is why {@code edhoc.jar
 * vectors} runs it in a child JVM and never in the service's. {@link #runAll} does not touch the
 * property: its caller's JVM must have it (the vectors module's tests set it in Surefire).
 */
public final class Conformance {
  private Conformance() {}

  /** Runs every conformance check into the report. */
  public static Report runAll(PrintStream out) {
    return run(out, false);
  }

  /** With {@code quick}: only the RFC 9529 trace replay and its invalid traces (no matrix, no extensions). */
  public static Report run(PrintStream out, boolean quick) {
    if (!TestHooks.enabled()) {
      throw new IllegalStateException("the conformance suite needs -D" + TestHooks.PROPERTY + "=enabled (fixed ephemeral keys); "
          + "run it as its own program (edhoc.jar vectors), never inside a serving JVM");
    }
    Report report = new Report(out);
    VectorFile rfc9529 = VectorFile.load("rfc9529.json");
    report.family("rfc9529 replay");
    new Rfc9529Replay(rfc9529, report).run();
    report.family("rfc9529 invalid traces");
    new InvalidTraces(rfc9529, report).run();
    if (!quick) {
      for (Runnable extra : Extensions.all(report)) {
        report.family(extra instanceof Matrix ? "matrix" : "psk draft");
        extra.run();
      }
    }
    return report;
  }

  /**
   * {@code [--quiet] [--quick]}: runs the suite in this JVM, with test hooks enabled for it. The
   * last line is {@code N passed, N failed}; exit 0 only if every check passed (and there were
   * some), 2 for an unknown argument.
   */
  public static void main(String[] args) {
    boolean quiet = false;
    boolean quick = false;
    for (String a : args) {
      if (a.equals("--quiet")) {
        quiet = true;
      } else if (a.equals("--quick")) {
        quick = true;
      } else {
        System.err.println("vectors: unknown argument " + a + " (--quiet, --quick)");
        System.exit(2);
      }
    }
    System.setProperty(TestHooks.PROPERTY, "enabled"); // this process is the conformance run, nothing else
    PrintStream out = System.out;
    Report report = run(quiet ? null : out, quick);
    if (quiet) {
      report.checks().stream().filter(c -> !c.passed()).forEach(c -> out.println("FAIL " + c.name() + ": " + c.detail()));
    }
    out.println(report.summary());
    out.flush();
    System.exit(report.failed() == 0 && report.passed() > 0 ? 0 : 1);
  }
}
