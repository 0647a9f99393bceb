package io.edhoc.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every conformance check as its own test, so that a report names what failed. */
class ConformanceTest {
  /** Reports join this with each check's name: {@code conformance: method 3 suite 25 kccs}. */
  @TestFactory
  @DisplayName("conformance:")
  Stream<DynamicTest> conformance() {
    List<Report.Check> checks = Conformance.runAll(null).checks();
    assertThat(checks).hasSizeGreaterThan(100);
    return checks.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> assertThat(c.passed()).as(c.detail()).isTrue()));
  }
}
