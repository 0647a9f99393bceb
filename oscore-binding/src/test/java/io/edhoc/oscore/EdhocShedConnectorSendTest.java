package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.MessageCallback;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.UdpEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.EndpointMismatchException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Outgoing datagrams leave on the thread that sends them, with Californium's callbacks in its
 * order, its endpoint-context check, and its "not running" answer once stopped.
 */
@Timeout(30)
class EdhocShedConnectorSendTest {
  private EdhocShedConnector connector;
  private DatagramSocket peer;

  /** Records the callbacks with the thread each ran on. */
  static final class Recorder implements MessageCallback {
    final List<String> events = new CopyOnWriteArrayList<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();

    @Override
    public void onConnecting() {
      events.add("connecting");
    }

    @Override
    public void onDtlsRetransmission(int flight) {
      events.add("dtls");
    }

    @Override
    public void onContextEstablished(EndpointContext context) {
      events.add("context " + Thread.currentThread().getName());
    }

    @Override
    public void onSent() {
      events.add("sent " + Thread.currentThread().getName());
    }

    @Override
    public void onError(Throwable e) {
      error.set(e);
      events.add("error " + Thread.currentThread().getName());
    }
  }

  @BeforeEach
  void start() throws Exception {
    UdpConfig.register();
    Configuration cfg = Configuration.createStandardWithoutFile();
    connector = new EdhocShedConnector(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), cfg);
    connector.start();
    peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    peer.setSoTimeout(5000);
  }

  @AfterEach
  void stop() {
    connector.destroy();
    peer.close();
  }

  private RawData outbound(byte[] bytes, Recorder callback) {
    return RawData.outbound(bytes, new UdpEndpointContext((InetSocketAddress) peer.getLocalSocketAddress()), callback, false);
  }

  @Test
  void aDatagramIsWrittenByTheCallingThreadBeforeSendReturns() throws Exception {
    Recorder callback = new Recorder();
    byte[] bytes = {0x60, 0x45, 0x12, 0x34, 1, 2, 3};
    String me = Thread.currentThread().getName();
    connector.send(outbound(bytes, callback));
    // both callbacks already ran, on this thread: no other thread was involved
    assertThat(callback.events).containsExactly("context " + me, "sent " + me);
    DatagramPacket got = new DatagramPacket(new byte[64], 64);
    peer.receive(got);
    assertThat(Arrays.copyOf(got.getData(), got.getLength())).isEqualTo(bytes);
    assertThat(got.getPort()).isEqualTo(connector.getAddress().getPort());
  }

  @Test
  void anEndpointContextTheMatcherRefusesIsNotSent() throws Exception {
    connector.setEndpointContextMatcher(new EndpointContextMatcher() {
      @Override
      public String getName() {
        return "refuse all";
      }

      @Override
      public Object getEndpointIdentity(EndpointContext context) {
        return context.getPeerAddress();
      }

      @Override
      public boolean isResponseRelatedToRequest(EndpointContext requestContext, EndpointContext responseContext) {
        return false;
      }

      @Override
      public boolean isToBeSent(EndpointContext messageContext, EndpointContext connectorContext) {
        return false;
      }

      @Override
      public String toRelevantState(EndpointContext context) {
        return "";
      }
    });
    Recorder callback = new Recorder();
    connector.send(outbound(new byte[] {0x60, 0x45, 0, 1}, callback));
    assertThat(callback.error.get()).isInstanceOf(EndpointMismatchException.class);
    assertThat(callback.events).hasSize(1);
    peer.setSoTimeout(300);
    DatagramPacket got = new DatagramPacket(new byte[64], 64);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> peer.receive(got)).isInstanceOf(java.net.SocketTimeoutException.class);
  }

  @Test
  void aStoppedConnectorReportsTheMessageAsNotSent() {
    connector.stop();
    Recorder callback = new Recorder();
    connector.send(outbound(new byte[] {0x60, 0x45, 0, 2}, callback));
    assertThat(callback.error.get()).isInstanceOf(java.io.InterruptedIOException.class);
    assertThat(callback.events).noneMatch(e -> e.startsWith("sent"));
  }
}
