package io.edhoc.oscore.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import io.edhoc.oscore.OscoreContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The local store's ring and index ({@link LocalContextStore}) against a model: a LinkedHashMap in
 * creation order, where a creation or key update moves a context to the newest end, a reservation
 * keeps its place, and the bound evicts from the oldest end.
 */
class ContextRingTest {
  static OscoreContext ctx(int rid) {
    return OscoreContext.derive(new byte[16], new byte[0], new byte[] {0x20}, rid(rid), null, AeadAlgorithm.AES_CCM_16_64_128,
        HashAlgorithm.SHA_256);
  }

  static byte[] rid(int i) {
    return i < 0x100 ? new byte[] {(byte) i} : new byte[] {(byte) (i >>> 8), (byte) i};
  }

  @Test
  void agreesWithAnInsertionOrderedMapUnderRandomOperations() {
    int bound = 50;
    InMemoryOscoreContextStore s = new InMemoryOscoreContextStore(bound);
    List<Integer> evictedOrRemoved = new ArrayList<>();
    s.addListener((rid, holder) -> {
      if (holder == 0) {
        evictedOrRemoved.add(rid.length == 1 ? rid[0] & 0xff : (rid[0] & 0xff) << 8 | rid[1] & 0xff);
      }
    });
    Map<Integer, Long> model = new LinkedHashMap<>(); // rid -> generation, oldest first
    Map<Integer, OscoreContext> contexts = new HashMap<>();
    Random rnd = new Random(11);
    long modelEvictions = 0;
    for (int op = 0; op < 20_000; op++) {
      int r = rnd.nextInt(120);
      List<Integer> expectGone = new ArrayList<>();
      switch (rnd.nextInt(4)) {
        case 0 -> { // create
          OscoreContext c = contexts.computeIfAbsent(r, ContextRingTest::ctx);
          StoredContext made = s.create(c, 1 + rnd.nextInt(1000), 16);
          assertThat(made != null).isEqualTo(!model.containsKey(r));
          if (made != null) {
            model.put(r, made.generation());
            while (model.size() > bound) {
              Integer oldest = model.keySet().iterator().next();
              model.remove(oldest);
              expectGone.add(oldest);
              modelEvictions++;
            }
          }
        }
        case 1 -> { // reservation: keeps its place
          StoredContext got = s.acquire(rid(r), 1 + rnd.nextInt(1000), 16);
          assertThat(got != null).isEqualTo(model.containsKey(r));
        }
        case 2 -> { // key update: a new generation, now the newest
          Long g = model.get(r);
          StoredContext next = s.replace(rid(r), g == null ? 1 : g, contexts.computeIfAbsent(r, ContextRingTest::ctx), 5, 16);
          assertThat(next != null).isEqualTo(g != null);
          if (next != null) {
            model.remove(r);
            model.put(r, next.generation());
          }
        }
        default -> { // removal
          Long g = model.get(r);
          assertThat(s.remove(rid(r), g == null ? 1 : g)).isEqualTo(g != null);
          if (g != null) {
            model.remove(r);
            expectGone.add(r);
          }
        }
      }
      assertThat(evictedOrRemoved).isEqualTo(expectGone);
      evictedOrRemoved.clear();
      assertThat(s.size()).isEqualTo(model.size());
      assertThat(s.evictions()).isEqualTo(modelEvictions);
    }
    for (int r = 0; r < 120; r++) {
      OscoreContextStore.Versioned v = s.read(rid(r));
      assertThat(v != null).as("rid " + r).isEqualTo(model.containsKey(r));
      if (v != null) {
        assertThat(v.record().generation()).isEqualTo(model.get(r));
      }
    }
  }

  /** The server's pattern at the bound: one create per handshake, each evicting the oldest, 200,000 times over 10,000 contexts. */
  @Test
  void churnAtTheBoundEvictsInCreationOrder() {
    int bound = 10_000;
    InMemoryOscoreContextStore s = new InMemoryOscoreContextStore(bound);
    List<Integer> gone = new ArrayList<>();
    s.addListener((rid, holder) -> {
      if (holder == 0) {
        gone.add((rid[0] & 0xff) << 16 | (rid[1] & 0xff) << 8 | rid[2] & 0xff);
      }
    });
    for (int i = 0; i < 200_000; i++) {
      int r = i % 65_536 + 0x10000; // 3-byte IDs, reused once evicted
      OscoreContext c = OscoreContext.derive(new byte[16], new byte[0], new byte[] {0x20}, new byte[] {(byte) (r >>> 16), (byte) (r >>> 8), (byte) r},
          null, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
      assertThat(s.create(c, 1, 16)).isNotNull();
    }
    assertThat(s.size()).isEqualTo(bound);
    assertThat(s.evictions()).isEqualTo(200_000 - bound);
    for (int i = 0; i < gone.size(); i++) {
      assertThat(gone.get(i)).isEqualTo(i % 65_536 + 0x10000);
    }
  }

  @Test
  void anIdLongerThanAnyOscoreIdIsNeitherFoundNorStored() {
    InMemoryOscoreContextStore s = new InMemoryOscoreContextStore(10);
    assertThat(s.read(new byte[8])).isNull();
    assertThat(s.remove(new byte[8], 0)).isFalse();
    assertThat(s.compareAndSet(new byte[8], null, null)).as("removing what is not there").isTrue();
    assertThat(s.size()).isZero();
  }
}
