package io.edhoc.service.client;

import io.edhoc.service.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** EDHOC over HTTP (same framing as CoAP) for the {@code connect} command. */
public final class HttpClientTransport implements EdhocClient.Transport {
  private final URI uri;
  private final HttpClient client;
  private final Duration timeout;

  public HttpClientTransport(URI uri, long timeoutMs) {
    this.uri = uri;
    this.timeout = Duration.ofMillis(timeoutMs);
    this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  @Override
  public EdhocClient.Reply post(byte[] body) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", HttpTransport.REQUEST_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    try {
      HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
      return new EdhocClient.Reply(r.statusCode() == 200, "HTTP " + r.statusCode(), r.body() == null ? new byte[0] : r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }
}
