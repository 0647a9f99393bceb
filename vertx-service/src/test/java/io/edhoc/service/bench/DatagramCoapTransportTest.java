package io.edhoc.service.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.oscore.EdhocTransport;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.elements.RawData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bench's lean CoAP client against a scripted UDP peer: what goes on the wire is parsed by
 * Californium's own parser (an independent check of the encoding), and each RFC 7252 / RFC 9175
 * case the client claims (piggybacked, separate and NON responses, RST, retransmission, Echo,
 * Block2, timeouts, junk) is driven by the peer and its outcome asserted.
 */
class DatagramCoapTransportTest {
  private DatagramSocket peer;
  private ExecutorService pool;
  private DatagramCoapTransport client;

  @BeforeEach
  void setUp() throws Exception {
    peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    peer.setSoTimeout(10_000);
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    peer.close();
    pool.shutdownNow();
  }

  private DatagramCoapTransport client(long timeoutMs) throws Exception {
    client = new DatagramCoapTransport("coap://127.0.0.1:" + peer.getLocalPort(), 2, timeoutMs, pool);
    return client;
  }

  /** A datagram the client sent, parsed by Californium, with where it came from. */
  record Received(org.eclipse.californium.core.coap.Message message, SocketAddress from, byte[] raw) {
    Request request() {
      return (Request) message;
    }
  }

