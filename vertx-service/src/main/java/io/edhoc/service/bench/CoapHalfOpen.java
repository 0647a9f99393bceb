package io.edhoc.service.bench;

import io.edhoc.oscore.EdhocOption;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;

/**
 * {@code bench --half-open}: message_1 only, over raw UDP from many source ports (a pool of
 * non-blocking sockets, no CoAP stack, no retransmission, never a message_3), the way a crowd of
 * spoofing or vanished clients fills a responder's half-open store. One selector thread reads the
 * answers and classifies them: 2.04 (message_2: a half-open session now exists), 5.03 (shed), 4.01
 * (Echo challenge, which a spoofer cannot answer), anything else. A window bounds the messages
 * in flight; a message without an answer within the timeout counts as failed.
 */
public final class CoapHalfOpen implements AutoCloseable {
  private final InetSocketAddress server;
  private final String uri;
  private final List<DatagramChannel> sockets = new ArrayList<>();
  private final Selector selector;
  private final Thread reader;
  private final Semaphore window;
  private final long timeoutNanos;
  private final BenchStats stats;
  /** token (8 bytes as long) -> send time. */
  private final Map<Long, Long> pending = new ConcurrentHashMap<>();
  private final UdpDataSerializer serializer = new UdpDataSerializer();
  private final LongAdderMap answers = new LongAdderMap();
  private volatile boolean closed;
  private long sequence;
  /** Distinct Message IDs per socket (65,536 on the wire; smaller in tests). */
  private final int messageIds;
  /** Per socket: the next Message ID (from a random start) and how many this socket has sent. */
  private final int[] nextMid;
  private final int[] sentOn;

  /** Per-code answer counts (e.g. "2.04", "4.01"), for the report. */
  public static final class LongAdderMap extends ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> {
    private static final long serialVersionUID = 1L;

    void add(String key) {
      computeIfAbsent(key, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }
  }

  /** Message IDs are 16 bits (RFC 7252 section 3). */
  public static final int MESSAGE_IDS = 1 << 16;

  public CoapHalfOpen(String uri, int sockets, int window, long timeoutMillis, BenchStats stats) throws IOException {
    this(uri, sockets, window, timeoutMillis, stats, MESSAGE_IDS);
  }

