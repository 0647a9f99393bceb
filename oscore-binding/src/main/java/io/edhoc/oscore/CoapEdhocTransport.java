package io.edhoc.oscore;

import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Endpoint;

/**
 * {@link EdhocTransport} over CoAP on a Californium {@link Endpoint} (asynchronous: one exchange per
 * POST, no thread waits). A 4.01 carrying an Echo option (RFC 9175, the server's reachability check
 * of RFC 9528 A.2) is answered once by repeating the request with that Echo value; a second
 * challenge is the answer. No answer within the timeout cancels the exchange and fails with a
 * message that says what to check (UDP gives no "connection refused").
 */
public final class CoapEdhocTransport implements EdhocTransport {
  private final Endpoint endpoint;
  private final String uri;
  private final long timeoutMillis;
  /** The URI parsed once (options and destination): a load generator sends thousands of requests. */
  private final Request template;

  /**
   * @param uri the EDHOC resource, e.g. {@code coap://127.0.0.1:5683/.well-known/edhoc}; a URI
   *     without a path gets {@link EdhocCoapClient#EDHOC_PATH}
   */
  public CoapEdhocTransport(Endpoint endpoint, String uri, long timeoutMillis) {
    this.endpoint = Objects.requireNonNull(endpoint);
    this.uri = resourceUri(uri);
    this.timeoutMillis = timeoutMillis;
    this.template = new Request(Code.POST);
    template.setURI(this.uri);
  }

  /** {@code uri} itself, or with {@link EdhocCoapClient#EDHOC_PATH} when it has no path (a base URI). */
  public static String resourceUri(String uri) {
    URI u = URI.create(uri);
    String path = u.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      return u.getScheme() + "://" + u.getRawAuthority() + EdhocCoapClient.EDHOC_PATH;
    }
    return uri;
  }

  @Override
  public String target() {
    return uri;
  }

  @Override
  public CompletableFuture<Reply> post(byte[] body) {
    return send(body, null).thenCompose(r -> {
      if (EchoOption.isChallenge(r)) {
        // RFC 9175 2.3: repeat the request once with the Echo value; a second challenge is the answer
        return send(body, EchoOption.get(r.getOptions()));
      }
      return CompletableFuture.completedFuture(r);
    }).thenApply(CoapEdhocTransport::reply);
  }

  static Reply reply(Response r) {
    return reply(r.getCode(), r.getOptions().getContentFormat(), r.getPayload());
  }

  /**
   * The answer as {@link InitiatorFlow} reads it, from its CoAP code, Content-Format ({@code -1}:
   * none) and payload: the one rule for every CoAP client transport.
   */
  public static Reply reply(ResponseCode code, int cf, byte[] payload) {
    Kind kind = code.isSuccess() ? Kind.SUCCESS : code == ResponseCode.SERVICE_UNAVAILABLE ? Kind.OVERLOADED : Kind.ERROR;
    // EDHOC content: CF 64/65, or no CF on the codes an EDHOC resource answers with (some servers omit it)
    boolean edhoc = cf == EdhocOption.EDHOC_CBOR_SEQ || cf == EdhocOption.CID_EDHOC_CBOR_SEQ
        || (cf < 0 && (kind == Kind.SUCCESS || code == ResponseCode.BAD_REQUEST || code == ResponseCode.INTERNAL_SERVER_ERROR));
    return new Reply(kind, status(code), payload, edhoc);
  }

  /** {@code 4.04 Not Found}: the code once, then its name in words. */
  public static String status(ResponseCode code) {
    String name = code.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    return code.text + " " + Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  private CompletableFuture<Response> send(byte[] body, byte[] echo) {
    Request request = new Request(Code.POST);
    request.setOptions(new org.eclipse.californium.core.coap.OptionSet(template.getOptions()));
    request.setDestinationContext(template.getDestinationContext());
    request.setPayload(body);
    if (body.length > 0) {
      request.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
    }
    if (echo != null) {
      EchoOption.set(request.getOptions(), echo);
    }
    CompletableFuture<Response> f = new CompletableFuture<>();
    request.addMessageObserver(new MessageObserverAdapter() {
      @Override
      public void onResponse(Response response) {
        f.complete(response);
      }

      @Override
      public void onReject() {
        f.completeExceptionally(new IOException("the CoAP server at " + uri + " rejected the request (RST)"));
      }

      @Override
      public void onTimeout() {
        f.completeExceptionally(noAnswer());
      }

      @Override
      public void onCancel() {
        f.completeExceptionally(noAnswer());
      }

      @Override
      public void onResponseHandlingError(Throwable error) {
        f.completeExceptionally(new IOException("cannot handle the answer from " + uri + ": " + error.getMessage(), error));
      }

      @Override
      public void onSendError(Throwable error) {
        f.completeExceptionally(new IOException("cannot send to " + uri + ": " + error.getMessage(), error));
      }
    });
    endpoint.sendRequest(request);
    return f.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).exceptionallyCompose(t -> {
      if (t instanceof TimeoutException) {
        request.cancel();
        return CompletableFuture.failedFuture(noAnswer());
      }
      return CompletableFuture.failedFuture(t);
    });
  }

  private IOException noAnswer() {
    return new IOException("no CoAP answer from " + uri + " within " + timeoutMillis
        + " ms: is an EDHOC server listening on that UDP port? (UDP reports no refused connection)");
  }
}
