package io.edhoc.service.client;

import io.edhoc.oscore.EdhocCoapClient;
import io.edhoc.oscore.EdhocTransport;
import io.edhoc.service.http.HttpTransport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@link EdhocTransport} over HTTP (the framing of RFC 9528 A.2 carried by HTTP POST) on the Vert.x
 * HTTP client (Netty), asynchronous, HTTP/1.1 with keep-alive. Every 2xx is a success (a responder
 * may answer message_3 with 204 No Content, RFC 9110 15.3.5); 503 is shedding. Failures say what to
 * check (connection refused, timeout) instead of the exception class.
 *
 * <p>Vert.x rather than the JDK's {@code java.net.http} client: for {@code bench} the load generator
 * must cost less than the server it measures, and the JDK client spent about 1.5 ms of CPU per
 * handshake on its own machinery (CompletableFuture chains, header maps, a selector thread and a
 * worker hand-off per response) against about 0.4 ms for the whole served responder
 * (docs/performance.md, "Served vs in-process").
 */
public final class HttpEdhocTransport implements EdhocTransport, AutoCloseable {
  private final Vertx owned;
  private final HttpClient client;
  private final URI uri;
  private final String host;
  private final int port;
  private final String path;
  private final long timeoutMs;
  private final Executor executor;

  /** A client and a Vert.x instance of its own, one connection (for {@code connect}); {@link #close()} releases both. */
  public HttpEdhocTransport(URI uri, long timeoutMs) {
    this(null, uri, timeoutMs, 1, null);
  }

  /**
   * A transport on a shared Vert.x instance (for {@code bench}): up to {@code connections} keep-alive
   * connections (one per request in flight); answers are handed to {@code executor} (null: handled
   * on the event loop), so that the initiator's crypto never runs on the I/O thread.
   */
  public static HttpEdhocTransport shared(Vertx vertx, URI uri, long timeoutMs, int connections, Executor executor) {
    return new HttpEdhocTransport(java.util.Objects.requireNonNull(vertx), uri, timeoutMs, connections, executor);
  }

  private HttpEdhocTransport(Vertx vertx, URI uri, long timeoutMs, int connections, Executor executor) {
    this.owned = vertx == null ? Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1)) : null;
    Vertx v = vertx != null ? vertx : owned;
    this.uri = resourceUri(uri);
    this.host = this.uri.getHost();
    this.port = this.uri.getPort() > 0 ? this.uri.getPort() : 80;
    this.path = this.uri.getRawPath() + (this.uri.getRawQuery() != null ? "?" + this.uri.getRawQuery() : "");
    this.timeoutMs = timeoutMs;
    this.executor = executor;
    this.client = v.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1).setKeepAlive(true).setTcpNoDelay(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)), new PoolOptions().setHttp1MaxSize(Math.max(1, connections))
        .setMaxWaitQueueSize(-1));
  }

  /** {@code uri}, or with the EDHOC path when it has none (a base URI). */
  public static URI resourceUri(URI uri) {
    String path = uri.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      return uri.resolve(EdhocCoapClient.EDHOC_PATH);
    }
    return uri;
  }

  @Override
  public String target() {
    return uri.toString();
  }

  @Override
  public CompletableFuture<Reply> post(byte[] body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path).setIdleTimeout(timeoutMs)
        .putHeader(HttpHeaders.CONTENT_TYPE, HttpTransport.REQUEST_TYPE);
    CompletableFuture<Reply> out = new CompletableFuture<>();
    // body() is attached in the same callback that receives the response (nested, as Vert.x
    // requires): attached one future later, a body that arrived with the headers is lost
    client.request(options)
        .compose(req -> req.send(Buffer.buffer(body))
            .compose(resp -> resp.body().map(b -> reply(resp.statusCode(), resp.getHeader(HttpHeaders.CONTENT_TYPE), b.getBytes()))))
        .onComplete(ar -> {
          Runnable done = ar.succeeded() ? () -> out.complete(ar.result()) : () -> out.completeExceptionally(explain(ar.cause()));
          if (executor == null || (ar.succeeded() && ar.result().kind() == Kind.OVERLOADED)) {
            done.run(); // no executor, or a refusal (no crypto follows): finish on the event loop
          } else {
            try {
              executor.execute(done);
            } catch (java.util.concurrent.RejectedExecutionException e) {
              done.run(); // the executor is shutting down at the end of a run: complete here
            }
          }
        });
    return out;
  }

  /** Closes the client, and the Vert.x instance when this transport made its own. */
  @Override
  public void close() {
    client.close();
    if (owned != null) {
      try {
        owned.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // best effort: the process is ending or the instance is already closed
      }
    }
  }

  /** How an HTTP answer reads for the initiator: 2xx success, 503 shedding, anything else an error (an EDHOC error message when its media type says so). */
  public static Reply reply(int code, String contentType, byte[] body) {
    Kind kind = code >= 200 && code < 300 ? Kind.SUCCESS : code == 503 ? Kind.OVERLOADED : Kind.ERROR;
    String type = contentType == null ? null : contentType.split(";", 2)[0].trim();
    boolean edhoc = type == null
        ? kind == Kind.SUCCESS || code == 400 || code == 500
        : type.equalsIgnoreCase(HttpTransport.RESPONSE_TYPE) || type.equalsIgnoreCase(HttpTransport.REQUEST_TYPE);
    return new Reply(kind, status(code), body, edhoc);
  }

  /** {@code HTTP 404 Not Found}. */
  public static String status(int code) {
    String reason = switch (code) {
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "";
    };
    return "HTTP " + code + (reason.isEmpty() ? "" : " " + reason);
  }

  private IOException explain(Throwable t) {
    String where = host + ":" + port;
    String kind = t.getClass().getName();
    if (kind.endsWith("ConnectTimeoutException")) {
      return new IOException("cannot connect to " + where + " within " + timeoutMs + " ms", t);
    }
    if (t instanceof java.util.concurrent.TimeoutException || kind.endsWith("TimeoutException")) {
      return new IOException("no HTTP answer from " + uri + " within " + timeoutMs + " ms", t);
    }
    if (t instanceof ConnectException) {
      return new IOException("connection refused: nothing listens on " + where + " (TCP)", t);
    }
    if (t.getMessage() != null) {
      return new IOException("HTTP request to " + uri + " failed: " + t.getMessage(), t);
    }
    return new IOException("HTTP request to " + uri + " failed: " + t, t);
  }

}