  /**
   * @param messageIds how many Message IDs each socket may use (at most {@link #MESSAGE_IDS}; a
   *     smaller space lets a test reach the wrap-around with a few messages). Each socket counts
   *     its own IDs, so every (source port, Message ID) pair of a run is distinct: a server never
   *     takes one message_1 for the retransmission of another. {@link #capacity()} messages at most.
   */
  public CoapHalfOpen(String uri, int sockets, int window, long timeoutMillis, BenchStats stats, int messageIds) throws IOException {
    if (messageIds < 1 || messageIds > MESSAGE_IDS) {
      throw new IllegalArgumentException("messageIds must be 1.." + MESSAGE_IDS);
    }
    this.messageIds = messageIds;
    this.nextMid = new int[sockets];
    this.sentOn = new int[sockets];
    for (int i = 0; i < sockets; i++) {
      nextMid[i] = java.util.concurrent.ThreadLocalRandom.current().nextInt(messageIds);
    }
    java.net.URI u = java.net.URI.create(uri);
    InetAddress host = InetAddress.getByName(u.getHost());
    this.server = new InetSocketAddress(host, u.getPort() > 0 ? u.getPort() : CoAP.DEFAULT_COAP_PORT);
    this.uri = uri;
    this.window = new Semaphore(window);
    this.timeoutNanos = timeoutMillis * 1_000_000L;
    this.stats = stats;
    this.selector = Selector.open();
    InetSocketAddress local = host.isLoopbackAddress() ? new InetSocketAddress(host, 0) : new InetSocketAddress(0);
    for (int i = 0; i < sockets; i++) {
      DatagramChannel ch = DatagramChannel.open(host instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
      ch.bind(local);
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ);
      this.sockets.add(ch);
    }
    this.reader = new Thread(this::readLoop, "bench-half-open-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Sends one message_1 request body ({@code true || message_1}); waits for a window slot first. */
  public void send(byte[] body) throws IOException, InterruptedException {
    while (!window.tryAcquire(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      expire();
    }
    long seq;
    int socket;
    int mid;
    synchronized (this) {
      socket = (int) (sequence % sockets.size());
      if (sentOn[socket] == messageIds) {
        window.release();
        throw new IllegalStateException("every (source port, Message ID) pair is used: at most " + capacity()
            + " message_1 from " + sockets.size() + " ports in one run");
      }
      seq = ++sequence;
      sentOn[socket]++;
      mid = nextMid[socket];
      nextMid[socket] = (mid + 1) % messageIds;
    }
    Request r = Request.newPost();
    r.setURI(uri);
    r.setMID(mid);
    r.setToken(Token.fromProvider(java.nio.ByteBuffer.allocate(8).putLong(seq).array()));
    r.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
    r.setPayload(body);
    byte[] datagram = serializer.getByteArray(r);
    DatagramChannel ch = sockets.get(socket);
    pending.put(seq, System.nanoTime());
    if (ch.send(ByteBuffer.wrap(datagram), server) == 0) {
      pending.remove(seq);
      window.release();
      stats.recordFailed("local UDP send buffer full");
    }
  }

  /** How many message_1 one run can send with distinct (source port, Message ID) pairs. */
  public long capacity() {
    return (long) sockets.size() * messageIds;
  }

  /** Waits until every message sent has an answer or timed out. */
  public void drain() throws InterruptedException {
    long end = System.nanoTime() + timeoutNanos + 100_000_000L;
    while (!pending.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(20);
      expire();
    }
    expire();
  }

  /** Answers by CoAP code, e.g. {@code 2.04 -> 99000}. */
  public Map<String, Long> answers() {
    Map<String, Long> out = new java.util.TreeMap<>();
    answers.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private void expire() {
    long now = System.nanoTime();
    Iterator<Map.Entry<Long, Long>> it = pending.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Long> e = it.next();
      if (now - e.getValue() > timeoutNanos && pending.remove(e.getKey(), e.getValue())) {
        window.release();
        stats.recordFailed("no answer to message_1 within the timeout");
        answers.add("none");
      }
    }
  }

  private void readLoop() {
    ByteBuffer buf = ByteBuffer.allocate(2048);
    while (!closed) {
      try {
        selector.select(100);
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey k = keys.next();
          keys.remove();
          DatagramChannel ch = (DatagramChannel) k.channel();
          buf.clear();
          while (ch.receive(buf) != null) {
            buf.flip();
            onDatagram(buf);
            buf.clear();
          }
        }
      } catch (IOException | java.nio.channels.ClosedSelectorException e) {
        if (!closed) {
          stats.recordFailed("UDP receive failed: " + e.getMessage());
        }
        return;
      }
    }
  }

  private void onDatagram(ByteBuffer d) {
    if (d.remaining() < 4 + 8) {
      return;
    }
    int first = d.get(0) & 0xff;
    int type = (first >> 4) & 3;
    int tkl = first & 0x0f;
    int code = d.get(1) & 0xff;
    if (tkl != 8 || type == CoAP.Type.RST.value || code == 0) {
      return; // not an answer to one of ours (or an empty ACK: the answer comes separately)
    }
    long seq = d.getLong(4);
    Long sent = pending.remove(seq);
    if (sent == null) {
      return; // duplicate or already expired
    }
    window.release();
    String c = (code >> 5) + "." + String.format("%02d", code & 0x1f);
    answers.add(c);
    switch (c) {
      case "2.04" -> stats.recordOk(System.nanoTime() - sent);
      case "5.03" -> stats.recordShed(System.nanoTime() - sent);
      case "4.01" -> stats.recordFailed("4.01 (Echo challenge: a spoofed source cannot answer it)");
      default -> stats.recordFailed("answered " + c);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      reader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (DatagramChannel ch : sockets) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
