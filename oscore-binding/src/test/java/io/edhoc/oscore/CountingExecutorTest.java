package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CountingExecutorTest {

  @Test
  @Timeout(30)
  void countsWhatWasHandedOverAndHasNotStarted() throws Exception {
    CountingExecutor e = new CountingExecutor(Executors.newSingleThreadScheduledExecutor());
    try {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger ran = new AtomicInteger();
      e.execute(() -> {
        running.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException x) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(e.waiting()).as("the running task is not waiting").isZero();
      // three received datagrams handed to Californium's endpoint, which queues each here
      for (int i = 0; i < 3; i++) {
        e.receive(raw -> e.execute(ran::incrementAndGet), null);
      }
      assertThat(e.waiting()).isEqualTo(3);
      // a step handed over outside a receive (an exchange's, a response's) and a timer are not
      // requests on their way to a resource: not counted
      e.execute(ran::incrementAndGet);
      e.schedule(ran::incrementAndGet, 1, TimeUnit.HOURS);
      assertThat(e.waiting()).isEqualTo(3);
      release.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ran.get() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(ran.get()).isEqualTo(4);
      assertThat(e.waiting()).isZero();
    } finally {
      e.shutdownNow();
    }
    assertThatThrownBy(() -> e.receive(raw -> e.execute(() -> {}), null)).isInstanceOf(RejectedExecutionException.class);
    assertThat(e.waiting()).as("a refused task is not counted").isZero();
  }
}
