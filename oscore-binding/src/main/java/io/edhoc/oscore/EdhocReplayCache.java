package io.edhoc.oscore;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
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
 *   <li>refusals (4.01 Echo, 4.29, 5.03) are not kept: a copy is judged afresh, and the entry is
 *       unlinked at once, so refusals under a flood neither occupy the bound nor linger in memory.
 * </ul>
 *
 * Entries are kept for {@code retentionMillis} after the request arrived (by default the
 * endpoint's MAX_TRANSMIT_SPAN, within which a CoAP client retransmits a confirmable request).
 * At most {@code maxEntries} are kept; beyond it a request is processed without deduplication (a
 * lost response then costs one recomputation, as RFC 9528 allows for message_1). A request delayed
 * in the network longer than the retention is processed again.
 *
 * <p><b>Layout.</b> An entry is one small object ({@code Entry}: the key as three primitive
 * fields, deadline, answer, its place in the ring) plus its answer's bytes; no key objects, map
 * nodes or queue nodes. Entries live in {@value #STRIPES} stripes chosen by the key's hash, each
 * under its own lock, with a ring of its entries in arrival order, which is deadline order (the
 * sweep on every {@link #begin} pops expired entries from the ring's oldest end, amortised O(1),
 * {@link #entriesVisited()} counts), and an open-addressing table of ring positions (linear
 * probing, a per-cache random seed in the hash so that sources cannot aim at one cluster). An
 * abandoned entry leaves a hole that the sweep skips; a ring full of holes is compacted, amortised
 * O(1). These entries outlive many young collections (they are kept for 45 s) and the cache is
 * written on every request, so where it writes references matters to a copying collector: the
 * ring takes them at its two ends, a few cards of the old generation per young collection, and the
 * table holds ints, none (a table of references took a write into a scattered card per request
 * and per expiry, which the next young collection had to scan; docs/performance.md).
 */
public final class EdhocReplayCache {
  static final int STRIPES = 16;

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

  /** What {@link #begin} returns: the state, and for NEW the handle to complete or abandon. */
  public static final class Slot {
    private static final Slot PENDING = new Slot(State.PENDING, null, -1, null);
    private static final Slot UNTRACKED = new Slot(State.UNTRACKED, null, -1, null);

    private final State state;
    private final Entry entry;
    private final int code;
    private final byte[] payload;

    private Slot(State state, Entry entry, int code, byte[] payload) {
      this.state = state;
      this.entry = entry;
      this.code = code;
      this.payload = payload;
    }

    public State state() {
      return state;
    }

    /** DONE only: a fresh copy of the response that was sent. */
    public Response response() {
      if (state != State.DONE) {
        throw new IllegalStateException("no answer kept for a " + state + " slot");
      }
      Response r = new Response(ResponseCode.valueOf(code));
      if (payload != null && payload.length > 0) {
        r.setPayload(payload.clone());
        r.getOptions().setContentFormat(EdhocOption.EDHOC_CBOR_SEQ);
      }
      return r;
    }
  }

  /** One request: key (address as 16 bytes, IPv4 mapped; port and Message ID), deadline, answer. */
  private static final class Entry {
    final long addrHi;
    final long addrLo;
    final int portMid;
    final long deadline;
    final Stripe stripe;
    int code = -1; // guarded by the stripe's lock, as are the fields below
    byte[] payload;
    /** Its index in the stripe's ring, -1 once removed. */
    int pos = -1;

    Entry(long addrHi, long addrLo, int portMid, long deadline, Stripe stripe) {
      this.addrHi = addrHi;
      this.addrLo = addrLo;
      this.portMid = portMid;
      this.deadline = deadline;
      this.stripe = stripe;
    }

    boolean is(long hi, long lo, int pm) {
      return addrHi == hi && addrLo == lo && portMid == pm;
    }
  }

  private final Stripe[] stripes = new Stripe[STRIPES];
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong visited = new AtomicLong();
  private final int maxEntries;
  private final long retentionMillis;
  private final LongSupplier millis;
  private final long seed = new java.security.SecureRandom().nextLong();

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
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
  }

  /** Looks the request up; a NEW slot is now pending under this peer and Message ID. */
  public Slot begin(InetSocketAddress peer, int mid) {
    long now = millis.getAsLong();
    long hi = addrHi(peer);
    long lo = addrLo(peer);
    int pm = portMid(peer, mid);
    int h = hash(hi, lo, pm);
    Stripe st = stripes[h & (STRIPES - 1)];
    if (size.get() >= maxEntries) {
      sweep(now); // full: expired entries of the other stripes count until swept (one lock at a time)
    }
    st.lock.lock();
    try {
      st.sweep(now);
      Entry prior = st.find(hi, lo, pm, h);
      if (prior != null) {
        if (prior.deadline > now) {
          return prior.code < 0 ? Slot.PENDING : new Slot(State.DONE, null, prior.code, prior.payload);
        }
        st.unlink(prior); // expired but not swept yet (an entry before it in the ring is still alive)
      }
      if (!reserve()) {
        return Slot.UNTRACKED;
      }
      Entry e = new Entry(hi, lo, pm, now + retentionMillis, st);
      st.link(e, h);
      return new Slot(State.NEW, e, -1, null);
    } finally {
      st.lock.unlock();
    }
  }

  /**
   * Takes a place for one entry, or false when all {@code maxEntries} are taken. Compare-and-set,
   * not increment-then-undo: the count never shows more than the bound, even for an instant
   * (another thread's {@link #size()} read one over it).
   */
  private boolean reserve() {
    for (int n = size.get(); n < maxEntries; n = size.get()) {
      if (size.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    return false;
  }

  /** True when a copy of this request is pending or answered (a new copy would be deduplicated). */
  public boolean holds(InetSocketAddress peer, int mid) {
    long hi = addrHi(peer);
    long lo = addrLo(peer);
    int pm = portMid(peer, mid);
    int h = hash(hi, lo, pm);
    Stripe st = stripes[h & (STRIPES - 1)];
    st.lock.lock();
    try {
      Entry prior = st.find(hi, lo, pm, h);
      return prior != null && prior.deadline > millis.getAsLong();
    } finally {
      st.lock.unlock();
    }
  }

  /** The NEW slot's request was answered with {@code r}: keep its code and payload. */
  public void complete(Slot slot, Response r) {
    if (slot.state != State.NEW) {
      return;
    }
    byte[] p = r.getPayload();
    byte[] kept = p == null || p.length == 0 ? null : p.clone();
    Entry e = slot.entry;
    e.stripe.lock.lock();
    try {
      e.payload = kept;
      e.code = r.getCode().value;
    } finally {
      e.stripe.lock.unlock();
    }
  }

  /** The NEW slot's request was refused before the engine: forget it, so a copy is judged afresh. */
  public void abandon(Slot slot) {
    if (slot.state != State.NEW) {
      return;
    }
    Entry e = slot.entry;
    e.stripe.lock.lock();
    try {
      if (e.pos >= 0 && e.code < 0) {
        e.stripe.unlink(e);
      }
    } finally {
      e.stripe.lock.unlock();
    }
  }

  /** Entries held (pending or answered). */
  public int size() {
    sweep();
    return size.get();
  }

  /** Entries examined by sweeps since creation (for tests that count the work). */
  public long entriesVisited() {
    return visited.get();
  }

  /** Table slots examined by lookups since creation (for tests that count the work). */
  long probes() {
    long n = 0;
    for (Stripe st : stripes) {
      st.lock.lock();
      try {
        n += st.probes;
      } finally {
        st.lock.unlock();
      }
    }
    return n;
  }

  /** Ring slots allocated over all stripes (for tests that bound the memory). */
  int ringSlots() {
    int n = 0;
    for (Stripe st : stripes) {
      st.lock.lock();
      try {
        n += st.ring.length;
      } finally {
        st.lock.unlock();
      }
    }
    return n;
  }

  /** Drops expired entries; cheap when none is due (an application may call it on a schedule). */
  public void sweep() {
    sweep(millis.getAsLong());
  }

  private void sweep(long now) {
    for (Stripe st : stripes) {
      st.lock.lock();
      try {
        st.sweep(now);
      } finally {
        st.lock.unlock();
      }
    }
  }

  /** One lock's share: its entries in a ring in arrival order, and a table of their ring positions. */
  private final class Stripe {
    final ReentrantLock lock = new ReentrantLock();
    /** Entries from the oldest ({@code head}) on, {@code used} slots of them (holes included); null: a hole. */
    Entry[] ring = new Entry[16];
    int head;
    int used;
    int count;
    /** Ring position + 1 of each entry at its probe place; 0: empty. Twice the ring's capacity. */
    int[] table = new int[32];
    long probes;

    private int tableIndex(int h) {
      return (h >>> 4) & (table.length - 1);
    }

    Entry find(long hi, long lo, int pm, int h) {
      int mask = table.length - 1;
      for (int i = tableIndex(h);; i = (i + 1) & mask) {
        probes++;
        int t = table[i];
        if (t == 0) {
          return null;
        }
        Entry e = ring[t - 1];
        if (e.is(hi, lo, pm)) {
          return e;
        }
      }
    }

    void link(Entry e, int h) {
      if (used == ring.length) {
        resize(2 * count >= ring.length ? 2 * ring.length : ring.length); // grow, or only close the holes
      }
      int p = (head + used) & (ring.length - 1);
      ring[p] = e;
      e.pos = p;
      used++;
      count++;
      place(p, h);
    }

    private void place(int p, int h) {
      int mask = table.length - 1;
      int i = tableIndex(h);
      while (table[i] != 0) {
        i = (i + 1) & mask;
      }
      table[i] = p + 1;
    }

    /** Removes {@code e} from the table (backward-shift deletion) and leaves a hole in the ring, O(1) expected. */
    void unlink(Entry e) {
      int mask = table.length - 1;
      int i = tableIndex(hash(e.addrHi, e.addrLo, e.portMid));
      while (table[i] != e.pos + 1) {
        i = (i + 1) & mask;
      }
      // close the gap: move later entries of the cluster back if their home allows it
      for (int j = (i + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
        Entry m = ring[table[j] - 1];
        int home = tableIndex(hash(m.addrHi, m.addrLo, m.portMid));
        if (((j - home) & mask) >= ((j - i) & mask)) {
          table[i] = table[j];
          i = j;
        }
      }
      table[i] = 0;
      ring[e.pos] = null;
      e.pos = -1;
      e.payload = null;
      count--;
      size.decrementAndGet();
      skipHoles();
    }

    /** Drops holes at both ends (a refusal's entry, abandoned right after it was added, is the newest). */
    private void skipHoles() {
      int mask = ring.length - 1;
      while (used > 0 && ring[head] == null) {
        head = (head + 1) & mask;
        used--;
      }
      while (used > 0 && ring[(head + used - 1) & mask] == null) {
        used--;
      }
    }

    /** Pops expired entries from the oldest end: arrival order is deadline order within a stripe. */
    void sweep(long now) {
      Entry e;
      while (used > 0 && (e = ring[head]).deadline <= now) {
        visited.incrementAndGet();
        unlink(e);
      }
    }

    /** Copies the entries, in order and without holes, into a ring of {@code capacity}, and rebuilds the table. */
    private void resize(int capacity) {
      Entry[] r = new Entry[capacity];
      int n = 0;
      int mask = ring.length - 1;
      for (int k = 0; k < used; k++) {
        Entry e = ring[(head + k) & mask];
        if (e != null) {
          e.pos = n;
          r[n++] = e;
        }
      }
      ring = r;
      head = 0;
      used = n;
      table = new int[2 * capacity];
      for (int k = 0; k < n; k++) {
        place(k, hash(r[k].addrHi, r[k].addrLo, r[k].portMid));
      }
    }
  }

  private int hash(long hi, long lo, int pm) {
    long x = seed ^ hi;
    x = mix(x) ^ lo;
    x = mix(x) ^ pm;
    return (int) (mix(x) >>> 32);
  }

  /** The finaliser of MurmurHash3 (64 bit): every input bit affects every output bit. */
  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    x ^= x >>> 33;
    return x;
  }

  private static long addrHi(InetSocketAddress peer) {
    byte[] a = peer.getAddress().getAddress();
    return a.length == 16 ? bytesToLong(a, 0) : 0L;
  }

  private static long addrLo(InetSocketAddress peer) {
    byte[] a = peer.getAddress().getAddress();
    if (a.length == 16) {
      return bytesToLong(a, 8);
    }
    // IPv4 as the IPv4-mapped IPv6 address ::ffff:a.b.c.d (RFC 4291 2.5.5.2): one key space
    return 0x0000ffff00000000L | ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
  }

  private static int portMid(InetSocketAddress peer, int mid) {
    return (peer.getPort() & 0xffff) << 16 | (mid & 0xffff);
  }

  private static long bytesToLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (b[off + i] & 0xffL);
    }
    return v;
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
