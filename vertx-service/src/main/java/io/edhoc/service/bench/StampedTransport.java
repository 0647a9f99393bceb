package io.edhoc.service.bench;

import io.edhoc.oscore.EdhocTransport;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * A transport of bench's own that says when a request left for the server: the moment its bytes
 * are handed to the socket, after whatever the client did before (building the request, waiting
 * for a connection, the sending thread waiting for a core). {@link SentClock} times a refusal from
 * there, as a capture on the wire does.
 */
public interface StampedTransport extends EdhocTransport {
  /**
   * As {@link #post(byte[])}; {@code sent} gets {@link System#nanoTime()} just before the request's
   * first transmission is written (not for retransmissions of it; again for a repeat the transport
   * makes itself, such as a CoAP request repeated with an Echo value, which the final answer
   * answers), and not at all when the request fails before that.
   */
  CompletableFuture<Reply> post(byte[] body, LongConsumer sent);

  @Override
  default CompletableFuture<Reply> post(byte[] body) {
    return post(body, t -> {});
  }
}
