package io.edhoc.service;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Hands events from any thread to one consumer on another thread in batches: the first event after
 * a quiet spell schedules one delivery {@code delayMillis} later, and that delivery takes every
 * event queued by then, in order. Under load that is one hand-over per window instead of one per
 * event (each a wake-up of the consumer's thread: on a busy host, a context switch on the cores
 * that the engine's crypto and the transports' I/O threads need); when idle, nothing is scheduled.
 *
 * <p>At most {@code capacity} events wait; beyond that an event is dropped and counted, so a
 * stalled consumer costs bounded memory.
 *
 * @param <T> the event
 */
final class EventBatcher<T> {
  private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final LongAdder dropped = new LongAdder();
  private final int capacity;
  private final long delayMillis;
  private final Scheduler scheduler;
  private final Consumer<T> consumer;

  /** Runs a task once, {@code delayMillis} from now, on the consumer's thread. */
  interface Scheduler {
    void schedule(long delayMillis, Runnable task);
  }

  EventBatcher(int capacity, long delayMillis, Scheduler scheduler, Consumer<T> consumer) {
    if (capacity < 1 || delayMillis < 1) {
      throw new IllegalArgumentException("capacity and delay must be at least 1");
    }
    this.capacity = capacity;
    this.delayMillis = delayMillis;
    this.scheduler = scheduler;
    this.consumer = consumer;
  }

  /** Queues {@code event} for the next delivery; false (and counted) when {@code capacity} wait already. */
  boolean offer(T event) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      dropped.increment();
      return false;
    }
    queue.add(event);
    if (scheduled.compareAndSet(false, true)) {
      scheduler.schedule(delayMillis, this::deliver);
    }
    return true;
  }

  /**
   * Delivers what is queued. The flag is cleared first: an event queued during the delivery either
   * is taken by it or schedules the next one, so none is left waiting without a delivery ahead of it.
   */
  void deliver() {
    scheduled.set(false);
    T event;
    while ((event = queue.poll()) != null) {
      size.decrementAndGet();
      try {
        consumer.accept(event);
      } catch (RuntimeException e) {
        // one consumer failure must not strand the events behind it
        dropped.increment();
      }
    }
  }

  /** Events waiting for a delivery. */
  int waiting() {
    return size.get();
  }

  /** Events dropped because {@code capacity} were waiting, or because the consumer threw. */
  long dropped() {
    return dropped.sum();
  }
}
