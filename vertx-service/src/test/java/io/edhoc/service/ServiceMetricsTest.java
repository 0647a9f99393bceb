package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-event meters: one series per tag combination, and nothing built per event. */
class ServiceMetricsTest {
  @Test
  void eachTagCombinationCountsInItsOwnSeries() {
    ServiceMetrics m = new ServiceMetrics();
    try {
      m.shed("coap", "message_1");
      m.shed("coap", "message_1");
      m.shed("coap", "other");
      m.shed("http", "message_1");
      m.started("coap");
      m.completed("coap", 3, 2, Duration.ofMillis(3));
      m.completed("coap", 3, 2, Duration.ofMillis(4));
      m.completed("coap", 0, 2, null);
      m.failed("coap", "mac_mismatch");
      m.failed("http", "mac_mismatch");
      m.echoChallenge("coap", "echo_required");
      m.negotiated("coap");
      String text = m.registry().scrape();
      assertThat(text).contains("edhoc_requests_shed_total{message=\"message_1\",transport=\"coap\"} 2.0",
          "edhoc_requests_shed_total{message=\"other\",transport=\"coap\"} 1.0", "edhoc_requests_shed_total{message=\"message_1\",transport=\"http\"} 1.0",
          "edhoc_handshakes_started_total{transport=\"coap\"} 1.0", "edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"coap\"} 2.0",
          "edhoc_handshakes_completed_total{method=\"0\",suite=\"2\",transport=\"coap\"} 1.0",
          "edhoc_handshake_duration_seconds_count{transport=\"coap\"} 2", "edhoc_handshakes_failed_total{reason=\"mac_mismatch\",transport=\"coap\"} 1.0",
          "edhoc_handshakes_failed_total{reason=\"mac_mismatch\",transport=\"http\"} 1.0",
          "edhoc_echo_challenges_total{reason=\"echo_required\",transport=\"coap\"} 1.0", "edhoc_suite_negotiations_total{transport=\"coap\"} 1.0");
    } finally {
      m.close();
    }
  }

  /**
   * A shed is counted on the transport's receive thread, once per refused request: after the first
   * it is a look-up and an increment. Counted in bytes allocated (a meter built and registered per
   * event was about 250 bytes).
   */
  @Test
  void countingARefusalBuildsNothing() {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeThat(mx.isThreadAllocatedMemorySupported()).isTrue();
    mx.setThreadAllocatedMemoryEnabled(true);
    ServiceMetrics m = new ServiceMetrics();
    try {
      for (int i = 0; i < 20_000; i++) {
        m.shed("coap", "message_1");
        m.started("coap");
      }
      long before = mx.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 10_000; i++) {
        m.shed("coap", "message_1");
        m.started("coap");
      }
      long perEvent = (mx.getCurrentThreadAllocatedBytes() - before) / 20_000;
      assertThat(perEvent).as("bytes allocated per counted event").isLessThan(16);
      assertThat(m.registry().scrape()).contains("edhoc_requests_shed_total{message=\"message_1\",transport=\"coap\"} 30000.0");
    } finally {
      m.close();
    }
  }
}
