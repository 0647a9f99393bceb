package io.edhoc.oscore;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;

/**
 * Californium's protocol-stage executor with a count of the received datagrams queued in it: the
 * tasks handed to {@link #execute} from within {@link #receive} (where the connector passes a
 * received datagram to Californium's endpoint, which hands it to this executor) and not started
 * yet. Other tasks (the steps of exchanges, responses on their way out) are not counted: they
 * are not requests on their way to a resource.
 *
 * <p>{@link EdhocShedConnector} decides refusals on the receive thread, ahead of this executor;
 * what it lets through meets the engine queue only after the work queued here. Counting that work
 * as already waiting in the engine queue ({@link EngineQueue#shedIfFull(boolean, int)}) keeps the
 * receive thread from letting through more requests than the queue has places left: without it,
 * under twice the capacity 42-44 % of the refusals were decided after this executor instead, and
 * those made the refusals' tail (docs/performance.md, "The refusals decided late").
 *
 * <p>Scheduled and submitted tasks (Californium's timers) are passed on as they are. The count is
 * exact: a task is counted when handed over and uncounted when it starts or is refused.
 */
public final class CountingExecutor implements ScheduledExecutorService {
  private final ScheduledExecutorService delegate;
  private final AtomicInteger waiting = new AtomicInteger();
  /** Set on a thread while it hands a received datagram to Californium ({@link #receive}). */
  private final ThreadLocal<Boolean> receiving = ThreadLocal.withInitial(() -> Boolean.FALSE);

  public CountingExecutor(ScheduledExecutorService delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * Installs on {@code server} Californium's default executors (what {@link CoapServer#start()}
   * would create: {@link CoapConfig#PROTOCOL_STAGE_THREAD_COUNT} threads "CoapServer(main)#" and
   * the secondary scheduler), the main one counted; the server shuts both down when destroyed.
   * Call before the server starts.
   */
  public static CountingExecutor installOn(CoapServer server, Configuration cfg) {
    CountingExecutor main = new CountingExecutor(ExecutorsUtil.newScheduledThreadPool(cfg.get(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT),
        new NamedThreadFactory("CoapServer(main)#")));
    server.setExecutors(main, ExecutorsUtil.newDefaultSecondaryScheduler("CoapServer(secondary)#"), false);
    return main;
  }

  /** Received datagrams handed to this executor ({@link #receive}) and not started yet. */
  public int waiting() {
    return Math.max(0, waiting.get());
  }

  /** Hands {@code raw} to {@code endpoint} (Californium's), counting what it queues here for it. */
  public void receive(RawDataChannel endpoint, RawData raw) {
    receiving.set(Boolean.TRUE);
    try {
      endpoint.receiveData(raw);
    } finally {
      receiving.set(Boolean.FALSE);
    }
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    if (!receiving.get()) {
      delegate.execute(task);
      return;
    }
    waiting.incrementAndGet();
    try {
      delegate.execute(() -> {
        waiting.decrementAndGet();
        task.run();
      });
    } catch (RuntimeException refused) {
      waiting.decrementAndGet();
      throw refused;
    }
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return delegate.schedule(command, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return delegate.schedule(callable, delay, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    return delegate.scheduleAtFixedRate(command, initialDelay, period, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return delegate.scheduleWithFixedDelay(command, initialDelay, delay, unit);
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  /** As the delegate's; the tasks it returns were never started, so the count starts again from zero. */
  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> never = delegate.shutdownNow();
    waiting.set(0);
    return never;
  }

  @Override
  public boolean isShutdown() {
    return delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }

  @Override
  public <T> Future<T> submit(Callable<T> task) {
    return delegate.submit(task);
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    return delegate.submit(task, result);
  }

  @Override
  public Future<?> submit(Runnable task) {
    return delegate.submit(task);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
    return delegate.invokeAll(tasks);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.invokeAll(tasks, timeout, unit);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
    return delegate.invokeAny(tasks);
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return delegate.invokeAny(tasks, timeout, unit);
  }
}
