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
}
