package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EngineQueueTest {

  @Test
  @Timeout(30)
  void startsAreRefusedWhenFullContinuationsHaveHeadroomAndGoFirst() throws Exception {
    try (EngineQueue q = new EngineQueue("test", 1, 2)) {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      List<String> order = new CopyOnWriteArrayList<>();
      assertThat(q.offer(true, () -> {
        running.countDown();
        await(release);
      })).isTrue();
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(q.offer(true, () -> order.add("s1"))).isTrue();
      assertThat(q.offer(true, () -> order.add("s2"))).isTrue();
      assertThat(q.offer(true, () -> order.add("s3"))).as("starts: capacity 2").isFalse();
      assertThat(q.offer(false, () -> order.add("c1"))).as("continuations: up to twice").isTrue();
      assertThat(q.offer(false, () -> order.add("c2"))).isTrue();
      assertThat(q.offer(false, () -> order.add("c3"))).isFalse();
      assertThat(q.waiting()).isEqualTo(4);
      assertThat(q.inFlight()).isEqualTo(5);
      assertThat(q.load()).isEqualTo(2.0);
      assertThat(q.shedStarts()).isEqualTo(1);
      assertThat(q.shedContinuations()).isEqualTo(1);
      release.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (order.size() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(order).containsExactly("c1", "c2", "s1", "s2");
      assertThat(q.offer(true, () -> {})).as("room again").isTrue();
    }
  }

  @Test
  @Timeout(30)
  void aRefusalAheadOfTheQueueCountsTheRequestsOnTheirWayAsWaiting() throws Exception {
    try (EngineQueue q = new EngineQueue("test", 1, 2)) {
      assertThat(q.shedIfFull(true, 0)).isFalse();
      assertThat(q.shedIfFull(true, 1)).isFalse();
      assertThat(q.shedIfFull(true, 2)).as("two on their way fill the two places").isTrue();
      assertThat(q.shedIfFull(false, 3)).as("continuations: up to twice").isFalse();
      assertThat(q.shedIfFull(false, 4)).isTrue();
      assertThat(q.shedIfFull(true, -5)).as("a negative count is none").isFalse();
      assertThat(q.shedStarts()).isEqualTo(1);
      assertThat(q.shedContinuations()).isEqualTo(1);
      assertThat(q.admitted()).as("nothing queued by asking").isZero();
    }
  }

  @Test
  @Timeout(30)
  void aFailingTaskDoesNotKillTheWorker() throws Exception {
    try (EngineQueue q = EngineQueue.sizedFromCores("test", 1, 4)) {
      assertThat(q.workers()).isEqualTo(1);
      assertThat(q.capacity()).isEqualTo(4);
      q.offer(true, () -> {
        throw new IllegalStateException("boom");
      });
      CountDownLatch ran = new CountDownLatch(1);
      q.offer(true, ran::countDown);
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static void await(CountDownLatch l) {
    try {
      l.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
