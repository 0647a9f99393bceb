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
  private final List<String> families = new ArrayList<>();
  private String family = "unnamed";
  private final PrintStream out;

  public Report(PrintStream out) {
    this.out = out;
  }

  public synchronized void check(String name, boolean passed, String detail) {
    Check c = new Check(name, passed, detail);
    checks.add(c);
    families.add(family);
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

  /** The family the following checks belong to (RFC 9529 replay, invalid traces, matrix, ...). */
  public synchronized void family(String name) {
    this.family = name;
  }

  /** How many checks each family ran, in the order the families started. */
  public synchronized java.util.Map<String, Long> countsByFamily() {
    java.util.Map<String, Long> r = new java.util.LinkedHashMap<>();
    for (String f : families) {
      r.merge(f, 1L, Long::sum);
    }
    return r;
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