  private Received receive() throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    peer.receive(p);
    byte[] raw = Arrays.copyOf(p.getData(), p.getLength());
    org.eclipse.californium.core.coap.Message r = new UdpDataParser().parseMessage(RawData.inbound(raw, new org.eclipse.californium.elements.AddressEndpointContext(
        (InetSocketAddress) p.getSocketAddress()), false, System.nanoTime(), (InetSocketAddress) peer.getLocalSocketAddress()));
    return new Received(r, p.getSocketAddress(), raw);
  }

  private void send(SocketAddress to, byte[] datagram) throws Exception {
    peer.send(new DatagramPacket(datagram, datagram.length, to));
  }

  /** A response: type, code (class.detail as one byte), MID, token, options (number, value) in order, payload. */
  static byte[] response(int type, int code, int mid, byte[] token, Object[][] options, byte[] payload) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x40 | type << 4 | token.length);
    b.write(code);
    b.write(mid >> 8);
    b.write(mid);
    b.writeBytes(token);
    int last = 0;
    for (Object[] o : options) {
      int number = (Integer) o[0];
      DatagramCoapTransport.option(b, number - last, (byte[]) o[1]);
      last = number;
    }
    if (payload.length > 0) {
      b.write(0xff);
      b.writeBytes(payload);
    }
    return b.toByteArray();
  }

  private static final int ACK = 2;
  private static final int CON = 0;
  private static final int NON = 1;
  private static final int RST = 3;
  private static final int CHANGED = 0x44;
  private static final int UNAUTHORIZED = 0x81;
  private static final int UNAVAILABLE = 0xa3;
  private static final byte[] CF65 = {65};

  @Test
  void postsAConfirmableRequestCaliforniumParsesAndReadsAPiggybackedAnswer() throws Exception {
    var f = client(5000).post(new byte[] {(byte) 0xf5, 1, 2});
    Received r = receive();
    assertThat(r.request().getType()).isEqualTo(CoAP.Type.CON);
    assertThat(r.request().getCode()).isEqualTo(CoAP.Code.POST);
    assertThat(r.request().getOptions().getUriPathString()).isEqualTo(".well-known/edhoc");
    assertThat(r.request().getOptions().getContentFormat()).isEqualTo(65);
    assertThat(r.request().getPayload()).containsExactly(0xf5, 1, 2);
    assertThat(r.request().getToken().length()).isEqualTo(8);
    send(r.from(), response(ACK, CHANGED, r.request().getMID(), r.request().getTokenBytes(), new Object[][] {{12, CF65}}, new byte[] {9, 8}));
    EdhocTransport.Reply reply = f.get(5, TimeUnit.SECONDS);
    assertThat(reply.kind()).isEqualTo(EdhocTransport.Kind.SUCCESS);
    assertThat(reply.status()).isEqualTo("2.04 Changed");
    assertThat(reply.body()).containsExactly(9, 8);
    assertThat(reply.edhocBody()).isTrue();
  }

  @Test
  void anEmptyAckStopsRetransmissionAndTheSeparateResponseIsAcknowledged() throws Exception {
    var f = client(5000).post(new byte[] {1});
    Received r = receive();
    int mid = r.request().getMID();
    byte[] token = r.request().getTokenBytes();
    send(r.from(), response(ACK, 0, mid, new byte[0], new Object[0][], new byte[0]));
    // the separate response, a CON of the server's own with another MID
    send(r.from(), response(CON, CHANGED, 0x1234, token, new Object[][] {{12, CF65}}, new byte[] {7}));
    Received ack = receive();
    assertThat(ack.raw()).containsExactly(0x60, 0, 0x12, 0x34);
    assertThat(ack.message()).isInstanceOf(org.eclipse.californium.core.coap.EmptyMessage.class);
    assertThat(f.get(5, TimeUnit.SECONDS).body()).containsExactly(7);
    // nothing was retransmitted after the empty ACK (the first retransmission would be due after 2-3 s)
    peer.setSoTimeout(3500);
    assertThatThrownBy(this::receive).isInstanceOf(java.net.SocketTimeoutException.class);
    assertThat(client.retransmissions()).isZero();
  }

  @Test
  void retransmitsTheSameDatagramWhenNoAnswerComes() throws Exception {
    List<Long> stamps = new java.util.concurrent.CopyOnWriteArrayList<>();
    long before = System.nanoTime();
    var f = client(20_000).post(new byte[] {1}, stamps::add);
    Received first = receive();
    long t0 = System.nanoTime();
    Received again = receive(); // dropped the first: the client sends it again after 2-3 s
    long waitedMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(again.raw()).containsExactly(first.raw());
    assertThat(waitedMs).isBetween(1500L, 3600L); // ACK_TIMEOUT x [1, ACK_RANDOM_FACTOR], with scheduling slack
    assertThat(client.retransmissions()).isEqualTo(1);
    send(again.from(), response(NON, CHANGED, 77, again.request().getTokenBytes(), new Object[0][], new byte[] {5}));
    assertThat(f.get(5, TimeUnit.SECONDS).body()).containsExactly(5);
    // sent once, when the first transmission went out: the answer to a retransmission is timed from there
    assertThat(stamps).hasSize(1);
    assertThat(stamps.get(0)).isBetween(before, t0);
  }

  @Test
  void aResetFailsTheRequestAndAServiceUnavailableIsShedding() throws Exception {
    var reset = client(5000).post(new byte[] {1});
    Received r = receive();
    send(r.from(), response(RST, 0, r.request().getMID(), new byte[0], new Object[0][], new byte[0]));
    assertThatThrownBy(() -> reset.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasMessageContaining("rejected the request (RST)");
    var shed = client.post(new byte[] {2});
    Received s = receive();
    send(s.from(), response(ACK, UNAVAILABLE, s.request().getMID(), s.request().getTokenBytes(), new Object[][] {{14, new byte[] {1}}}, new byte[0]));
    assertThat(shed.get(5, TimeUnit.SECONDS).kind()).isEqualTo(EdhocTransport.Kind.OVERLOADED);
  }

  @Test
  void anEchoChallengeIsAnsweredOnceWithTheEchoValue() throws Exception {
    var f = client(5000).post(new byte[] {1, 2});
    Received r = receive();
    byte[] echo = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    send(r.from(), response(ACK, UNAUTHORIZED, r.request().getMID(), r.request().getTokenBytes(), new Object[][] {{252, echo}}, new byte[0]));
    Received again = receive();
    assertThat(again.from()).as("from the port the Echo value was issued to").isEqualTo(r.from());
    assertThat(again.request().getPayload()).containsExactly(1, 2);
    assertThat(again.request().getMID()).isNotEqualTo(r.request().getMID());
    assertThat(again.request().getTokenBytes()).isNotEqualTo(r.request().getTokenBytes());
    assertThat(io.edhoc.oscore.EchoOption.get(again.request().getOptions())).containsExactly(echo);
    // a second challenge is the answer
    send(again.from(), response(ACK, UNAUTHORIZED, again.request().getMID(), again.request().getTokenBytes(), new Object[][] {{252, echo}},
        new byte[0]));
    EdhocTransport.Reply reply = f.get(5, TimeUnit.SECONDS);
    assertThat(reply.status()).isEqualTo("4.01 Unauthorized");
  }

  @Test
  void aOnePortViewSendsEveryRequestFromOneSocketAndViewsTakeTheSocketsInTurn() throws Exception {
    DatagramCoapTransport c = client(5000);
    EdhocTransport first = c.onOnePort();
    EdhocTransport second = c.onOnePort();
    SocketAddress[] from = new SocketAddress[4];
    EdhocTransport[] views = {first, first, second, first};
    for (int i = 0; i < views.length; i++) {
      var f = views[i].post(new byte[] {(byte) i});
      Received r = receive();
      from[i] = r.from();
      send(r.from(), response(ACK, CHANGED, r.request().getMID(), r.request().getTokenBytes(), new Object[][] {{12, CF65}}, new byte[] {1}));
      assertThat(f.get(5, TimeUnit.SECONDS).kind()).isEqualTo(EdhocTransport.Kind.SUCCESS);
    }
    assertThat(from[1]).isEqualTo(from[0]);
    assertThat(from[3]).isEqualTo(from[0]);
    assertThat(from[2]).isNotEqualTo(from[0]);
  }

  @Test
  void aBlockwiseAnswerFailsWithAMessageNamingTheFullClient() throws Exception {
    var f = client(5000).post(new byte[] {1});
    Received r = receive();
    send(r.from(), response(ACK, 0x45, r.request().getMID(), r.request().getTokenBytes(), new Object[][] {{23, new byte[] {0x0e}}}, new byte[16]));
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasMessageContaining("Block2").hasMessageContaining("--coap-client californium");
  }

  @Test
  void junkStrangersAndDuplicatesAreIgnoredAndSilenceTimesOut() throws Exception {
    var f = client(800).post(new byte[] {1});
    Received r = receive();
    byte[] token = r.request().getTokenBytes();
    send(r.from(), new byte[] {0x40}); // too short
    send(r.from(), response(ACK, CHANGED, r.request().getMID(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new Object[0][], new byte[] {1})); // not our token
    byte[] badOptions = response(ACK, CHANGED, r.request().getMID(), token, new Object[0][], new byte[0]);
    byte[] malformed = Arrays.copyOf(badOptions, badOptions.length + 1);
    malformed[malformed.length - 1] = (byte) 0xff; // a payload marker without payload: the request fails as malformed
    send(r.from(), malformed);
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasMessageContaining("malformed CoAP response");
    var silent = client.post(new byte[] {2});
    receive();
    assertThatThrownBy(() -> silent.get(5, TimeUnit.SECONDS)).hasMessageContaining("no CoAP answer").hasMessageContaining("within 800 ms");
  }

  @Test
  void messageIdsAreNotReusedWithinTheExchangeLifetime() throws Exception {
    client = DatagramCoapTransport.withMessageIds("coap://127.0.0.1:" + peer.getLocalPort(), 1, 5000, pool, 4);
    List<Integer> mids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      var f = client.post(new byte[] {(byte) i});
      Received r = receive();
      mids.add(r.request().getMID());
      send(r.from(), response(ACK, CHANGED, r.request().getMID(), r.request().getTokenBytes(), new Object[0][], new byte[0]));
      f.get(5, TimeUnit.SECONDS);
    }
    assertThat(mids).doesNotHaveDuplicates();
    assertThatThrownBy(() -> client.post(new byte[] {9}).get(5, TimeUnit.SECONDS)).hasMessageContaining("Message IDs exhausted");
  }

  @Test
  void encodesLongOptionsWithTheExtendedForms() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DatagramCoapTransport.option(b, 252 - 12, new byte[14]); // delta 240: 13 + 227; length 14: 13 + 1
    assertThat(Arrays.copyOf(b.toByteArray(), 3)).containsExactly(0xdd, 227, 1);
    b.reset();
    DatagramCoapTransport.option(b, 300, new byte[300]); // both 14: 2-byte extensions minus 269
    assertThat(Arrays.copyOf(b.toByteArray(), 5)).containsExactly(0xee, 0, 31, 0, 31);
    assertThat(DatagramCoapTransport.pathOptions("/a/b%20c")).containsExactly(0xb1, 'a', 0x03, 'b', ' ', 'c');
  }
}
