package io.edhoc.service.bench;

import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one bench run: ok / failed / shed, failure reasons, the latency of the successes, and
 * how long the server took to say no (the 5.03 / 503 answers: from when the refused request went
 * to the socket to the refusal, so without the client's own crypto and queueing).
 */
public final class BenchStats {
  private final LongAdder ok = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder shed = new LongAdder();
  private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
  private final LatencyHistogram latency = new LatencyHistogram();
  private final LatencyHistogram shedLatency = new LatencyHistogram();

  public void recordOk(long nanos) {
    latency.recordNanos(nanos);
    ok.increment();
  }

  /** A 5.03 / 503 answer that came {@code nanos} after the handshake's first request was sent. */
  public void recordShed(long nanos) {
    shedLatency.recordNanos(nanos);
    shed.increment();
  }

  public void recordFailed(String reason) {
    failed.increment();
    reasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  public long ok() {
    return ok.sum();
  }

  public long failed() {
    return failed.sum();
  }

  public long shed() {
    return shed.sum();
  }

  public long done() {
    return ok() + failed() + shed();
  }

  public LatencyHistogram latency() {
    return latency;
  }

  /** Time to the 5.03 / 503 answers. */
  public LatencyHistogram shedLatency() {
    return shedLatency;
  }

  /** {@code shed: 67 answered 5.03/503, p50 0.4 ms, p99 3.1 ms, max 4.0 ms}, or null when nothing was shed. */
  public String shedSummary() {
    if (shed() == 0) {
      return null;
    }
    return String.format(Locale.ROOT, "shed: %d answered 5.03/503, p50 %.1f ms, p99 %.1f ms, max %.1f ms", shed(), shedLatency.quantileMicros(0.50) / 1000,
        shedLatency.quantileMicros(0.99) / 1000, shedLatency.maxMicros() / 1000.0);
  }

  /** Failure reasons, most frequent first. */
  public Map<String, Long> reasons() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    reasons.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, LongAdder> e) -> e.getValue().sum()).reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue().sum()));
    return out;
  }

  /**
   * The one summary line: {@code bench: 12345 ok, 0 failed, 67 shed, 411.5/s, p50 2.4 ms, p90 5.1
   * ms, p99 12.2 ms, max 60.0 ms} (the rate counts successes per second of the run).
   */
  public String summary(double seconds) {
    return String.format(Locale.ROOT, "bench: %d ok, %d failed, %d shed, %.1f/s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", ok(), failed(),
        shed(), seconds > 0 ? ok() / seconds : 0.0, latency.quantileMicros(0.50) / 1000, latency.quantileMicros(0.90) / 1000,
        latency.quantileMicros(0.99) / 1000, latency.maxMicros() / 1000.0);
  }
}
