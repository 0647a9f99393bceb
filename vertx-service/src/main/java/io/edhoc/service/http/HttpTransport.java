package io.edhoc.service.http;

import io.edhoc.oscore.ResponderEngine;
import io.edhoc.service.EdhocEndpoint;
import io.edhoc.oscore.EngineQueue;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * POST /.well-known/edhoc over HTTP with the framing of RFC 9528 Appendix A.2 (the CoAP binding's
 * bodies, carried by HTTP). A thin adapter over {@link EdhocEndpoint}:
 *
 * <ul>
 *   <li>request media type must be {@code application/cid-edhoc+cbor-seq}: else 415;
 *   <li>body larger than the limit: 413 (Content-Length checked before reading); empty body: 400;
 *   <li>other methods: 405 with {@code Allow: POST};
 *   <li>handshake starts over the per-source rate: 429 with Retry-After;
 *   <li>the engine queue full (overload): 503 with Retry-After, at once;
 *   <li>engine results: 200 with {@code application/edhoc+cbor-seq} (message_2, message_4 or
 *       empty); EDHOC errors 400 (client fault, unknown C_R) or 500, the EDHOC error message as
 *       body in {@code application/edhoc+cbor-seq}.
 * </ul>
 *
 * The engine (the public-key crypto) runs on the {@link EngineQueue}'s workers, or on the event
 * loop when no queue is given.
 */
public final class HttpTransport {
  public static final String PATH = "/.well-known/edhoc";
  public static final String REQUEST_TYPE = "application/cid-edhoc+cbor-seq";
  public static final String RESPONSE_TYPE = "application/edhoc+cbor-seq";
  public static final String TRANSPORT = "http";

  private final Vertx vertx;
  private final EdhocEndpoint endpoint;
  private final int maxBody;
  private final EngineQueue queue;
  private final String retryAfter;

  /**
   * @param queue where the engine runs, with bounded admission; null runs it on the event loop
   * @param retryAfterSeconds the Retry-After of a 503 answered when the queue is full
   */
  public HttpTransport(Vertx vertx, EdhocEndpoint endpoint, int maxBody, EngineQueue queue, int retryAfterSeconds) {
    this.vertx = vertx;
    this.endpoint = endpoint;
    this.maxBody = maxBody;
    this.queue = queue;
    this.retryAfter = Integer.toString(retryAfterSeconds);
  }

  public void mount(Router router) {
    router.post(PATH).handler(this::checkHeaders);
    router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(maxBody));
    router.post(PATH).handler(this::handle);
    router.route(PATH).handler(ctx -> {
      endpoint.refused(TRANSPORT, "method_not_allowed");
      ctx.response().setStatusCode(405).putHeader("Allow", "POST").end();
    });
    // BodyHandler fails the context with 413 when the body is over the limit
    router.route(PATH).failureHandler(ctx -> {
      int code = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      if (code == 413) {
        endpoint.refused(TRANSPORT, "too_large");
      }
      if (!ctx.response().ended()) {
        ctx.response().setStatusCode(code).putHeader("Connection", code == 413 ? "close" : "keep-alive").end();
      }
    });
  }

  private void checkHeaders(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String type = req.getHeader("Content-Type");
    String base = type == null ? "" : type.split(";", 2)[0].trim();
    if (!REQUEST_TYPE.equalsIgnoreCase(base)) {
      endpoint.refused(TRANSPORT, "bad_media_type");
      ctx.response().setStatusCode(415).putHeader("Accept-Post", REQUEST_TYPE).end();
      return;
    }
    String len = req.getHeader("Content-Length");
    if (len != null) {
      try {
        if (Long.parseLong(len.trim()) > maxBody) {
          endpoint.refused(TRANSPORT, "too_large");
          ctx.response().setStatusCode(413).putHeader("Connection", "close").end();
          return;
        }
      } catch (NumberFormatException e) {
        ctx.response().setStatusCode(400).end();
        return;
      }
    }
    ctx.next();
  }

  private void handle(RoutingContext ctx) {
    Buffer b = ctx.body().buffer();
    byte[] body = b == null ? new byte[0] : b.getBytes();
    if (body.length == 0) {
      endpoint.refused(TRANSPORT, "empty_body");
      ctx.response().setStatusCode(400).end();
      return;
    }
    String source = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    if (!endpoint.admit(TRANSPORT, source, body)) {
      ctx.response().setStatusCode(429).putHeader("Retry-After", "1").end();
      return;
    }
    if (queue == null) {
      respond(ctx, endpoint.process(TRANSPORT, source, body));
      return;
    }
    Context loop = vertx.getOrCreateContext();
    boolean queued = queue.offer(EdhocEndpoint.isMessage1(body), () -> {
      ResponderEngine.Result r;
      try {
        r = endpoint.process(TRANSPORT, source, body);
      } catch (RuntimeException e) {
        r = null;
      }
      ResponderEngine.Result result = r;
      loop.runOnContext(v -> respond(ctx, result));
    });
    if (!queued) {
      endpoint.shed(TRANSPORT, body);
      ctx.response().setStatusCode(503).putHeader("Retry-After", retryAfter).end();
    }
  }

  private static void respond(RoutingContext ctx, ResponderEngine.Result r) {
    if (r == null) {
      ctx.response().setStatusCode(500).end();
      return;
    }
    {
      int code = switch (r.status()) {
        case OK -> 200;
        case CLIENT_ERROR, UNKNOWN_SESSION -> 400;
        case SERVER_ERROR -> 500;
      };
      byte[] out = r.body();
      var resp = ctx.response().setStatusCode(code);
      if (out.length > 0) {
        resp.putHeader("Content-Type", RESPONSE_TYPE);
      }
      resp.end(Buffer.buffer(out));
    }
  }

  /** Allowed methods, for documentation and tests. */
  public static HttpMethod method() {
    return HttpMethod.POST;
  }
}
