package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Method;
import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.EdhocCoapClient;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import io.edhoc.oscore.OscoreContext;
import io.edhoc.oscore.OscoreEchoClient;
import io.edhoc.service.cluster.HazelcastOscoreContextStore;
import io.edhoc.service.coap.CoapTransport;
import io.edhoc.service.config.ServiceConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three service nodes in one Hazelcast cluster with {@code oscore.store: cluster}, real
 * Californium endpoints, and a UDP relay as the load balancer in front of them: handshake through
 * A and GETs at A; the balancer moves the client to B (one Echo round trip); A dies mid-stream (its
 * Hazelcast member terminated, no graceful migration) and the client carries on at C; across the
 * whole test every (Sender ID, Partial IV) any node or the client put on the wire is unique.
 * Then an EDHOC_KeyUpdate at one node: the old context is refused by every node.
 */
class ClusterOscoreTest {
  @TempDir Path dir;

  ServiceConfig node(int hzPort, List<String> members) throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.http.enabled = false;
    c.admin.enabled = false;
    c.limits.ratePerSourcePerSecond = 0;
    c.cluster.enabled = true;
    c.cluster.port = hzPort;
    c.cluster.portAutoIncrement = 0;
    c.cluster.members = members;
    c.cluster.clusterName = "edhoc-oscore-test-" + ProcessHandle.current().pid();
    c.oscore.store = "cluster";
    c.oscore.ssnStep = 4;
    return c;
  }

  static EdhocService start(ServiceConfig c) {
    try {
      return EdhocService.start(c, null);
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Test
  @Timeout(240)
  void contextsFollowTheClientAcrossNodesWithoutNonceReuseAndKeyUpdatesReachEveryNode() throws Exception {
    int base = 16300 + (int) (ProcessHandle.current().pid() % 150) * 3;
    List<String> members = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 2));
    List<CompletableFuture<EdhocService>> starting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ServiceConfig c = node(base + i, members);
      starting.add(CompletableFuture.supplyAsync(() -> start(c)));
    }
    EdhocService a = starting.get(0).get();
    EdhocService b = starting.get(1).get();
    EdhocService c = starting.get(2).get();
    Configuration coapConfig = CoapTransport.configuration();
    HashMapCtxDB clientDb = new HashMapCtxDB();
    CaliforniumContexts clientContexts = new CaliforniumContexts(clientDb);
    EdhocOscoreStackFactory stack = new EdhocOscoreStackFactory(clientDb, null);
    CoapEndpoint clientEp = stack.endpointBuilder(coapConfig).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    clientEp.start();
    CoapClient client = new CoapClient();
    client.setEndpoint(clientEp);
    client.setTimeout(10_000L);
    try (UdpRelay relay = new UdpRelay()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!(a.hazelcast().getCluster().getMembers().size() == 3 && a.hazelcast().getPartitionService().isClusterSafe())
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(a.hazelcast().getPartitionService().isClusterSafe()).isTrue();
      byte[] nonce = {7, 7, 7, 7};
      AtomicReference<OscoreContext> serverUpdated = new AtomicReference<>();
      a.onEstablished((info, session, ctx) -> serverUpdated.set(OscoreContext.keyUpdate(session, nonce, ctx)));
      String hello = relay.uri() + "/hello";

      // 1. handshake through A, GETs at A: no challenge, the context was established there
      relay.target(a.coapPort());
      EdhocCoapClient edhoc = new EdhocCoapClient(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT), clientEp,
          clientContexts, stack);
      EdhocCoapClient.Established e = edhoc.establish(relay.uri());
      byte[] rid = e.oscoreContext().senderId(); // the servers' Recipient ID
      for (int i = 0; i < 3; i++) {
        assertThat(OscoreEchoClient.get(client, hello).getCode()).isEqualTo(ResponseCode.CONTENT);
      }
      assertThat(relay.responsesWithPartialIv()).isZero();
      assertThat(b.oscoreStore().contains(rid)).isTrue();

      // 2. the balancer moves the client to B: one Echo round trip, then plain OSCORE
      relay.target(b.coapPort());
      for (int i = 0; i < 3; i++) {
        assertThat(OscoreEchoClient.get(client, hello).getCode()).isEqualTo(ResponseCode.CONTENT);
      }
      assertThat(relay.responsesWithPartialIv()).as("one Echo round trip at B").isEqualTo(1);
      assertThat(relay.edhocRequests()).isEqualTo(2); // message_1 and message_3 only

      // 3. A dies mid-stream (no graceful shutdown); the client keeps going at B, then the balancer sends it to C
      CompletableFuture<Void> kill = CompletableFuture.runAsync(() -> a.hazelcast().getLifecycleService().terminate());
      for (int i = 0; i < 3; i++) {
        assertThat(OscoreEchoClient.get(client, hello).getCode()).isEqualTo(ResponseCode.CONTENT);
      }
      kill.get();
      a.close();
      relay.target(c.coapPort());
      for (int i = 0; i < 3; i++) {
        assertThat(OscoreEchoClient.get(client, hello).getCode()).isEqualTo(ResponseCode.CONTENT);
      }
      assertThat(relay.responsesWithPartialIv()).as("one Echo round trip at C").isEqualTo(2);
      assertThat(c.metrics().scrape()).contains("edhoc_oscore_contexts_loaded_total 1.0").contains("edhoc_oscore_echo_recoveries_total 1.0");

      // every (Sender ID, Partial IV) that the client, A, B or C put on the wire is unique
      Map<String, List<String>> uses = relay.nonceUses(e.oscoreContext().recipientId());
      assertThat(uses.size()).isGreaterThanOrEqualTo(12 + 2); // 12 GETs + 2 challenge requests + 2 challenges
      uses.forEach((k, v) -> assertThat(v).as("nonce " + k).hasSize(1));

      // 4. EDHOC_KeyUpdate at one node (C, which holds the context now): stored atomically, every node drops the old keys
      c.contexts().replaceServer(serverUpdated.get());
      EdhocCoapClient.Established e2 = edhoc.keyUpdate(e, nonce);
      relay.newEpoch();
      assertThat(OscoreEchoClient.get(client, hello).getCode()).isEqualTo(ResponseCode.CONTENT);
      // a second client still holding the old keys (its sequence numbers far above the first's): refused at B and at C
      HashMapCtxDB oldDb = new HashMapCtxDB();
      CoapEndpoint oldEp = new EdhocOscoreStackFactory(oldDb, null).endpointBuilder(coapConfig)
          .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
      oldEp.start();
      try {
        for (EdhocService n : List.of(b, c)) {
          String uri = "coap://127.0.0.1:" + n.coapPort() + "/hello";
          new CaliforniumContexts(oldDb).installClient(e.oscoreContext(), uri).setSenderSeq(1_000_000 + n.coapPort());
          CoapClient old = new CoapClient(uri);
          old.setEndpoint(oldEp);
          old.setTimeout(10_000L);
          Request get = Request.newGet();
          get.setURI(uri);
          get.getOptions().setOscore(Bytes.EMPTY);
          CoapResponse r = old.advanced(get);
          assertThat(r).isNotNull();
          assertThat(r.getCode()).as("old context at " + n.coapPort()).isNotEqualTo(ResponseCode.CONTENT);
          assertThat(r.getCode().isClientError()).isTrue();
          oldDb.removeContext(oldDb.getContext(uri));
        }
      } finally {
        oldEp.destroy();
      }
      assertThat(e2.oscoreContext()).isNotEqualTo(e.oscoreContext());
    } finally {
      clientEp.destroy();
      for (EdhocService n : List.of(a, b, c)) {
        n.close();
      }
    }
  }
}
