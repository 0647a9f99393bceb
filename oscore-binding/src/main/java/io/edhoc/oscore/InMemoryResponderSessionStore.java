package io.edhoc.oscore;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded in-memory {@link ResponderSessionStore} for one process, O(1) per operation at any
 * occupancy and without a global lock.
 *
 * <p><b>Layout.</b> States live in a {@link ConcurrentHashMap} keyed by C_R. Expiry is a timing
 * wheel: {@value #SLOTS} slots of {@value #TICK_MILLIS} ms, each entry filed once in the slot of
 * its deadline, in a doubly linked list through the entry itself. {@link #sweep()} (called by
 * {@link #put}, {@link #size()} and {@link #evictions()}, and by an application on a schedule)
 * visits only the slots whose time has come since the last sweep; each entry still stored is
 * visited once when its slot comes round (once more per {@value #SLOTS} x {@value #TICK_MILLIS} ms
 * for time-to-live values longer than that). {@link #take} unlinks its entry from the wheel at
 * once, so completed handshakes cost the sweep nothing and leave no object behind for 30 s. So the
 * work of expiry is amortised O(1) per stored state, {@link #contains} is one hash lookup and
 * {@link #take} one hash removal plus one unlink.
 * {@link #entriesVisited()} counts the entries the sweeps examined, so tests can assert that.
 *
 * <p><b>Policy when full</b>: new sessions are <b>refused</b> ({@link #put} returns false, counted in
 * {@link #refusals()}), after expired states have been swept. Refusing rather than evicting the
 * oldest keeps a flood of message_1 from pushing out handshakes that are about to complete;
 * expiry bounds how long a flood can hold the store. Expired states are dropped, counted in
 * {@link #evictions()}, and their bytes overwritten with zeros. {@link #take} and {@link #contains}
 * check the exact deadline; {@link #size()} may count a state up to one tick after its deadline.
 *
 * <p>The clock is injectable for tests.
 */
public final class InMemoryResponderSessionStore implements ResponderSessionStore {
  static final int TICK_MILLIS = 100;
  static final int SLOTS = 1024;

  private final int maxSessions;
  private final Clock clock;
  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicInteger live = new AtomicInteger();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder refusals = new LongAdder();
  private final Slot[] wheel = new Slot[SLOTS];
  private final ReentrantLock sweepLock = new ReentrantLock();
  /** The last tick whose slot has been swept (guarded by sweepLock; read without it as a hint). */
  private volatile long sweptTick = Long.MIN_VALUE;
  private final AtomicLong visited = new AtomicLong();

  /**
   * A stored state; {@code state} is cleared by whoever removes the entry from the map. Filed in
   * the wheel slot of its deadline through its own links, so that a take unlinks it at once: a
   * completed handshake leaves nothing behind for the sweep (nor for the collector to copy).
   */
  private static final class Entry {
    final Key key;
    final long deadline;
    volatile byte[] state;
    Slot slot; // the fields from here on are guarded by the slot's monitor; null: not filed
    Entry prev;
    Entry next;

    Entry(Key key, byte[] state, long deadline) {
      this.key = key;
      this.state = state;
      this.deadline = deadline;
    }
  }

  /** Entries whose deadline falls in one tick (modulo the wheel's span): a doubly linked list. */
  private static final class Slot {
    private Entry head;

    synchronized void add(Entry e) {
      e.slot = this;
      e.prev = null;
      e.next = head;
      if (head != null) {
        head.prev = e;
      }
      head = e;
    }

    /** Unlinks {@code e} if it is still filed here (O(1)). */
    synchronized void remove(Entry e) {
      if (e.slot != this) {
        return;
      }
      if (e.prev == null) {
        head = e.next;
      } else {
        e.prev.next = e.next;
      }
      if (e.next != null) {
        e.next.prev = e.prev;
      }
      e.slot = null;
      e.prev = null;
      e.next = null;
    }

    /** Takes every entry filed here; the caller files those due later again. */
    synchronized Entry drain() {
      Entry l = head;
      head = null;
      for (Entry e = l; e != null; e = e.next) {
        e.slot = null; // links kept until the caller has walked the list
      }
      return l;
    }
  }

  /** A byte-string key compared by value. */
  private record Key(byte[] id) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(id, k.id);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(id);
    }
  }

  public InMemoryResponderSessionStore(int maxSessions) {
    this(maxSessions, Clock.systemUTC());
  }

  public InMemoryResponderSessionStore(int maxSessions, Clock clock) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1");
    }
    this.maxSessions = maxSessions;
    this.clock = Objects.requireNonNull(clock);
    for (int i = 0; i < SLOTS; i++) {
      wheel[i] = new Slot();
    }
  }

  @Override
  public boolean put(byte[] connectionIdR, byte[] state, Duration timeToLive) {
    Objects.requireNonNull(connectionIdR);
    Objects.requireNonNull(state);
    if (timeToLive.isNegative() || timeToLive.isZero()) {
      throw new IllegalArgumentException("timeToLive must be positive");
    }
    long now = clock.millis();
    sweep(now);
    Key key = new Key(connectionIdR.clone());
    Entry existing = entries.get(key);
    if (existing != null && existing.deadline > now) {
      return false;
    }
    // reserve a place first, so that concurrent puts never exceed the bound
    int n;
    do {
      n = live.get();
      if (n >= maxSessions) {
        refusals.increment();
        return false;
      }
    } while (!live.compareAndSet(n, n + 1));
    long deadline = now + Math.max(1, timeToLive.toMillis());
    Entry e = new Entry(key, state.clone(), deadline);
    if (existing != null && entries.remove(key, existing)) {
      // an expired state under the same identifier, not swept yet
      wheel[slotOf(ceilDiv(existing.deadline, TICK_MILLIS))].remove(existing);
      drop(existing);
    }
    if (entries.putIfAbsent(key, e) != null) {
      live.decrementAndGet();
      Arrays.fill(e.state, (byte) 0);
      return false;
    }
    wheel[slotOf(ceilDiv(deadline, TICK_MILLIS))].add(e);
    return true;
  }

  @Override
  public byte[] take(byte[] connectionIdR) {
    Entry e = entries.remove(new Key(connectionIdR));
    if (e == null) {
      return null;
    }
    live.decrementAndGet();
    byte[] s = e.state;
    e.state = null;
    wheel[slotOf(ceilDiv(e.deadline, TICK_MILLIS))].remove(e); // nothing left for the sweep
    if (clock.millis() >= e.deadline) {
      Arrays.fill(s, (byte) 0);
      evictions.increment();
      return null;
    }
    return s;
  }

  @Override
  public boolean contains(byte[] connectionIdR) {
    Entry e = entries.get(new Key(connectionIdR));
    return e != null && clock.millis() < e.deadline;
  }

  @Override
  public int size() {
    sweep(clock.millis());
    return live.get();
  }

  @Override
  public long evictions() {
    sweep(clock.millis());
    return evictions.sum();
  }

  /** Puts refused because the store was full. */
  public long refusals() {
    return refusals.sum();
  }

  public int maxSessions() {
    return maxSessions;
  }

  /**
   * Entries examined by sweeps since creation (expired ones dropped, taken ones forgotten, and
   * those kept for a later round of the wheel). Lookups by {@link #contains} and {@link #take}
   * examine none. Exposed so that tests can assert the amortised O(1) cost by counting work.
   */
  public long entriesVisited() {
    return visited.get();
  }

  /**
   * Drops the states whose deadline has passed, visiting only the wheel slots whose time came
   * since the last sweep. Cheap when nothing is due; an application may call it on a schedule so
   * that memory is returned even when no new handshake arrives.
   */
  public void sweep() {
    sweep(clock.millis());
  }

  private void sweep(long now) {
    long nowTick = Math.floorDiv(now, TICK_MILLIS);
    if (sweptTick >= nowTick || !sweepLock.tryLock()) {
      return; // nothing due, or another thread is sweeping
    }
    try {
      long from = sweptTick;
      if (from == Long.MIN_VALUE) {
        from = nowTick - 1;
      }
      if (from >= nowTick) {
        return;
      }
      long slots = Math.min(nowTick - from, SLOTS);
      for (long t = nowTick - slots + 1; t <= nowTick; t++) {
        sweepSlot(wheel[slotOf(t)], now);
      }
      sweptTick = nowTick;
    } finally {
      sweepLock.unlock();
    }
  }

  private void sweepSlot(Slot slot, long now) {
    Entry e = slot.drain();
    while (e != null) {
      Entry next = e.next;
      e.prev = null;
      e.next = null;
      visited.incrementAndGet();
      if (e.state == null) {
        // taken between the drain and here
      } else if (e.deadline > now) {
        slot.add(e); // a later round of the wheel
      } else if (entries.remove(e.key, e)) {
        drop(e);
      }
      e = next;
    }
  }

  private void drop(Entry e) {
    live.decrementAndGet();
    byte[] s = e.state;
    e.state = null;
    if (s != null) {
      Arrays.fill(s, (byte) 0);
    }
    evictions.increment();
  }

  private static int slotOf(long tick) {
    return (int) Math.floorMod(tick, (long) SLOTS);
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
