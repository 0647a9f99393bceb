package io.edhoc.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every conformance check as its own test, so that a report names what failed; and the exact
 * number of checks of each family, so that a run with a family (or part of one) missing fails
 * instead of passing with fewer checks.
 */
class ConformanceTest {
  /**
   * Checks per family. rfc9529 replay: both traces in both roles, every printed value; invalid
   * traces: the 15 cases of RFC 9529 section 4, the three PLAINTEXT_2 cases twice (parser and
   * whole message_2 step); matrix: 4 methods x 9 suites x 4 ID_CRED forms x (honest handshake +
   * one bit-flip group per message); psk draft: Appendix B in both roles; both matrix and psk draft
   * also run per crypto provider since issue 11. (1,686 in all.)
   */
  static final Map<String, Long> EXPECTED = new LinkedHashMap<>();

  static {
    EXPECTED.put("rfc9529 replay", 241L);
    EXPECTED.put("rfc9529 invalid traces", 15L + 3L);
    EXPECTED.put("matrix", 4L * 9L * 4L * (1L + 4L) + 288L); // + the per-crypto-provider cases (issue 11)
    EXPECTED.put("psk draft", 89L + 330L); // + the per-crypto-provider replays (issue 11)
  }

  /** Reports join this with each check's name: {@code conformance: method 3 suite 25 kccs}. */
  @TestFactory
  @DisplayName("conformance:")
  Stream<DynamicTest> conformance() {
    Report report = Conformance.runAll(null);
    List<Report.Check> checks = report.checks();
    Map<String, Long> counts = report.countsByFamily();
    return Stream.concat(
        Stream.of(DynamicTest.dynamicTest("number of checks per family " + EXPECTED,
            () -> assertThat(counts).as("checks per family").containsExactlyEntriesOf(EXPECTED))),
        checks.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> assertThat(c.passed()).as(c.detail()).isTrue())));
  }
}
