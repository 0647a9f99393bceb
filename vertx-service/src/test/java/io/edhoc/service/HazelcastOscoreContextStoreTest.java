package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import io.edhoc.oscore.OscoreContext;
import io.edhoc.oscore.store.OscoreContextStore;
import io.edhoc.oscore.store.StoredContext;
import io.edhoc.service.cluster.ClusterSetup;
import io.edhoc.service.cluster.HazelcastOscoreContextStore;
import io.edhoc.service.config.ServiceConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster store on two Hazelcast members in this JVM (loopback, TCP/IP join): loaders on both
 * members take the context over and reserve concurrently, and no two callers ever get overlapping
 * Sender Sequence Number ranges; the other member hears of every change; the map holds only sealed
 * bytes; a member with another state key cannot read them.
 */
class HazelcastOscoreContextStoreTest {
  static final int STEP = 5;

  @Test
  @Timeout(120)
  void concurrentLoadersOnTwoMembersNeverGetOverlappingRanges() throws Exception {
    int base = 17200 + (int) (ProcessHandle.current().pid() % 150) * 2;
    List<HazelcastInstance> members = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      for (int i = 0; i < 2; i++) {
        ServiceConfig.Cluster c = new ServiceConfig.Cluster();
        c.port = base + i;
        c.portAutoIncrement = 0;
        c.members = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
        c.clusterName = "edhoc-hz-store-" + ProcessHandle.current().pid();
        members.add(Hazelcast.newHazelcastInstance(ClusterSetup.hazelcastConfig(c, 1000)));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (members.get(0).getCluster().getMembers().size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      byte[] key = new byte[32];
      key[3] = 3;
      HazelcastOscoreContextStore s0 = HazelcastOscoreContextStore.forCluster(members.get(0), key);
      HazelcastOscoreContextStore s1 = HazelcastOscoreContextStore.forCluster(members.get(1), key);
      ConcurrentLinkedQueue<Long> heardAt1 = new ConcurrentLinkedQueue<>();
      s1.addListener((rid, holder) -> heardAt1.add(holder));

      byte[] rid = {0x42};
      OscoreContext ctx = OscoreContext.derive(new byte[16], new byte[0], new byte[] {1}, rid, null, AeadAlgorithm.AES_CCM_16_64_128,
          HashAlgorithm.SHA_256);
      StoredContext created = s0.create(ctx, 1, STEP);
      assertThat(created).isNotNull();
      assertThat(s1.create(ctx, 2, STEP)).as("Recipient ID in use in the cluster").isNull();
      assertThat(HexFormat.of().formatHex(members.get(1).<String, byte[]>getMap(HazelcastOscoreContextStore.MAP_NAME).get("42")))
          .as("sealed").doesNotContain("00000000000000000000000000000000");

      ConcurrentLinkedQueue<Long> bounds = new ConcurrentLinkedQueue<>();
      bounds.add((long) STEP);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        OscoreContextStore s = t % 2 == 0 ? s0 : s1;
        fs.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < 25; i++) {
            long holder = OscoreContextStore.newGeneration();
            StoredContext r = s.acquire(rid, holder, STEP);
            bounds.add(r.ssnBound());
            long b = s.reserve(rid, r.generation(), holder, STEP);
            if (b >= 0) {
              bounds.add(b);
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : fs) {
        f.get(90, TimeUnit.SECONDS);
      }
      List<Long> sorted = new ArrayList<>(bounds);
      sorted.sort(null);
      assertThat(sorted).doesNotHaveDuplicates();
      for (int i = 1; i < sorted.size(); i++) {
        assertThat(sorted.get(i) - sorted.get(i - 1)).as("ranges of " + STEP + " never overlap").isGreaterThanOrEqualTo(STEP);
      }
      assertThat(sorted).hasSizeGreaterThanOrEqualTo(1 + 6 * 25);
      long last = sorted.get(sorted.size() - 1);
      assertThat(s1.read(rid).record().ssnBound()).isEqualTo(last);
      long endWait = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (heardAt1.size() < sorted.size() && System.nanoTime() < endWait) {
        Thread.sleep(20);
      }
      assertThat(heardAt1).as("member 1 hears every change made anywhere").hasSize(sorted.size());

      byte[] other = key.clone();
      other[0] = 1;
      HazelcastOscoreContextStore wrong = HazelcastOscoreContextStore.forCluster(members.get(1), other);
      assertThatThrownBy(() -> wrong.read(rid)).hasMessageContaining("does not authenticate");
    } finally {
      pool.shutdownNow();
      members.forEach(m -> m.getLifecycleService().terminate());
    }
  }
}
