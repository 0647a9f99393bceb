package io.edhoc.service;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.service.config.ServiceConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Shared set-up: a service on ephemeral loopback ports with fresh development credentials. */
final class TestSupport {
  private TestSupport() {}

  /** Creates server/ and client/ credentials under {@code dir}; returns a loopback config on ephemeral ports. */
  static ServiceConfig config(Path dir) throws Exception {
    if (!CredentialDirectory.exists(dir.resolve("server"))) {
      CredentialDirectory.createDevelopmentPair(dir);
    }
    ServiceConfig c = new ServiceConfig();
    c.http.port = 0;
    c.coap.port = 0;
    c.admin.port = 0;
    c.credentials.directory = dir.resolve("server").toString();
    c.cluster.stateKeyFile = dir.resolve("cluster-state.key").toString();
    return c;
  }

  static EdhocConfig clientConfig(Path dir, CipherSuite suite, Method method) throws Exception {
    CredentialDirectory d = CredentialDirectory.load(dir.resolve("client"));
    EdhocConfig.Builder b = EdhocConfig.builder().suites(suite).methods(method).peers(d.resolver(false));
    d.own().forEach(b::credential);
    return b.build();
  }

  /** The one initiator flow (the binding's InitiatorFlow) over {@code t}, waited for. */
  static io.edhoc.oscore.InitiatorFlow.Completed handshake(EdhocConfig cfg, Method m, io.edhoc.oscore.EdhocTransport t) throws Exception {
    try {
      return new io.edhoc.oscore.InitiatorFlow(cfg, m, t).run().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  static io.edhoc.oscore.InitiatorFlow.Completed httpHandshake(EdhocService svc, EdhocConfig cfg, Method m) throws Exception {
    try (io.edhoc.service.client.HttpEdhocTransport t = new io.edhoc.service.client.HttpEdhocTransport(java.net.URI.create("http://127.0.0.1:"
        + svc.httpPort() + io.edhoc.service.http.HttpTransport.PATH), 10_000)) {
      return handshake(cfg, m, t);
    }
  }

  /** A CoAP client endpoint with the OSCORE stack: EDHOC over it, then OSCORE requests with the result. */
  static final class CoapClient implements AutoCloseable {
    final org.eclipse.californium.oscore.HashMapCtxDB db = new org.eclipse.californium.oscore.HashMapCtxDB();
    final io.edhoc.oscore.CaliforniumContexts contexts = new io.edhoc.oscore.CaliforniumContexts(db);
    final org.eclipse.californium.core.network.CoapEndpoint endpoint;
    final java.net.URI uri;

    CoapClient(java.net.URI edhocUri) throws Exception {
      this.uri = edhocUri;
      endpoint = new io.edhoc.oscore.EdhocOscoreStackFactory(db, null).endpointBuilder(io.edhoc.service.coap.CoapTransport.configuration())
          .setInetSocketAddress(new java.net.InetSocketAddress("127.0.0.1", 0)).build();
      endpoint.start();
    }

    io.edhoc.oscore.CoapEdhocTransport transport() {
      return new io.edhoc.oscore.CoapEdhocTransport(endpoint, uri.toString(), 10_000);
    }

    org.eclipse.californium.core.CoapResponse oscoreGet(io.edhoc.oscore.OscoreContext ctx, String path) throws Exception {
      java.net.URI target = uri.resolve(path);
      contexts.installClient(ctx, target.toString());
      org.eclipse.californium.core.CoapClient c = new org.eclipse.californium.core.CoapClient(target).setEndpoint(endpoint).setTimeout(10_000L);
      try {
        org.eclipse.californium.core.coap.Request req = org.eclipse.californium.core.coap.Request.newGet();
        req.setURI(target);
        req.getOptions().setOscore(new byte[0]);
        return c.advanced(req);
      } finally {
        c.shutdown();
      }
    }

    @Override
    public void close() {
      endpoint.destroy();
    }
  }

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
