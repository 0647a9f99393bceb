package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.Test;

class EdhocReplayCacheTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 40000);

  @Test
  void aCopyWhileProcessingIsIgnoredAndACopyAfterwardsGetsTheSameAnswer() {
    EdhocReplayCache c = new EdhocReplayCache(10, 45_000, now::get);
    EdhocReplayCache.Slot first = c.begin(peer, 7);
    assertThat(first.state()).isEqualTo(EdhocReplayCache.State.NEW);
    assertThat(c.begin(peer, 7).state()).isEqualTo(EdhocReplayCache.State.PENDING);
    assertThat(c.begin(peer, 8).state()).as("another Message ID").isEqualTo(EdhocReplayCache.State.NEW);
    assertThat(c.begin(new InetSocketAddress("127.0.0.1", 40001), 7).state()).as("another port").isEqualTo(EdhocReplayCache.State.NEW);
    Response r = new Response(ResponseCode.CHANGED);
    r.setPayload(new byte[] {1, 2, 3});
    c.complete(first, r);
    EdhocReplayCache.Slot again = c.begin(peer, 7);
    assertThat(again.state()).isEqualTo(EdhocReplayCache.State.DONE);
    Response copy = again.response();
    assertThat(copy.getCode()).isEqualTo(ResponseCode.CHANGED);
    assertThat(copy.getPayload()).containsExactly(1, 2, 3);
    assertThat(copy.getOptions().getContentFormat()).isEqualTo(EdhocOption.EDHOC_CBOR_SEQ);
    assertThat(c.size()).isEqualTo(3);
  }

  @Test
  void refusalsAreForgottenSoACopyIsJudgedAfresh() {
    EdhocReplayCache c = new EdhocReplayCache(10, 45_000, now::get);
    EdhocReplayCache.Slot s = c.begin(peer, 1);
    c.abandon(s);
    assertThat(c.size()).isZero();
    assertThat(c.begin(peer, 1).state()).isEqualTo(EdhocReplayCache.State.NEW);
  }

  @Test
  void entriesExpireInArrivalOrderVisitingEachOnce() {
    int n = 100_000;
    EdhocReplayCache c = new EdhocReplayCache(n, 45_000, now::get);
    for (int i = 0; i < n; i++) {
      EdhocReplayCache.Slot s = c.begin(new InetSocketAddress("127.0.0.1", 1024 + i % 50_000), i / 50_000);
      c.complete(s, new Response(ResponseCode.CHANGED));
    }
    assertThat(c.entriesVisited()).isZero();
    assertThat(c.begin(new InetSocketAddress("127.0.0.2", 9), 1).state()).as("full: no deduplication, still served").isEqualTo(EdhocReplayCache.State.UNTRACKED);
    now.addAndGet(45_000);
    assertThat(c.size()).isZero();
    assertThat(c.entriesVisited()).isEqualTo(n);
    assertThat(c.begin(peer, 1).state()).isEqualTo(EdhocReplayCache.State.NEW);
    assertThat(c.entriesVisited()).isEqualTo(n);
  }

  @Test
  void abandonedEntriesLeaveAtOnceAndCostTheSweepNothing() {
    int n = 10_000;
    EdhocReplayCache c = new EdhocReplayCache(n, 45_000, now::get);
    for (int i = 0; i < 3 * n; i++) { // three times the bound: refusals never fill the cache
      EdhocReplayCache.Slot s = c.begin(new InetSocketAddress("10.0.0.1", 1024 + i % 60_000), i / 60_000);
      assertThat(s.state()).isEqualTo(EdhocReplayCache.State.NEW);
      c.abandon(s);
    }
    assertThat(c.size()).isZero();
    now.addAndGet(45_000);
    c.sweep();
    assertThat(c.entriesVisited()).as("nothing of the refusals was left for the sweep").isZero();
  }

  /**
   * Requests refused while a later one was answered leave holes in the ring behind a live entry;
   * a ring full of holes is compacted instead of grown, so 200,000 refusals among 232 answered
   * requests cost no memory, and the answered entries stay found.
   */
  @Test
  void refusalsBehindLiveEntriesDoNotGrowTheRing() {
    EdhocReplayCache c = new EdhocReplayCache(2_000, 45_000, now::get); // room for a round of pending requests
    for (int i = 0; i < 32; i++) {
      c.complete(c.begin(new InetSocketAddress("192.0.2.1", 2000 + i), 1), new Response(ResponseCode.CHANGED));
    }
    EdhocReplayCache.Slot[] refused = new EdhocReplayCache.Slot[1_000];
    for (int round = 0; round < 200; round++) {
      for (int i = 0; i < refused.length; i++) {
        refused[i] = c.begin(new InetSocketAddress("10.0.0.1", 1024 + i), round);
      }
      c.complete(c.begin(new InetSocketAddress("192.0.2.2", 3000 + round), 1), new Response(ResponseCode.CHANGED));
      for (EdhocReplayCache.Slot s : refused) {
        c.abandon(s); // each a hole behind the answered request
      }
    }
    assertThat(c.size()).isEqualTo(232);
    // sized by a round's peak (1,000 pending at once over 16 stripes), not by the 200,000 places the refusals took
    assertThat(c.ringSlots()).as("ring slots over all stripes").isLessThanOrEqualTo(16 * 256);
    for (int i = 0; i < 32; i++) {
      assertThat(c.begin(new InetSocketAddress("192.0.2.1", 2000 + i), 1).state()).isEqualTo(EdhocReplayCache.State.DONE);
    }
    for (int round = 0; round < 200; round++) {
      assertThat(c.begin(new InetSocketAddress("192.0.2.2", 3000 + round), 1).state()).isEqualTo(EdhocReplayCache.State.DONE);
    }
  }

  @Test
  void lookupsProbeAFewSlotsAtFullOccupancy() {
    int n = 100_000;
    EdhocReplayCache c = new EdhocReplayCache(n, 45_000, now::get);
    for (int i = 0; i < n; i++) {
      c.begin(new InetSocketAddress("192.0.2.7", 1024 + i % 50_000), i / 50_000);
    }
    long before = c.probes();
    int lookups = 20_000;
    for (int i = 0; i < lookups; i++) {
      assertThat(c.begin(new InetSocketAddress("192.0.2.7", 1024 + i % 50_000), i / 50_000).state()).isEqualTo(EdhocReplayCache.State.PENDING);
      assertThat(c.holds(new InetSocketAddress("192.0.2.8", 1024 + i % 50_000), i / 50_000)).isFalse();
    }
    // linear probing at a load of at most one half: about 1.5 slots per hit, 2.5 per miss
    assertThat((double) (c.probes() - before) / (2 * lookups)).isLessThan(4.0);
  }

  @Test
  void addressesPortsAndMessageIdsAreDistinctKeys() throws Exception {
    EdhocReplayCache c = new EdhocReplayCache(100, 45_000, now::get);
    InetSocketAddress v4 = new InetSocketAddress(java.net.InetAddress.getByName("192.0.2.1"), 5683);
    InetSocketAddress v6 = new InetSocketAddress(java.net.InetAddress.getByName("2001:db8::c000:201"), 5683);
    InetSocketAddress v6b = new InetSocketAddress(java.net.InetAddress.getByName("2001:db8::1:c000:201"), 5683);
    assertThat(c.begin(v4, 1).state()).isEqualTo(EdhocReplayCache.State.NEW);
    assertThat(c.begin(v6, 1).state()).isEqualTo(EdhocReplayCache.State.NEW);
    assertThat(c.begin(v6b, 1).state()).isEqualTo(EdhocReplayCache.State.NEW);
    assertThat(c.begin(new InetSocketAddress(v4.getAddress(), 5684), 1).state()).isEqualTo(EdhocReplayCache.State.NEW);
    assertThat(c.begin(v4, 65_537).state()).as("Message IDs are 16 bits: 65537 is 1").isEqualTo(EdhocReplayCache.State.PENDING);
    assertThat(c.begin(v6, 1).state()).isEqualTo(EdhocReplayCache.State.PENDING);
    assertThat(c.size()).isEqualTo(4);
  }

  /** Random operations against a plain map: the table's deletions keep every other entry findable. */
  @Test
  void behavesAsASimpleMapUnderRandomOperations() {
    java.util.Random rnd = new java.util.Random(42);
    int max = 300;
    EdhocReplayCache c = new EdhocReplayCache(max, 1_000, now::get);
    java.util.Map<Integer, long[]> model = new java.util.HashMap<>(); // key -> {deadline, code}
    java.util.Map<Integer, EdhocReplayCache.Slot> open = new java.util.HashMap<>();
    for (int step = 0; step < 200_000; step++) {
      int key = rnd.nextInt(2_000);
      InetSocketAddress a = new InetSocketAddress("198.51.100." + (key % 7), 1000 + key);
      long t = now.get();
      model.values().removeIf(v -> v[0] <= t);
      int op = rnd.nextInt(10);
      if (op < 6) {
        long[] m = model.get(key);
        EdhocReplayCache.Slot s = c.begin(a, key);
        if (m != null) {
          assertThat(s.state()).isEqualTo(m[1] < 0 ? EdhocReplayCache.State.PENDING : EdhocReplayCache.State.DONE);
          if (m[1] >= 0) {
            assertThat(s.response().getCode().value).isEqualTo((int) m[1]);
          }
        } else if (model.size() >= max) {
          assertThat(s.state()).isEqualTo(EdhocReplayCache.State.UNTRACKED);
        } else {
          assertThat(s.state()).isEqualTo(EdhocReplayCache.State.NEW);
          model.put(key, new long[] {t + 1_000, -1});
          open.put(key, s);
        }
      } else if (op < 8) {
        EdhocReplayCache.Slot s = open.remove(key);
        if (s != null) {
          ResponseCode code = rnd.nextBoolean() ? ResponseCode.CHANGED : ResponseCode.BAD_REQUEST;
          c.complete(s, new Response(code));
          long[] m = model.get(key);
          if (m != null && m[1] < 0) {
            m[1] = code.value;
          }
        }
      } else if (op < 9) {
        EdhocReplayCache.Slot s = open.remove(key);
        if (s != null) {
          c.abandon(s);
          long[] m = model.get(key);
          if (m != null && m[1] < 0) {
            model.remove(key);
          }
        }
      } else {
        now.addAndGet(rnd.nextInt(40));
      }
      if (step % 1000 == 0) {
        long t2 = now.get();
        model.values().removeIf(v -> v[0] <= t2);
        assertThat(c.size()).isEqualTo(model.size());
      }
    }
  }

  /** Threads racing on overlapping keys: the bound holds, counts stay exact and all expires. */
  @Test
  void concurrentUseKeepsTheBoundAndTheCount() throws Exception {
    int max = 2_000;
    EdhocReplayCache c = new EdhocReplayCache(max, 1_000, now::get);
    int threads = 4;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.List<java.util.concurrent.Future<int[]>> done = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        done.add(pool.submit(() -> {
          java.util.Random rnd = new java.util.Random(seed);
          int news = 0;
          for (int i = 0; i < 50_000; i++) {
            int key = rnd.nextInt(5_000);
            EdhocReplayCache.Slot s = c.begin(new InetSocketAddress("203.0.113.1", 2000 + key), key);
            if (s.state() == EdhocReplayCache.State.NEW) {
              news++;
              if (rnd.nextBoolean()) {
                c.complete(s, new Response(ResponseCode.CHANGED));
              } else {
                c.abandon(s);
              }
            }
            if (i % 5_000 == 0) {
              assertThat(c.size()).isBetween(0, max);
            }
          }
          return new int[] {news};
        }));
      }
      int news = 0;
      for (java.util.concurrent.Future<int[]> f : done) {
        news += f.get(60, java.util.concurrent.TimeUnit.SECONDS)[0];
      }
      assertThat(news).isGreaterThan(max); // abandoned entries made room again and again
      // exactly the completed, unexpired entries remain: each key once, so never above 5,000 or max
      int held = c.size();
      assertThat(held).isBetween(1, max);
      int found = 0;
      for (int key = 0; key < 5_000; key++) {
        if (c.holds(new InetSocketAddress("203.0.113.1", 2000 + key), key)) {
          found++;
        }
      }
      assertThat(found).isEqualTo(held);
      now.addAndGet(1_000);
      assertThat(c.size()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }
}
