package io.edhoc.oscore;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.KeyMID;
import org.eclipse.californium.core.network.deduplication.Deduplicator;

/**
 * Deduplication of EDHOC requests (RFC 7252 section 4.5) in a few hundred bytes per request,
 * instead of Californium's, which keeps the whole {@code Exchange} (request, response, option
 * sets, endpoint context: about 4 KiB) for EXCHANGE_LIFETIME (247 s). At many half-open
 * handshakes that retention, not the EDHOC state, dominated the heap.
 *
 * <p>Two parts. {@link #deduplicator(Deduplicator)} wraps the endpoint's Californium
 * deduplicator so that it does not track EDHOC requests (POST {@code /.well-known/edhoc} without
 * OSCORE); every other request is deduplicated by Californium as before. The {@link EdhocResource}
 * then deduplicates EDHOC requests itself with this cache, keyed by the peer's address and port
 * and the Message ID:
 *
 * <ul>
 *   <li>a new request is marked pending ({@link #begin} returns a slot in state NEW);
 *   <li>a copy that arrives while the first is processed is ignored (PENDING), as Californium does;
 *   <li>once answered, the slot keeps only the response code and payload (message_2 is about 100
 *       bytes); a copy then gets the same response again (DONE) without running the engine: a
 *       retransmitted message_1 gets the same message_2, a retransmitted message_3 the same
 *       message_4 or empty 2.04, instead of "unknown C_R";
 *   <li>refusals (4.01 Echo, 4.29, 5.03) are not kept: a copy is judged afresh.
 * </ul>
 *
 * Entries are kept for {@code retentionMillis} after the request arrived (by default the
 * endpoint's MAX_TRANSMIT_SPAN, within which a CoAP client retransmits a confirmable request),
 * in a FIFO whose head is swept on every {@link #begin}: arrival order is deadline order, so the
 * sweep is amortised O(1) ({@link #entriesVisited()} counts). At most {@code maxEntries} are kept;
 * beyond it a request is processed without deduplication (a lost response then costs one
 * recomputation, as RFC 9528 allows for message_1). A request delayed in the network longer than
 * the retention is processed again.
 */
public final class EdhocReplayCache {
  /** What {@link #begin} found. */
  public enum State {
    /** First copy: the caller processes it and then calls {@link #complete} or {@link #abandon}. */
    NEW,
    /** A copy of a request still being processed: ignore it. */
    PENDING,
    /** A copy of an answered request: send {@link Slot#response()}. */
    DONE,
    /** The cache is full: process without deduplication. */
    UNTRACKED
  }

  /** The cache entry of one request. */
  public static final class Slot {
    private final Key key;
    private final long deadline;
    private final State state;
    private final Slot entry;
    private volatile int code = -1;
    private volatile byte[] payload;

    private Slot(Key key, long deadline, State state, Slot entry) {
      this.key = key;
      this.deadline = deadline;
      this.state = state;
      this.entry = entry;
    }

    public State state() {
      return state;
    }

    /** DONE only: a fresh copy of the response that was sent. */
    public Response response() {
      Slot e = entry;
      Response r = new Response(ResponseCode.valueOf(e.code));
      byte[] p = e.payload;
      if (p != null && p.length > 0) {
        r.setPayload(p.clone());
        r.getOptions().setContentFormat(EdhocOption.EDHOC_CBOR_SEQ);
      }
      return r;
    }
  }

