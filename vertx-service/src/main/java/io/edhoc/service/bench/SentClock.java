package io.edhoc.service.bench;

import io.edhoc.oscore.EdhocTransport;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * One handshake's view of a transport that notes when its latest request was sent: the origin of
 * a refusal's latency. A 5.03/503 answers the request just sent, so its time is counted from that
 * send, not from before the initiator built message_1 (key generation, and on a busy client a wait
 * for the CPU at the drivers' low priority, are the client's own time, not the server's). With a
 * {@link StampedTransport} (bench's own) the send is when the bytes went to the socket; with any
 * other, when the request was handed to the transport.
 */
public final class SentClock implements EdhocTransport {
  private final EdhocTransport transport;
  private final LongSupplier nanoTime;
  private volatile long lastSent;

  /**
   * @param created the time to report when nothing has been sent (a handshake that failed before
   *     its first request)
   */
  public SentClock(EdhocTransport transport, LongSupplier nanoTime, long created) {
    this.transport = transport;
    this.nanoTime = nanoTime;
    this.lastSent = created;
  }

  public SentClock(EdhocTransport transport) {
    this(transport, System::nanoTime, System.nanoTime());
  }

  @Override
  public CompletableFuture<Reply> post(byte[] body) {
    lastSent = nanoTime.getAsLong();
    if (transport instanceof StampedTransport s) {
      return s.post(body, t -> lastSent = t); // before the answer can come: the write happens after this
    }
    return transport.post(body);
  }

  @Override
  public String target() {
    return transport.target();
  }

  /** When the latest request went to the transport (the creation time until the first). */
  public long lastSentNanos() {
    return lastSent;
  }
}
