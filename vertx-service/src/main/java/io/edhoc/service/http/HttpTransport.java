package io.edhoc.service.http;

import io.edhoc.oscore.ResponderEngine;
import io.edhoc.service.EdhocEndpoint;
import io.edhoc.oscore.EngineQueue;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * POST /.well-known/edhoc over HTTP with the framing of RFC 9528 Appendix A.2 (the CoAP binding's
 * bodies, carried by HTTP). A thin adapter over {@link EdhocEndpoint}, and the HTTP server's whole
 * request handler:
 *
 * <ul>
 *   <li>any other path: 404;
 *   <li>other methods: 405 with {@code Allow: POST};
 *   <li>request media type must be {@code application/cid-edhoc+cbor-seq}: else 415;
 *   <li>body larger than the limit: 413 and the connection closed (by Content-Length before
 *       reading, else as soon as the body read passes the limit); empty body: 400;
 *   <li>handshake starts over the per-source rate: 429 with Retry-After;
 *   <li>the engine queue full (overload): 503 with Retry-After, at once;
 *   <li>engine results: 200 with {@code application/edhoc+cbor-seq} (message_2, message_4 or
 *       empty); EDHOC errors 400 (client fault, unknown C_R) or 500, the EDHOC error message as
 *       body in {@code application/edhoc+cbor-seq}.
 * </ul>
 *
 * The engine (the public-key crypto) runs on the {@link EngineQueue}'s workers, or on the event
 * loop when no queue is given.
 *
 * <p>Why no Vert.x Web router and body handler: one path and one method need no routing, and under
 * overload every request, the refused ones included, went through a routing context and a 1 KiB
 * body buffer (EDHOC bodies are tens of bytes): 44 % of the server's allocation at twice its
 * capacity came from the event loop, about half of it from those two (docs/performance.md). A
 * body that comes in one chunk, the usual case, is read without a copy into another buffer.
 */
public final class HttpTransport implements Handler<HttpServerRequest> {
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

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    if (!PATH.equals(path) && !(PATH + "/").equals(path)) {
      req.response().setStatusCode(404).end();
      return;
    }
    if (req.method() != HttpMethod.POST) {
      endpoint.refused(TRANSPORT, "method_not_allowed");
      req.response().setStatusCode(405).putHeader("Allow", "POST").end();
      return;
    }
    String type = req.getHeader("Content-Type");
    if (type == null || !REQUEST_TYPE.equalsIgnoreCase(mediaType(type))) {
      endpoint.refused(TRANSPORT, "bad_media_type");
      req.response().setStatusCode(415).putHeader("Accept-Post", REQUEST_TYPE).end();
      return;
    }
    String len = req.getHeader("Content-Length");
    if (len != null) {
      long n;
      try {
        n = Long.parseLong(len.trim());
      } catch (NumberFormatException e) {
        req.response().setStatusCode(400).end();
        return;
      }
      if (n > maxBody) {
        tooLarge(req);
        return;
      }
    }
    new Body(req).read();
  }

  /** The media type of a Content-Type value, without its parameters. */
  private static String mediaType(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
  }

  /** 413, counted, and the connection closed: the rest of an oversized body is not read. */
  private void tooLarge(HttpServerRequest req) {
    endpoint.refused(TRANSPORT, "too_large");
    HttpServerResponse resp = req.response();
    if (!resp.ended()) {
      resp.setStatusCode(413).putHeader("Connection", "close").end().onComplete(ar -> req.connection().close());
    }
  }

  /** One request's body, read up to the limit: the first chunk kept as it came, later ones appended. */
  private final class Body {
    private final HttpServerRequest req;
    private Buffer first;
    private Buffer all;
    private int length;
    private boolean refused;

    Body(HttpServerRequest req) {
      this.req = req;
    }

    void read() {
      req.handler(this::chunk);
      req.endHandler(v -> {
        if (!refused) {
          process(req, bytes());
        }
      });
    }

    private void chunk(Buffer b) {
      if (refused) {
        return;
      }
      length += b.length();
      if (length > maxBody) {
        refused = true;
        first = null;
        all = null;
        tooLarge(req);
      } else if (first == null && all == null) {
        first = b;
      } else {
        if (all == null) {
          all = Buffer.buffer(Math.min(maxBody, 2 * length)).appendBuffer(first);
          first = null;
        }
        all.appendBuffer(b);
      }
    }

    private byte[] bytes() {
      Buffer b = all != null ? all : first;
      return b == null ? new byte[0] : b.getBytes();
    }
  }

  private void process(HttpServerRequest req, byte[] body) {
    if (body.length == 0) {
      endpoint.refused(TRANSPORT, "empty_body");
      req.response().setStatusCode(400).end();
      return;
    }
    String source = req.remoteAddress() == null ? "unknown" : req.remoteAddress().hostAddress();
    if (!endpoint.admit(TRANSPORT, source, body)) {
      req.response().setStatusCode(429).putHeader("Retry-After", "1").end();
      return;
    }
    HttpServerResponse response = req.response();
    if (queue == null) {
      respond(response, endpoint.process(TRANSPORT, source, body));
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
      loop.runOnContext(v -> respond(response, result));
    });
    if (!queued) {
      endpoint.shed(TRANSPORT, body);
      response.setStatusCode(503).putHeader("Retry-After", retryAfter).end();
    }
  }

  private static void respond(HttpServerResponse resp, ResponderEngine.Result r) {
    if (resp.closed() || resp.ended()) {
      return; // the client went away while the engine worked
    }
    if (r == null) {
      resp.setStatusCode(500).end();
      return;
    }
    int code = switch (r.status()) {
      case OK -> 200;
      case CLIENT_ERROR, UNKNOWN_SESSION -> 400;
      case SERVER_ERROR -> 500;
    };
    byte[] out = r.body();
    resp.setStatusCode(code);
    if (out.length > 0) {
      resp.putHeader("Content-Type", RESPONSE_TYPE);
    }
    resp.end(Buffer.buffer(out));
  }

  /** Allowed methods, for documentation and tests. */
  public static HttpMethod method() {
    return HttpMethod.POST;
  }
}