  /** Address bytes, port and Message ID, compared by value. */
  private record Key(byte[] b) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(b, k.b);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(b);
    }
  }

  private final ConcurrentHashMap<Key, Slot> map = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Slot> order = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong visited = new AtomicLong();
  private final java.util.concurrent.locks.ReentrantLock sweepLock = new java.util.concurrent.locks.ReentrantLock();
  private final int maxEntries;
  private final long retentionMillis;
  private final LongSupplier millis;

  public EdhocReplayCache(int maxEntries, long retentionMillis) {
    this(maxEntries, retentionMillis, () -> System.nanoTime() / 1_000_000);
  }

  EdhocReplayCache(int maxEntries, long retentionMillis, LongSupplier millis) {
    if (maxEntries < 1 || retentionMillis < 1) {
      throw new IllegalArgumentException("maxEntries and retention must be positive");
    }
    this.maxEntries = maxEntries;
    this.retentionMillis = retentionMillis;
    this.millis = millis;
  }

  /** Looks the request up; a NEW slot is now pending under this peer and Message ID. */
  public Slot begin(InetSocketAddress peer, int mid) {
    long now = millis.getAsLong();
    sweep(now);
    Key key = key(peer, mid);
    Slot prior = map.get(key);
    if (prior != null && prior.deadline > now) {
      return new Slot(key, prior.deadline, prior.code < 0 ? State.PENDING : State.DONE, prior);
    }
    if (size.incrementAndGet() > maxEntries) {
      size.decrementAndGet();
      return new Slot(key, now, State.UNTRACKED, null);
    }
    Slot s = new Slot(key, now + retentionMillis, State.NEW, null);
    if (prior != null) {
      if (map.replace(key, prior, s)) {
        size.decrementAndGet(); // the expired one is gone from the map (its FIFO node goes on the sweep)
      } else {
        size.decrementAndGet();
        Slot other = map.get(key);
        return other == null ? new Slot(key, now, State.UNTRACKED, null) : new Slot(key, other.deadline, State.PENDING, other);
      }
    } else if (map.putIfAbsent(key, s) != null) {
      size.decrementAndGet();
      Slot other = map.get(key);
      return other == null ? new Slot(key, now, State.UNTRACKED, null) : new Slot(key, other.deadline, State.PENDING, other);
    }
    order.add(s);
    return s;
  }

  /** The NEW slot's request was answered with {@code r}: keep its code and payload. */
  public void complete(Slot slot, Response r) {
    if (slot.state != State.NEW) {
      return;
    }
    byte[] p = r.getPayload();
    slot.payload = p == null || p.length == 0 ? null : p.clone();
    slot.code = r.getCode().value;
  }

  /** The NEW slot's request was refused before the engine: forget it, so a copy is judged afresh. */
  public void abandon(Slot slot) {
    if (slot.state == State.NEW && map.remove(slot.key, slot)) {
      size.decrementAndGet(); // its FIFO node is dropped by the sweep
    }
  }

  /** Entries held (pending or answered). */
  public int size() {
    sweep(millis.getAsLong());
    return size.get();
  }

  /** FIFO nodes examined by sweeps since creation (for tests that count the work). */
  public long entriesVisited() {
    return visited.get();
  }

  /** Drops expired entries; cheap when none is due (an application may call it on a schedule). */
  public void sweep() {
    sweep(millis.getAsLong());
  }

  private void sweep(long now) {
    Slot head = order.peek();
    if (head == null || head.deadline > now || !sweepLock.tryLock()) {
      return; // nothing due, or another thread sweeps
    }
    try {
      // only sweepers remove, under the lock, and arrival order is deadline order
      while ((head = order.peek()) != null && head.deadline <= now) {
        order.poll();
        visited.incrementAndGet();
        if (map.remove(head.key, head)) { // each slot leaves the map once: counted once
          size.decrementAndGet();
        }
      }
    } finally {
      sweepLock.unlock();
    }
  }

  private static Key key(InetSocketAddress peer, int mid) {
    byte[] a = peer.getAddress().getAddress();
    byte[] b = Arrays.copyOf(a, a.length + 4);
    int port = peer.getPort();
    b[a.length] = (byte) (port >>> 8);
    b[a.length + 1] = (byte) port;
    b[a.length + 2] = (byte) (mid >>> 8);
    b[a.length + 3] = (byte) mid;
    return new Key(b);
  }

  /** True for an EDHOC request of RFC 9528 A.2 to {@code /.well-known/edhoc} (not an OSCORE one). */
  public static boolean isEdhocRequest(Request r) {
    if (r == null || r.getCode() != org.eclipse.californium.core.coap.CoAP.Code.POST || r.getOptions().hasOscore()) {
      return false;
    }
    List<String> path = r.getOptions().getUriPath();
    return path.size() == 2 && path.get(0).equals(".well-known") && path.get(1).equals("edhoc");
  }

  /**
   * Californium's deduplicator for the endpoint, minus EDHOC requests (see the class
   * description): install it with {@code InMemoryMessageExchangeStore.setDeduplicator} before the
   * endpoint starts, and give the resource an {@link EdhocReplayCache}.
   */
  public static Deduplicator deduplicator(Deduplicator inner) {
    return new Deduplicator() {
      @Override
      public void start() {
        inner.start();
      }

      @Override
      public void stop() {
        inner.stop();
      }

      @Override
      public void setExecutor(ScheduledExecutorService executor) {
        inner.setExecutor(executor);
      }

      @Override
      public Exchange findPrevious(KeyMID key, Exchange exchange) {
        if (isEdhocRequest(exchange.getRequest())) {
          return null; // the EDHOC resource deduplicates compactly
        }
        return inner.findPrevious(key, exchange);
      }

      @Override
      public boolean replacePrevious(KeyMID key, Exchange previous, Exchange exchange) {
        return inner.replacePrevious(key, previous, exchange);
      }

      @Override
      public Exchange find(KeyMID key) {
        return inner.find(key);
      }

      @Override
      public boolean isEmpty() {
        return inner.isEmpty();
      }

      @Override
      public int size() {
        return inner.size();
      }

      @Override
      public void clear() {
        inner.clear();
      }
    };
  }
}
