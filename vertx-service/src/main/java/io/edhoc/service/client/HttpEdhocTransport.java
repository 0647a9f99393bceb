package io.edhoc.service.client;

import io.edhoc.oscore.EdhocCoapClient;
import io.edhoc.oscore.EdhocTransport;
import io.edhoc.service.http.HttpTransport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@link EdhocTransport} over HTTP (the framing of RFC 9528 A.2 carried by HTTP POST) on the JDK
 * HTTP client, asynchronous. Every 2xx is a success (a responder may answer message_3 with 204 No
 * Content, RFC 9110 15.3.5); 503 is shedding. Failures say what to check (connection refused,
 * timeout) instead of the exception class.
 */
public final class HttpEdhocTransport implements EdhocTransport {
  private final HttpClient client;
  private final URI uri;
  private final Duration timeout;

  /** One client of its own (for {@code connect}). */
  public HttpEdhocTransport(URI uri, long timeoutMs) {
    this(newClient(timeoutMs, null), uri, timeoutMs);
  }

  /** A shared client (for {@code bench}: one connection pool for every handshake). */
  public HttpEdhocTransport(HttpClient client, URI uri, long timeoutMs) {
    this.client = client;
    this.uri = resourceUri(uri);
    this.timeout = Duration.ofMillis(timeoutMs);
  }

  /** An HTTP/1.1 client; {@code executor} runs the response handling (null: the JDK's default). */
  public static HttpClient newClient(long connectTimeoutMs, java.util.concurrent.Executor executor) {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(connectTimeoutMs)).version(HttpClient.Version.HTTP_1_1);
    if (executor != null) {
      b.executor(executor);
    }
    return b.build();
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
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", HttpTransport.REQUEST_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    return client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).handle((r, failure) -> {
      if (failure != null) {
        throw new CompletionException(explain(failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure));
      }
      return reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
    });
  }

  static Reply reply(int code, String contentType, byte[] body) {
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
    String where = uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 80);
    if (t instanceof HttpConnectTimeoutException) {
      return new IOException("cannot connect to " + where + " within " + timeout.toMillis() + " ms", t);
    }
    if (t instanceof HttpTimeoutException) {
      return new IOException("no HTTP answer from " + uri + " within " + timeout.toMillis() + " ms", t);
    }
    if (t instanceof ConnectException) {
      return new IOException("connection refused: nothing listens on " + where + " (TCP)", t);
    }
    if (t instanceof IOException io && io.getMessage() != null) {
      return new IOException("HTTP request to " + uri + " failed: " + io.getMessage(), t);
    }
    return new IOException("HTTP request to " + uri + " failed: " + t, t);
  }
}
