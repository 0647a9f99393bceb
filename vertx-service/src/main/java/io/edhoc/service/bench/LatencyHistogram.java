package io.edhoc.service.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * A lock-free log-linear latency histogram in microseconds: values below 32 us exactly, above that
 * 32 linear sub-buckets per power of two (at most 1/32 = 3.1% relative error), up to 2^40 us.
 * Recording is one array increment; percentiles read the buckets (the midpoint of the bucket that
 * holds the rank), the maximum is exact.
 */
public final class LatencyHistogram {
  private static final int SUB_BITS = 5;
  private static final int SUB = 1 << SUB_BITS;
  private static final int MAX_EXP = 40;
  private final AtomicLongArray counts = new AtomicLongArray((MAX_EXP - SUB_BITS + 2) * SUB);
  private final LongAccumulator max = new LongAccumulator(Math::max, 0);
  private final java.util.concurrent.atomic.LongAdder sum = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder total = new java.util.concurrent.atomic.LongAdder();

  /** Records one latency. */
  public void recordNanos(long nanos) {
    long micros = Math.max(0, nanos / 1000);
    counts.incrementAndGet(index(micros));
    max.accumulate(micros);
    sum.add(micros);
    total.increment();
  }

  static int index(long micros) {
    long v = Math.min(micros, (1L << MAX_EXP) - 1);
    if (v < SUB) {
      return (int) v;
    }
    int exp = 63 - Long.numberOfLeadingZeros(v);
    int shift = exp - SUB_BITS;
    return (shift + 1) * SUB + (int) ((v >> shift) - SUB);
  }

  /** Smallest value of bucket {@code i}, in us. */
  static long lowerBound(int i) {
    if (i < SUB) {
      return i;
    }
    int shift = i / SUB - 1;
    return (long) (SUB + i % SUB) << shift;
  }

  static long width(int i) {
    return i < SUB ? 1 : 1L << (i / SUB - 1);
  }

  public long count() {
    return total.sum();
  }

  public long maxMicros() {
    return max.get();
  }

  public double meanMicros() {
    long n = total.sum();
    return n == 0 ? 0 : (double) sum.sum() / n;
  }

  /** The value at quantile {@code q} (0..1), in us; 0 when empty. */
  public double quantileMicros(double q) {
    long n = 0;
    long[] snapshot = new long[counts.length()];
    for (int i = 0; i < snapshot.length; i++) {
      snapshot[i] = counts.get(i);
      n += snapshot[i];
    }
    if (n == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * n));
    long seen = 0;
    for (int i = 0; i < snapshot.length; i++) {
      seen += snapshot[i];
      if (seen >= rank) {
        double mid = i < SUB ? i : lowerBound(i) + (width(i) - 1) / 2.0;
        return Math.min(mid, max.get());
      }
    }
    return max.get();
  }

  /** Non-empty buckets: {lower bound us, upper bound us (exclusive), count}. */
  public List<long[]> buckets() {
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < counts.length(); i++) {
      long c = counts.get(i);
      if (c > 0) {
        out.add(new long[] {lowerBound(i), lowerBound(i) + width(i), c});
      }
    }
    return out;
  }
}
