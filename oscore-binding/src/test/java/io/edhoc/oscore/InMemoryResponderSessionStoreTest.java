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
}
