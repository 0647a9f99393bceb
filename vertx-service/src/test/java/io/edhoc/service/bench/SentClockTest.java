package io.edhoc.service.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.oscore.EdhocTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SentClockTest {
  /** A transport that answers 5.03 to everything, recording what it was given. */
  static final class Refusing implements EdhocTransport {
    final List<byte[]> bodies = new ArrayList<>();

    @Override
    public CompletableFuture<Reply> post(byte[] body) {
      bodies.add(body);
      return CompletableFuture.completedFuture(new Reply(Kind.OVERLOADED, "5.03 Service Unavailable", null, false));
    }

    @Override
    public String target() {
      return "coap://192.0.2.1/.well-known/edhoc";
    }
  }

  @Test
  void theOriginIsTheLatestSendNotTheHandshakesStart() {
    AtomicLong now = new AtomicLong(1_000);
    Refusing inner = new Refusing();
    SentClock clock = new SentClock(inner, now::get, now.get());
    assertThat(clock.lastSentNanos()).as("nothing sent yet: the creation time").isEqualTo(1_000);

    now.set(5_000); // message_1 took 4 us to build (or the driver waited for the CPU)
    assertThat(clock.post(new byte[] {1}).join().kind()).isEqualTo(EdhocTransport.Kind.OVERLOADED);
    assertThat(clock.lastSentNanos()).isEqualTo(5_000);

    now.set(9_000); // a second request of the same handshake (an Echo retry): the refusal answers this one
    clock.post(new byte[] {2});
    assertThat(clock.lastSentNanos()).isEqualTo(9_000);
    assertThat(inner.bodies).extracting(b -> b[0]).containsExactly((byte) 1, (byte) 2);
    assertThat(clock.target()).isEqualTo(inner.target());
  }

  @Test
  void aStampedTransportsSendTimeIsTheOrigin() {
    AtomicLong now = new AtomicLong(1_000);
    StampedTransport stamped = new StampedTransport() {
      @Override
      public CompletableFuture<Reply> post(byte[] body, java.util.function.LongConsumer sent) {
        sent.accept(7_000); // the bytes went to the socket 6 us after the handshake gave them (a wait for a connection)
        return CompletableFuture.completedFuture(new Reply(Kind.OVERLOADED, "HTTP 503", null, false));
      }

      @Override
      public String target() {
        return "http://192.0.2.1/.well-known/edhoc";
      }
    };
    SentClock clock = new SentClock(stamped, now::get, now.get());
    now.set(1_000);
    clock.post(new byte[] {1}).join();
    assertThat(clock.lastSentNanos()).isEqualTo(7_000);
  }
}
