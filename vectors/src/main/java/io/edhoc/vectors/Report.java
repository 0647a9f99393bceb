package io.edhoc.vectors;

import io.edhoc.cbor.Hex;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Collects named checks: one line per check, and the closing count. */
public final class Report {
  /** One check's outcome. */
  public record Check(String name, boolean passed, String detail) {}

  private final List<Check> checks = new ArrayList<>();
  private final PrintStream out;

  public Report(PrintStream out) {
    this.out = out;
  }

  public synchronized void check(String name, boolean passed, String detail) {
    Check c = new Check(name, passed, detail);
    checks.add(c);
    if (out != null) {
      out.println((passed ? "ok   " : "FAIL ") + name + (passed || detail == null ? "" : ": " + detail));
    }
  }

  public void equal(String name, byte[] expected, byte[] actual) {
    boolean ok = actual != null && Arrays.equals(expected, actual);
    check(name, ok, ok ? null : "expected " + Hex.encode(expected) + ", got " + (actual == null ? "nothing" : Hex.encode(actual)));
  }

  public void pass(String name) {
    check(name, true, null);
  }

  public void fail(String name, String detail) {
    check(name, false, detail);
  }

  public synchronized List<Check> checks() {
    return List.copyOf(checks);
  }

  public synchronized long passed() {
    return checks.stream().filter(Check::passed).count();
  }

  public synchronized long failed() {
    return checks.size() - passed();
  }

  public String summary() {
    return passed() + " passed, " + failed() + " failed";
  }
}
