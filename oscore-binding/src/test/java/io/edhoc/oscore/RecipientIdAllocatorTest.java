package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecipientIdAllocatorTest {
  private final SecureRandom random = new SecureRandom();

  /** An identifier as a set element. */
  private static ByteBuffer k(byte[] id) {
    return ByteBuffer.wrap(id.clone());
  }

  @Test
  void costStaysConstantAndIdsStayUniqueUpToAHundredThousandLiveIds() {
    Set<ByteBuffer> live = new HashSet<>();
    RecipientIdAllocator a = new RecipientIdAllocator(random, 1, 7, id -> live.contains(k(id)), live::size);
    int n = 100_000;
    long maxPerCall = 0;
    for (int i = 0; i < n; i++) {
      long before = a.candidatesTried();
      byte[] id = a.allocate(null);
      maxPerCall = Math.max(maxPerCall, a.candidatesTried() - before);
      assertThat(live.add(k(id))).as("never a live identifier").isTrue();
    }
    // the space is kept at most a quarter full: about 4/3 checks per allocation on average
    assertThat((double) a.candidatesTried() / n).isLessThan(1.5);
    assertThat(maxPerCall).isLessThanOrEqualTo(2L * RecipientIdAllocator.TRIES_PER_SPACE);
    // the space grew with occupancy: short identifiers while few are live, 3 bytes at 100,000
    assertThat(live.stream().mapToInt(ByteBuffer::remaining).max().getAsInt()).isEqualTo(3);
  }

  @Test
  void shortIdentifiersWhileFewAreLive() {
    Set<ByteBuffer> live = new HashSet<>();
    RecipientIdAllocator a = new RecipientIdAllocator(random, 1, 7, id -> live.contains(k(id)), live::size);
    for (int i = 0; i < 10; i++) {
      byte[] id = a.allocate(null);
      assertThat(id).hasSize(1);
      int v = id[0] & 0xff;
      assertThat(v < 0x18 || (v >= 0x20 && v < 0x38)).as("a one-byte CBOR int").isTrue();
      live.add(k(id));
    }
  }

  @Test
  void aCountThatLiesStillCostsABoundedNumberOfChecks() {
    // the count says nothing is live while every 1- and 2-byte identifier is taken
    RecipientIdAllocator a = new RecipientIdAllocator(random, 1, 7, id -> id.length <= 2, () -> 0);
    for (int i = 0; i < 100; i++) {
      long before = a.candidatesTried();
      assertThat(a.allocate(null)).hasSizeGreaterThanOrEqualTo(3);
      // 48 short ints, 1-byte and 2-byte spaces fail after TRIES_PER_SPACE each
      assertThat(a.candidatesTried() - before).isLessThanOrEqualTo(3L * RecipientIdAllocator.TRIES_PER_SPACE + 8);
    }
  }

  @Test
  void neverThePeersIdentifierNorShorterThanTheMinimum() {
    byte[] peer = {0x05};
    RecipientIdAllocator one = new RecipientIdAllocator(random, 1, 1, id -> false, () -> 0);
    for (int i = 0; i < 2000; i++) {
      assertThat(one.allocate(peer)).isNotEqualTo(peer);
    }
    RecipientIdAllocator cluster = new RecipientIdAllocator(random, 4, 7, id -> false, () -> 0);
    assertThat(cluster.allocate(null)).hasSize(4);
  }

  @Test
  void failsWhenEveryIdentifierIsTaken() {
    RecipientIdAllocator a = new RecipientIdAllocator(random, 1, 2, id -> true, () -> 0);
    assertThatThrownBy(() -> a.allocate(null)).isInstanceOf(IllegalStateException.class);
    assertThat(a.candidatesTried()).isEqualTo(3L * RecipientIdAllocator.TRIES_PER_SPACE);
  }
}
