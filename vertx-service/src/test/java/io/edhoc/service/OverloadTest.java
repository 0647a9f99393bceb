package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.oscore.EdhocOption;
import io.edhoc.oscore.EngineQueue;
import io.edhoc.service.config.ServiceConfig;
import io.edhoc.service.http.HttpTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload shedding with real clients: one engine worker per transport, a queue of one, and the
 * worker held busy (an established-session listener that waits) make saturation deterministic.
 * The request that finds the queue full gets 5.03 + Max-Age / 503 + Retry-After while the worker
 * is still busy (so: at once, not after queueing), the queued ones complete afterwards, and the
 * sheds are counted in /metrics.
 */
class OverloadTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void aFullEngineQueueIsAnsweredAtOnceWith503AndCounted() throws Exception {
    ServiceConfig c = oneWorkerQueueOfOne();
    c.limits.shedRetryAfterSeconds = 2;
    try (EdhocService svc = EdhocService.start(c, null)) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch httpBusy = new CountDownLatch(1);
      CountDownLatch coapBusy = new CountDownLatch(1);
      svc.onEstablished((info, s, ctx) -> {
        (info.transport().equals("http") ? httpBusy : coapBusy).countDown();
        release.await(60, TimeUnit.SECONDS);
      });
      EdhocConfig client = TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT);

      // HTTP: message_3 of a first handshake holds the only worker
      HttpClient http = HttpClient.newHttpClient();
      URI httpUri = URI.create("http://127.0.0.1:" + svc.httpPort() + HttpTransport.PATH);
      Initiator.AwaitingMessage2 h2 = Edhoc.initiator(client).writeMessage1();
      HttpResponse<byte[]> hr2 = http.send(httpPost(httpUri, ServiceTest.withTrue(h2.message1())), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(hr2.statusCode()).isEqualTo(200);
      Initiator.AwaitingMessage4 h4 = h2.readMessage2(hr2.body()).writeMessage3();
      CompletableFuture<HttpResponse<byte[]>> hr3 = http.sendAsync(
          httpPost(httpUri, ServiceTest.concat(ConnectionIdCodec.encode(h4.connectionIdR()), h4.message3())), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(httpBusy.await(30, TimeUnit.SECONDS)).isTrue();
      // a second handshake start waits in the queue (capacity 1) ...
      Initiator.AwaitingMessage2 q2 = Edhoc.initiator(client).writeMessage1();
      CompletableFuture<HttpResponse<byte[]>> queued = http.sendAsync(httpPost(httpUri, ServiceTest.withTrue(q2.message1())),
          HttpResponse.BodyHandlers.ofByteArray());
      awaitWaiting(svc.httpQueue(), 1);
      // ... and a third is refused at once, while the worker is still held
      HttpResponse<byte[]> shed = http.send(httpPost(httpUri, ServiceTest.withTrue(Edhoc.initiator(client).writeMessage1().message1())),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.headers().firstValue("Retry-After")).hasValue("2");
      assertThat(release.getCount()).isEqualTo(1);

      // CoAP: the same with its own worker and queue
      URI coapUri = URI.create("coap://127.0.0.1:" + svc.coapPort() + "/.well-known/edhoc");
      CoapClient coap = new CoapClient(coapUri).setTimeout(30_000L);
      try {
        Initiator.AwaitingMessage2 c2 = Edhoc.initiator(client).writeMessage1();
        CoapResponse cr2 = coap.advanced(coapPost(coapUri, ServiceTest.withTrue(c2.message1())));
        assertThat(cr2.getCode()).isEqualTo(ResponseCode.CHANGED);
        Initiator.AwaitingMessage4 c4 = c2.readMessage2(cr2.getPayload()).writeMessage3();
        CompletableFuture<CoapResponse> cr3 = async(coap, coapPost(coapUri,
            ServiceTest.concat(ConnectionIdCodec.encode(c4.connectionIdR()), c4.message3())));
        assertThat(coapBusy.await(30, TimeUnit.SECONDS)).isTrue();
        Initiator.AwaitingMessage2 cq2 = Edhoc.initiator(client).writeMessage1();
        CompletableFuture<CoapResponse> cqueued = async(coap, coapPost(coapUri, ServiceTest.withTrue(cq2.message1())));
        awaitWaiting(svc.coapQueue(), 1);
        CoapResponse cshed = coap.advanced(coapPost(coapUri, ServiceTest.withTrue(Edhoc.initiator(client).writeMessage1().message1())));
        assertThat(cshed.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
        assertThat(cshed.getOptions().getMaxAge()).isEqualTo(2L);
        assertThat(release.getCount()).isEqualTo(1);

        // released: everything admitted completes
        release.countDown();
        assertThat(hr3.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> q = queued.get(30, TimeUnit.SECONDS);
        assertThat(q.statusCode()).isEqualTo(200);
        q2.readMessage2(q.body()).writeMessage3();
        assertThat(cr3.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(ResponseCode.CHANGED);
        CoapResponse cq = cqueued.get(30, TimeUnit.SECONDS);
        assertThat(cq.getCode()).isEqualTo(ResponseCode.CHANGED);
        cq2.readMessage2(cq.getPayload()).writeMessage3();
      } finally {
        coap.shutdown();
      }
      h4.complete().close();
      String m = svc.metrics().scrape();
      assertThat(m).contains("edhoc_requests_shed_total{message=\"message_1\",transport=\"http\"} 1.0");
      assertThat(m).contains("edhoc_requests_shed_total{message=\"message_1\",transport=\"coap\"} 1.0");
      assertThat(m).contains("edhoc_engine_queue{transport=\"coap\"}");
      assertThat(svc.httpQueue().shedStarts()).isEqualTo(1);
      assertThat(svc.coapQueue().shedStarts()).isEqualTo(1);
    }
  }

  /**
   * The early CoAP refusals run on two receive threads by default (coap.receiverThreads): one
   * receives while the other answers or waits for a core. A burst of message_1s from eight source
   * ports while the engine is held is answered 5.03 exactly once each, and counted once each.
   */
  @Test
  @Timeout(120)
  void twoReceiveThreadsAnswerABurstOfRefusalsOnceEach() throws Exception {
    ServiceConfig c = oneWorkerQueueOfOne();
    assertThat(c.coap.receiverThreads).isEqualTo(2);
    java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
    try (EdhocService svc = EdhocService.start(c, null)) {
      assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
          .filter(t -> t.getName().startsWith("UDP-Receiver-"))).as("the service's UDP receive threads").hasSize(2);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch busy = new CountDownLatch(1);
      svc.onEstablished((info, s, ctx) -> {
        busy.countDown();
        release.await(60, TimeUnit.SECONDS);
      });
      EdhocConfig client = TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT);
      URI coapUri = URI.create("coap://127.0.0.1:" + svc.coapPort() + "/.well-known/edhoc");
      CoapClient coap = new CoapClient(coapUri).setTimeout(30_000L);
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
      try (io.edhoc.service.bench.DatagramCoapTransport burst = new io.edhoc.service.bench.DatagramCoapTransport(coapUri.toString(), 8, 30_000,
          pool)) {
        // the only worker held in a handshake's message_3, the queue of one filled
        Initiator.AwaitingMessage2 c2 = Edhoc.initiator(client).writeMessage1();
        CoapResponse cr2 = coap.advanced(coapPost(coapUri, ServiceTest.withTrue(c2.message1())));
        Initiator.AwaitingMessage4 c4 = c2.readMessage2(cr2.getPayload()).writeMessage3();
        CompletableFuture<CoapResponse> cr3 = async(coap, coapPost(coapUri,
            ServiceTest.concat(ConnectionIdCodec.encode(c4.connectionIdR()), c4.message3())));
        assertThat(busy.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<CoapResponse> queued = async(coap, coapPost(coapUri, ServiceTest.withTrue(Edhoc.initiator(client).writeMessage1().message1())));
        awaitWaiting(svc.coapQueue(), 1);

        int n = 200;
        java.util.List<byte[]> bodies = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
          bodies.add(ServiceTest.withTrue(Edhoc.initiator(client).writeMessage1().message1()));
        }
        java.util.List<CompletableFuture<io.edhoc.oscore.EdhocTransport.Reply>> answers = new java.util.ArrayList<>();
        for (byte[] body : bodies) {
          answers.add(burst.post(body));
        }
        for (CompletableFuture<io.edhoc.oscore.EdhocTransport.Reply> a : answers) {
          assertThat(a.get(30, TimeUnit.SECONDS).kind()).isEqualTo(io.edhoc.oscore.EdhocTransport.Kind.OVERLOADED);
        }
        assertThat(release.getCount()).isEqualTo(1); // all answered while the worker was held
        assertThat(burst.retransmissions()).isZero();
        assertThat(svc.coapQueue().shedStarts()).isEqualTo(n);
        assertThat(svc.metrics().scrape()).contains("edhoc_requests_shed_total{message=\"message_1\",transport=\"coap\"} " + n + ".0");

        release.countDown();
        assertThat(cr3.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(queued.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(ResponseCode.CHANGED);
      } finally {
        coap.shutdown();
        pool.shutdownNow();
      }
    }
  }

  /** One engine worker and a queue of one per transport, no rate limit, Echo off (auto would answer 4.01 + Echo first under this pressure). */
  private ServiceConfig oneWorkerQueueOfOne() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.limits.ratePerSourcePerSecond = 0;
    c.limits.engineWorkers = 1;
    c.limits.engineQueuePerWorker = 1;
    c.coap.echoReachability = "off";
    return c;
  }

  private static void awaitWaiting(EngineQueue q, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (q.waiting() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(q.waiting()).isEqualTo(n);
  }

  private static HttpRequest httpPost(URI uri, byte[] body) {
    return HttpRequest.newBuilder(uri).header("Content-Type", HttpTransport.REQUEST_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private static Request coapPost(URI uri, byte[] body) {
    Request req = Request.newPost();
    req.setURI(uri);
    req.setPayload(body);
    req.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
    return req;
  }

  private static CompletableFuture<CoapResponse> async(CoapClient client, Request req) {
    CompletableFuture<CoapResponse> f = new CompletableFuture<>();
    client.advanced(new CoapHandler() {
      @Override
      public void onLoad(CoapResponse response) {
        f.complete(response);
      }

      @Override
      public void onError() {
        f.completeExceptionally(new java.io.IOException("CoAP request failed"));
      }
    }, req);
    return f;
  }
}
