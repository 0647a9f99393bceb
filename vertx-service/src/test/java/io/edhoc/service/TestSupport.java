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

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
