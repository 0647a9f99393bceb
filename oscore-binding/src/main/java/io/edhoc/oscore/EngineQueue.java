package io.edhoc.oscore;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded admission of requests to a {@link ResponderEngine}: a fixed set of worker threads and a
 * queue of bounded length in front of them. A transport {@link #offer}s each request; when the
 * queue is full the offer is refused at once and the transport answers "overloaded" (CoAP 5.03
 * with Max-Age, HTTP 503 with Retry-After) instead of letting the request wait. So the requests
 * that are admitted keep a bounded latency (at most the queue length times the engine's work per
 * request, divided by the workers), and a client that is refused learns it within a round trip.
 *
 * <p>Two classes of work. Handshake starts (message_1) are admitted while fewer than {@link
 * #capacity()} requests wait; requests that continue a handshake (message_3, reverse-flow
 * messages) are admitted up to twice that, and workers take them first: finishing a handshake
 * whose message_2 was already paid for is worth more than starting another one.
 *
 * <p>Offering, taking and refusing are O(1) under one short lock (no crypto runs under it).
 */
public final class EngineQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EngineQueue.class);

  private final String name;
  private final int workers;
  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition nonEmpty = lock.newCondition();
  private final ArrayDeque<Runnable> starts = new ArrayDeque<>();
  private final ArrayDeque<Runnable> continuations = new ArrayDeque<>();
  private final List<Thread> threads = new ArrayList<>();
  private final LongAdder shedStarts = new LongAdder();
  private final LongAdder shedContinuations = new LongAdder();
  private final LongAdder admitted = new LongAdder();
  private int running;
  private boolean closed;

  /**
   * @param name thread name prefix (e.g. "edhoc-coap")
   * @param workers threads running the engine (the machine's cores is a good figure: the work is
   *     public-key crypto)
   * @param capacity handshake starts that may wait (continuations: twice this)
   */
  public EngineQueue(String name, int workers, int capacity) {
    if (workers < 1 || capacity < 1) {
      throw new IllegalArgumentException("workers and capacity must be at least 1");
    }
    this.name = name;
    this.workers = workers;
    this.capacity = capacity;
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(this::work, name + "-" + i);
      t.setDaemon(true);
      // below the transports' I/O threads, which answer refusals and challenges: a no-op unless
      // the JVM maps Java priorities to the OS (Linux: -XX:ThreadPriorityPolicy=1, and
      // -XX:JavaPriority1_To_OSPriority=10 for nice 10; docs/service.md, "JVM options")
      t.setPriority(Thread.MIN_PRIORITY);
      threads.add(t);
      t.start();
    }
  }

  /** Workers = available processors, capacity = {@code perWorker} x workers. */
  public static EngineQueue sizedFromCores(String name, int workers, int perWorker) {
    int w = workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    return new EngineQueue(name, w, Math.max(1, perWorker) * w);
  }

  /**
   * Queues {@code task}; false (and nothing queued) when the queue is full for its class.
   *
   * @param start true for a handshake start (message_1), false for a request continuing one
   */
  public boolean offer(boolean start, Runnable task) {
    lock.lock();
    try {
      int waiting = starts.size() + continuations.size();
      if (closed || waiting >= (start ? capacity : 2 * capacity)) {
        (start ? shedStarts : shedContinuations).increment();
        return false;
      }
      (start ? starts : continuations).addLast(task);
      admitted.increment();
      nonEmpty.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Counts a shed and returns true when an offer of this class would be refused now, with {@code
   * ahead} more requests counted as waiting; false (nothing counted) otherwise. For a transport
   * that refuses before it has built the task, ahead of its own executor (CoAP: on the UDP receive
   * thread): {@code ahead} is the work already queued in that executor, which reaches this queue
   * first ({@link CountingExecutor}), 0 when not known.
   */
  public boolean shedIfFull(boolean start, int ahead) {
    lock.lock();
    try {
      int waiting = starts.size() + continuations.size() + Math.max(0, ahead);
      if (closed || waiting >= (start ? capacity : 2 * capacity)) {
        (start ? shedStarts : shedContinuations).increment();
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  private void work() {
    while (true) {
      Runnable task;
      lock.lock();
      try {
        while (starts.isEmpty() && continuations.isEmpty()) {
          if (closed) {
            return;
          }
          nonEmpty.await();
        }
        task = continuations.isEmpty() ? starts.pollFirst() : continuations.pollFirst();
        running++;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        LOG.warn("{}: engine task failed: {}", name, e.toString());
      } finally {
        lock.lock();
        try {
          running--;
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** Requests waiting (not yet running). */
  public int waiting() {
    lock.lock();
    try {
      return starts.size() + continuations.size();
    } finally {
      lock.unlock();
    }
  }

  /** Requests waiting or running. */
  public int inFlight() {
    lock.lock();
    try {
      return starts.size() + continuations.size() + running;
    } finally {
      lock.unlock();
    }
  }

  /** Waiting requests as a fraction of the start capacity (0 = idle, 1 = starts are being shed). */
  public double load() {
    return (double) waiting() / capacity;
  }

  public int capacity() {
    return capacity;
  }

  public int workers() {
    return workers;
  }

  /** Handshake starts refused because the queue was full. */
  public long shedStarts() {
    return shedStarts.sum();
  }

  /** Continuing requests refused because the queue was full. */
  public long shedContinuations() {
    return shedContinuations.sum();
  }

  /** Requests admitted since creation. */
  public long admitted() {
    return admitted.sum();
  }

  /** Stops the workers after the queued requests (waits up to 5 s); later offers are refused. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      nonEmpty.signalAll();
    } finally {
      lock.unlock();
    }
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
