package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryResponderSessionStoreTest {
  private final Fixtures.MutableClock clock = new Fixtures.MutableClock();
  private final InMemoryResponderSessionStore store = new InMemoryResponderSessionStore(2, clock);
  private static final Duration TTL = Duration.ofSeconds(10);

  @Test
  void putThenTakeOnceByValueOfTheKey() {
    assertThat(store.put(new byte[] {0x37}, new byte[] {1, 2, 3}, TTL)).isTrue();
    assertThat(store.contains(new byte[] {0x37})).isTrue();
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.take(new byte[] {0x37})).containsExactly(1, 2, 3);
    assertThat(store.take(new byte[] {0x37})).isNull();
    assertThat(store.size()).isZero();
    assertThat(store.evictions()).isZero();
  }

  @Test
  void duplicateIdentifierIsRefused() {
    assertThat(store.put(new byte[] {1}, new byte[] {1}, TTL)).isTrue();
    assertThat(store.put(new byte[] {1}, new byte[] {2}, TTL)).isFalse();
    assertThat(store.take(new byte[] {1})).containsExactly(1);
  }

  @Test
  void fullStoreRefusesNewSessionsAndKeepsOldOnes() {
    assertThat(store.put(new byte[] {1}, new byte[] {1}, TTL)).isTrue();
    assertThat(store.put(new byte[] {2}, new byte[] {2}, TTL)).isTrue();
    assertThat(store.put(new byte[] {3}, new byte[] {3}, TTL)).isFalse();
    assertThat(store.refusals()).isEqualTo(1);
    assertThat(store.take(new byte[] {1})).containsExactly(1);
    assertThat(store.put(new byte[] {3}, new byte[] {3}, TTL)).isTrue();
  }

  @Test
  void expiredStatesAreGoneCountedAndWiped() {
    byte[] state = {9, 9, 9};
    store.put(new byte[] {1}, state, TTL);
    store.put(new byte[] {2}, new byte[] {2}, Duration.ofSeconds(20));
    clock.advance(Duration.ofSeconds(10));
    assertThat(store.take(new byte[] {1})).isNull();
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.evictions()).isEqualTo(1);
    // expired entries free room for new ones
    assertThat(store.put(new byte[] {3}, new byte[] {3}, TTL)).isTrue();
    clock.advance(Duration.ofSeconds(30));
    assertThat(store.size()).isZero();
    assertThat(store.evictions()).isEqualTo(3);
  }

  @Test
  void storeKeepsItsOwnCopy() {
    byte[] state = {5};
    store.put(new byte[] {1}, state, TTL);
    state[0] = 0;
    assertThat(store.take(new byte[] {1})).containsExactly(5);
  }

  @Test
  void concurrentTakesGetTheStateAtMostOnce() throws Exception {
    InMemoryResponderSessionStore big = new InMemoryResponderSessionStore(10_000);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 200; round++) {
        byte[] id = {(byte) round, 1};
        big.put(id, new byte[] {1}, TTL);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger winners = new AtomicInteger();
        Future<?>[] f = new Future<?>[8];
        for (int t = 0; t < 8; t++) {
          f[t] = pool.submit(() -> {
            go.await();
            if (big.take(id) != null) {
              winners.incrementAndGet();
            }
            return null;
          });
        }
        go.countDown();
        for (Future<?> x : f) {
          x.get(5, TimeUnit.SECONDS);
        }
        assertThat(winners.get()).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void lookupsVisitNoEntriesAndExpiryVisitsEachEntryOnceWhateverTheOccupancy() {
    int n = 100_000;
    InMemoryResponderSessionStore big = new InMemoryResponderSessionStore(n, clock);
    for (int i = 0; i < n; i++) {
      assertThat(big.put(id(i), new byte[] {1}, TTL)).isTrue();
    }
    assertThat(big.size()).isEqualTo(n);
    long before = big.entriesVisited();
    // with the store full, lookups, takes and refused puts examine no other entry
    for (int i = 0; i < 1000; i++) {
      assertThat(big.contains(id(i))).isTrue();
      assertThat(big.contains(id(n + i))).isFalse();
      assertThat(big.put(id(n + i), new byte[] {1}, TTL)).isFalse();
    }
    for (int i = 0; i < 1000; i++) {
      assertThat(big.take(id(i))).containsExactly(1);
    }
    assertThat(big.entriesVisited()).isEqualTo(before);
    assertThat(big.refusals()).isEqualTo(1000);
    // after the deadline, one put sweeps the due slots: each entry still stored is visited once;
    // the taken ones left the wheel when they were taken
    clock.advance(TTL.plusSeconds(1));
    assertThat(big.put(id(n + 1), new byte[] {2}, TTL)).isTrue();
    assertThat(big.entriesVisited() - before).isEqualTo(n - 1000);
    assertThat(big.size()).isEqualTo(1);
    assertThat(big.evictions()).isEqualTo(n - 1000);
    // nothing is due now: further operations visit nothing
    long after = big.entriesVisited();
    for (int i = 0; i < 1000; i++) {
      big.put(id(2 * n + i), new byte[] {3}, TTL);
      big.size();
    }
    assertThat(big.entriesVisited()).isEqualTo(after);
  }

  @Test
  void steadyChurnCostsAConstantNumberOfVisitsPerSession() {
    // sessions arrive and expire continuously at 1,000 per simulated second, with a time to live
    // longer than the wheel's span (so entries go round it more than once)
    Duration ttl = Duration.ofSeconds(300);
    InMemoryResponderSessionStore big = new InMemoryResponderSessionStore(1_000_000, clock);
    int puts = 0;
    for (int second = 0; second < 600; second++) {
      for (int i = 0; i < 1000; i++) {
        big.put(id(puts++), new byte[] {1}, ttl);
      }
      clock.advance(Duration.ofSeconds(1));
    }
    big.sweep();
    long rounds = ttl.toMillis() / ((long) InMemoryResponderSessionStore.TICK_MILLIS * InMemoryResponderSessionStore.SLOTS) + 1;
    assertThat(big.size()).isBetween(299_000, 301_000);
    assertThat((double) big.entriesVisited() / puts).isLessThanOrEqualTo(rounds);
  }

  @Test
  void anExpiredStateDoesNotBlockItsIdentifierBeforeTheSweep() {
    store.put(new byte[] {1}, new byte[] {1}, Duration.ofMillis(10));
    clock.advance(Duration.ofMillis(10));
    assertThat(store.contains(new byte[] {1})).isFalse();
    assertThat(store.put(new byte[] {1}, new byte[] {2}, TTL)).isTrue();
    assertThat(store.take(new byte[] {1})).containsExactly(2);
    assertThat(store.size()).isZero();
  }

  private static byte[] id(int i) {
    return new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
  }
}
