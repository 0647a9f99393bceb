package io.edhoc.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * Per-source token buckets for handshake starts (message_1): {@code rate} tokens per second up
 * to {@code burst}. At most {@code maxSources} sources are tracked (Caffeine, size-bounded; idle
 * sources are forgotten after a minute), so the limiter's own memory is bounded too. A rate of 0
 * disables it.
 */
public final class RateLimiter {
  private final double rate;
  private final double burst;
  private final Cache<String, Bucket> buckets;

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  public RateLimiter(double ratePerSecond, int burst, int maxSources) {
    this.rate = ratePerSecond;
    this.burst = burst;
    this.buckets = Caffeine.newBuilder().maximumSize(maxSources).expireAfterAccess(Duration.ofMinutes(1)).build();
  }

  /** Takes one token for {@code source}; false if the source is over its rate. */
  public boolean tryAcquire(String source) {
    if (rate <= 0) {
      return true;
    }
    long now = System.nanoTime();
    Bucket b = buckets.get(source, s -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.last) / 1e9 * rate);
      b.last = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
