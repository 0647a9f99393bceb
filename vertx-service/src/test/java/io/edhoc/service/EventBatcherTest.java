package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventBatcherTest {

  /** A scheduler that keeps the tasks until the test runs them. */
  static final class Manual implements EventBatcher.Scheduler {
    final List<Runnable> tasks = new ArrayList<>();
    final List<Long> delays = new ArrayList<>();

    @Override
    public void schedule(long delayMillis, Runnable task) {
      delays.add(delayMillis);
      tasks.add(task);
    }

    void runAll() {
      List<Runnable> now = new ArrayList<>(tasks);
      tasks.clear();
      now.forEach(Runnable::run);
    }
  }

  @Test
  void aBurstIsOneHandOverAndArrivesInOrder() {
    Manual scheduler = new Manual();
    List<Integer> got = new ArrayList<>();
    EventBatcher<Integer> b = new EventBatcher<>(1000, 10, scheduler, got::add);
    for (int i = 0; i < 500; i++) {
      assertThat(b.offer(i)).isTrue();
    }
    assertThat(scheduler.tasks).hasSize(1); // one wake-up of the consumer for 500 events
    assertThat(scheduler.delays).containsExactly(10L);
    assertThat(got).isEmpty();
    assertThat(b.waiting()).isEqualTo(500);
    scheduler.runAll();
    assertThat(got).hasSize(500);
    for (int i = 0; i < 500; i++) {
      assertThat(got.get(i)).isEqualTo(i);
    }
    assertThat(b.waiting()).isZero();
    // quiet: nothing scheduled; the next event schedules the next delivery
    assertThat(scheduler.tasks).isEmpty();
    b.offer(500);
    assertThat(scheduler.tasks).hasSize(1);
    scheduler.runAll();
    assertThat(got).hasSize(501).endsWith(500);
  }

  @Test
  void anEventQueuedDuringADeliveryIsNotStranded() {
    Manual scheduler = new Manual();
    List<Integer> got = new ArrayList<>();
    EventBatcher<Integer>[] self = new EventBatcher[1];
    // the consumer itself queues one more event while the delivery runs (another thread could)
    self[0] = new EventBatcher<>(100, 5, scheduler, e -> {
      got.add(e);
      if (e == 1) {
        self[0].offer(2);
      }
    });
    self[0].offer(1);
    scheduler.runAll();
    // taken by the same delivery or scheduled for the next one: either way delivered, once
    scheduler.runAll();
    assertThat(got).containsExactly(1, 2);
    assertThat(scheduler.tasks).isEmpty();
  }

  @Test
  void aStalledConsumerCostsBoundedMemoryAndDropsAreCounted() {
    Manual scheduler = new Manual();
    List<Integer> got = new ArrayList<>();
    EventBatcher<Integer> b = new EventBatcher<>(3, 10, scheduler, got::add);
    assertThat(b.offer(1)).isTrue();
    assertThat(b.offer(2)).isTrue();
    assertThat(b.offer(3)).isTrue();
    assertThat(b.offer(4)).isFalse();
    assertThat(b.offer(5)).isFalse();
    assertThat(b.waiting()).isEqualTo(3);
    assertThat(b.dropped()).isEqualTo(2);
    scheduler.runAll();
    assertThat(got).containsExactly(1, 2, 3);
    assertThat(b.offer(6)).isTrue(); // room again
    scheduler.runAll();
    assertThat(got).containsExactly(1, 2, 3, 6);
    assertThat(b.dropped()).isEqualTo(2);
  }

  @Test
  void aConsumerThatThrowsDoesNotStrandTheEventsBehindIt() {
    Manual scheduler = new Manual();
    List<Integer> got = new ArrayList<>();
    EventBatcher<Integer> b = new EventBatcher<>(100, 10, scheduler, e -> {
      if (e == 2) {
        throw new IllegalStateException("consumer failure");
      }
      got.add(e);
    });
    b.offer(1);
    b.offer(2);
    b.offer(3);
    scheduler.runAll();
    assertThat(got).containsExactly(1, 3);
    assertThat(b.dropped()).isEqualTo(1);
    assertThat(b.waiting()).isZero();
  }

  @Test
  void manyProducersEachEventDeliveredExactlyOnceInEachProducersOrder() throws Exception {
    ScheduledExecutorService consumerThread = Executors.newSingleThreadScheduledExecutor();
    int producers = 4;
    int perProducer = 20_000;
    List<long[]> got = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch all = new CountDownLatch(producers * perProducer);
    int[] schedules = new int[1];
    EventBatcher<long[]> b = new EventBatcher<>(producers * perProducer, 1, (delay, task) -> {
      synchronized (schedules) {
        schedules[0]++;
      }
      consumerThread.schedule(task, delay, TimeUnit.MILLISECONDS);
    }, e -> {
      got.add(e);
      all.countDown();
    });
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      long id = p;
      Thread t = new Thread(() -> {
        for (int i = 0; i < perProducer; i++) {
          b.offer(new long[] {id, i});
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
    consumerThread.shutdown();
    assertThat(consumerThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(got).hasSize(producers * perProducer);
    long[] next = new long[producers];
    for (long[] e : got) {
      assertThat(e[1]).isEqualTo(next[(int) e[0]]);
      next[(int) e[0]]++;
    }
    assertThat(b.dropped()).isZero();
    assertThat(b.waiting()).isZero();
    // far fewer hand-overs than events
    assertThat(schedules[0]).isLessThan(producers * perProducer / 10);
  }
}
