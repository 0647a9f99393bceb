package io.edhoc.service.bench;

import io.edhoc.oscore.EdhocTransport;
import io.edhoc.oscore.ResponderEngine;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code bench --in-process}: the responder in this JVM, no network. Each POST runs {@link
 * ResponderEngine#handle} on the same pool that runs the initiator's steps, so both roles' crypto
 * shares the given threads: the ceiling a served run is compared with.
 */
public final class InProcessTransport implements EdhocTransport {
  private final ResponderEngine engine;
  private final Executor pool;

  public InProcessTransport(ResponderEngine engine, Executor pool) {
    this.engine = engine;
    this.pool = pool;
  }

  @Override
  public CompletableFuture<Reply> post(byte[] body) {
    return CompletableFuture.supplyAsync(() -> {
      ResponderEngine.Result r = engine.handle(body);
      if (r.session() != null) {
        r.session().close();
      }
      return switch (r.status()) {
        case OK -> new Reply(Kind.SUCCESS, "2.04 Changed", r.body(), true);
        case CLIENT_ERROR, UNKNOWN_SESSION -> new Reply(Kind.ERROR, "4.00 Bad request", r.body(), true);
        case SERVER_ERROR -> new Reply(Kind.ERROR, "5.00 Internal server error", r.body(), true);
      };
    }, pool);
  }

  @Override
  public String target() {
    return "in-process responder";
  }
}
