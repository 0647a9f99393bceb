package io.edhoc.service.bench;

import com.hazelcast.core.*;
import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import io.edhoc.oscore.OscoreContext;
import io.edhoc.oscore.store.*;
import io.edhoc.service.cluster.*;
import io.edhoc.service.config.ServiceConfig;
import java.util.List;

/** Cost of one SSN reservation and one load in the cluster store, two members in this JVM (not a test: docs/oscore.md). */
public final class HzCost {
  public static void main(String[] a) throws Exception {
    HazelcastInstance[] m = new HazelcastInstance[2];
    for (int i = 0; i < 2; i++) {
      ServiceConfig.Cluster c = new ServiceConfig.Cluster();
      c.port = 17900 + i; c.portAutoIncrement = 0; c.members = List.of("127.0.0.1:17900", "127.0.0.1:17901"); c.clusterName = "m" + ProcessHandle.current().pid();
      m[i] = Hazelcast.newHazelcastInstance(ClusterSetup.hazelcastConfig(c, 10000));
    }
    while (m[0].getCluster().getMembers().size() < 2) Thread.sleep(100);
    OscoreContextStore s = HazelcastOscoreContextStore.forCluster(m[0], new byte[32]);
    OscoreContext ctx = OscoreContext.derive(new byte[16], new byte[8], new byte[] {1}, new byte[] {2}, null,
        AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    StoredContext r = s.create(ctx, 1, 256);
    for (int round = 0; round < 3; round++) {
      int n = 2000;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) s.reserve(new byte[] {2}, r.generation(), 1, 256);
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) s.acquire(new byte[] {2}, 1, 256);
      long t2 = System.nanoTime();
      System.out.printf("round %d hazelcast(2 members, 1 backup) reserve %6.1f us/op  acquire %6.1f us/op  (owner: %s)%n", round, (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n,
          m[0].getPartitionService().getPartition("02").getOwner().localMember() ? "local" : "remote");
    }
    m[0].getLifecycleService().terminate(); m[1].getLifecycleService().terminate();
  }
}
