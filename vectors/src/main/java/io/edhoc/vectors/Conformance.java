package io.edhoc.vectors;

import io.edhoc.TestHooks;
import java.io.PrintStream;

/**
 * The conformance run as a program: one line per check, then {@code N passed, N failed}; exit
 * status 0 only when every check passes. It enables {@link TestHooks} for itself, since
 * replaying a trace means fixing the ephemeral keys.
 */
public final class Conformance {
  private Conformance() {}

  /** Runs every conformance check into the report. */
  public static Report runAll(PrintStream out) {
    System.setProperty(TestHooks.PROPERTY, "enabled");
    Report report = new Report(out);
    VectorFile rfc9529 = VectorFile.load("rfc9529.json");
    report.family("rfc9529 replay");
    new Rfc9529Replay(rfc9529, report).run();
    report.family("rfc9529 invalid traces");
    new InvalidTraces(rfc9529, report).run();
    for (Runnable extra : Extensions.all(report)) {
      report.family(extra instanceof Matrix ? "matrix" : "psk draft");
      extra.run();
    }
    return report;
  }

  public static void main(String[] args) {
    Report report = runAll(System.out);
    System.out.println(report.summary());
    System.exit(report.failed() == 0 ? 0 : 1);
  }
}
