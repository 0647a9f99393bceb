package io.edhoc.oscore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongLongTableTest {
  /** 300,000 random operations on keys from a small range (long clusters, many deletions): the table answers as a HashMap does. */
  @Test
  void agreesWithAPlainMapUnderRandomOperations() {
    LongLongTable t = new LongLongTable();
    Map<Long, Long> model = new HashMap<>();
    Random rnd = new Random(7);
    for (int op = 0; op < 300_000; op++) {
      long k = 1 + rnd.nextInt(5_000);
      if (rnd.nextInt(8) == 0) {
        k = OscoreContextStore.packedId(new byte[] {(byte) rnd.nextInt(4), (byte) rnd.nextInt(256)}); // structured keys too
      }
      switch (rnd.nextInt(3)) {
        case 0 -> {
          long v = rnd.nextLong();
          assertThat(t.put(k, v, -7)).isEqualTo(model.getOrDefault(k, -7L));
          model.put(k, v);
        }
        case 1 -> {
          assertThat(t.remove(k, -7)).isEqualTo(model.getOrDefault(k, -7L).longValue());
          model.remove(k);
        }
        default -> {
          assertThat(t.get(k, -7)).isEqualTo(model.getOrDefault(k, -7L).longValue());
          assertThat(t.containsKey(k)).isEqualTo(model.containsKey(k));
        }
      }
      assertThat(t.size()).isEqualTo(model.size());
    }
    for (Map.Entry<Long, Long> e : model.entrySet()) {
      assertThat(t.get(e.getKey(), 0)).isEqualTo(e.getValue().longValue());
    }
  }

  /** Lookups stay O(1) at 100,000 entries: under 3 slots examined on average, hits and misses alike. */
  @Test
  void lookupsProbeAFewSlotsAtAHundredThousandEntries() {
    LongLongTable t = new LongLongTable();
    for (int i = 0; i < 100_000; i++) {
      t.put(OscoreContextStore.packedId(new byte[] {(byte) (i >>> 16), (byte) (i >>> 8), (byte) i}), i, -1);
    }
    long before = t.probes();
    for (int i = 0; i < 200_000; i++) {
      t.get(OscoreContextStore.packedId(new byte[] {(byte) (i >>> 16), (byte) (i >>> 8), (byte) i}), -1);
    }
    assertThat((t.probes() - before) / 200_000.0).isLessThan(3.0);
  }

  @Test
  void keyZeroIsRefused() {
    LongLongTable t = new LongLongTable();
    assertThatThrownBy(() -> t.put(0, 1, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Every ID of 0..7 bytes gets its own non-zero key; longer IDs get 0 (no context can have one). */
  @Test
  void packedIdsAreDistinctAndNeverZero() {
    byte[][] ids = {{}, {0}, {0, 0}, {1}, {0, 1}, {1, 0}, {(byte) 0xff}, {0, 0, 0, 0, 0, 0, 0}, {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xff}, {1, 2, 3, 4, 5, 6, 7}};
    Map<Long, byte[]> seen = new HashMap<>();
    for (byte[] id : ids) {
      long k = OscoreContextStore.packedId(id);
      assertThat(k).isNotZero();
      assertThat(seen.put(k, id)).as(java.util.Arrays.toString(id)).isNull();
    }
    assertThat(OscoreContextStore.packedId(new byte[8])).isZero();
  }
}
