package io.edhoc.vectors;

import java.util.ArrayList;
import java.util.List;

/** Further conformance suites (PSK draft, matrix) register here. */
final class Extensions {
  private Extensions() {}

  static List<Runnable> all(Report report) {
    List<Runnable> r = new ArrayList<>();
    r.add(new Matrix(report));
    r.add(PskDraftReplay.task(report));
    return r;
  }
}
