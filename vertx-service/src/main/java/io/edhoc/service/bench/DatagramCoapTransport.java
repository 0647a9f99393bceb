package io.edhoc.service.bench;

import io.edhoc.oscore.CoapEdhocTransport;
import io.edhoc.oscore.EchoOption;
import io.edhoc.oscore.EdhocOption;
import io.edhoc.oscore.EdhocTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;

/**
 * {@link EdhocTransport} for {@code bench} over CoAP on plain UDP sockets: the RFC 7252 messaging a
 * load generator needs and nothing more, so that the client costs less than the server it measures.
 *
 * <p>What it does: confirmable POSTs to the EDHOC resource from a pool of sockets (each its own
 * source port and Message ID space, connected to the server, so datagrams from anyone else are
 * dropped by the kernel); 8-byte tokens that are never reused in a run; retransmission with
 * exponential back-off from a random initial timeout in [ACK_TIMEOUT, ACK_TIMEOUT x
 * ACK_RANDOM_FACTOR] (2-3 s) up to MAX_RETRANSMIT (4), stopped by an empty ACK (a separate
 * response follows); piggybacked, separate (CON, acknowledged) and NON responses; RST; the Echo
 * challenge of RFC 9175 answered once, from the source port the challenge was sent to (the server
 * binds the value to it), as {@link CoapEdhocTransport} does; {@link #onOnePort()}, the view bench
 * takes per handshake, sends all of a handshake's requests from one port. What it refuses: a
 * block-wise response (Block2) fails the request with a message naming {@code --coap-client
 * californium}, which handles it.
 *
 * <p>Why: Californium's client stack (exchange store, matcher, deduplicator, layers, serial
 * executors, a sender and a receiver thread per endpoint) cost about 0.4 ms of CPU per handshake
 * on the client side, as much as the whole served responder (docs/performance.md). Here one
 * selector thread reads every socket and hands each answer to the driver's executor, where the
 * initiator's crypto runs; sends happen on the calling thread.
 */
public final class DatagramCoapTransport implements StampedTransport, AutoCloseable {
  /** RFC 7252 section 4.8 defaults. */
  static final long ACK_TIMEOUT_NANOS = 2_000_000_000L;
  static final double ACK_RANDOM_FACTOR = 1.5;
  static final int MAX_RETRANSMIT = 4;
  private static final int URI_PATH = 11;
  private static final int CONTENT_FORMAT = 12;
  private static final int BLOCK2 = 23;
  private static final int TYPE_CON = 0;
  private static final int TYPE_NON = 1;
  private static final int TYPE_ACK = 2;
  private static final int TYPE_RST = 3;
  private static final int POST = 2;
  private static final long SWEEP_NANOS = 20_000_000L;

  private final String uri;
  private final List<DatagramChannel> sockets = new ArrayList<>();
  private final MessageIds[] messageIds;
  private final Selector selector;
  private final Thread reader;
  private final Executor executor;
  private final long timeoutNanos;
  private final long timeoutMillis;
  /** The options before Content-Format (the Uri-Path segments), encoded once. */
  private final byte[] pathOptions;
  private final AtomicLong nextToken = new AtomicLong(ThreadLocalRandom.current().nextLong());
  private final AtomicInteger nextSocket = new AtomicInteger();
  /** Requests awaiting an answer, by token. */
  private final Map<Long, Exchange> byToken = new ConcurrentHashMap<>();
  /** The same requests by (socket, Message ID): empty ACKs and RSTs carry no token. */
  private final Map<Integer, Exchange> byMid = new ConcurrentHashMap<>();
  private final AtomicLong retransmissions = new AtomicLong();
  private volatile boolean closed;

  /** RFC 7252 4.8.2: a Message ID is not reused towards the same server within this time. */
  static final long EXCHANGE_LIFETIME_NANOS = 247_000_000_000L;

  /**
   * One socket's Message IDs: used in order from a random start, in blocks; a block is handed out
   * again only EXCHANGE_LIFETIME after its previous use, so no (source port, Message ID) pair is
   * reused while a server may still deduplicate on it. O(1) per request.
   */
  static final class MessageIds {
    private final int space;
    private final int blockSize;
    private final long[] blockUsed;
    private final int start;
    private long next;

    MessageIds(int space) {
      this.space = space;
      this.blockSize = Math.max(1, space / 256);
      this.blockUsed = new long[(space + blockSize - 1) / blockSize];
      java.util.Arrays.fill(blockUsed, Long.MIN_VALUE);
      this.start = ThreadLocalRandom.current().nextInt(space);
    }

    /** The next Message ID, or -1 when its block was used less than EXCHANGE_LIFETIME ago. */
    synchronized int take(long now) {
      int index = (int) (next % space);
      if (index % blockSize == 0) {
        int block = index / blockSize;
        if (blockUsed[block] != Long.MIN_VALUE && now - blockUsed[block] < EXCHANGE_LIFETIME_NANOS) {
          return -1;
        }
        blockUsed[block] = now;
      }
      next++;
      return (start + index) % space;
    }
  }

  /** One request on the wire: its datagram, where it went, and when to send it again. */
  private static final class Exchange {
    final long token;
    final int socket;
    final int mid;
    final byte[] datagram;
    final CompletableFuture<Answer> answer = new CompletableFuture<>();
    final long deadline;
    volatile long nextRetransmit;
    volatile long backoff;
    volatile int retransmitted;
    /** An empty ACK came: the response will be separate, stop retransmitting. */
    volatile boolean acknowledged;

    Exchange(long token, int socket, int mid, byte[] datagram, long now, long timeoutNanos) {
      this.token = token;
      this.socket = socket;
      this.mid = mid;
      this.datagram = datagram;
      this.deadline = now + timeoutNanos;
      this.backoff = (long) (ACK_TIMEOUT_NANOS * (1 + ThreadLocalRandom.current().nextDouble() * (ACK_RANDOM_FACTOR - 1)));
      this.nextRetransmit = now + backoff;
    }
  }

  /** A decoded response: code, Content-Format (-1: none), Echo value (or null), payload, and the socket it came on. */
  record Answer(ResponseCode code, int contentFormat, byte[] echo, byte[] payload, int socket) {}

  /**
   * @param uri the EDHOC resource ({@code coap://host:port/path}; no path: /.well-known/edhoc)
   * @param sockets how many source ports (Message ID spaces) to spread the requests over
   * @param executor where answers are completed (the initiator's crypto continues there)
   */
  public DatagramCoapTransport(String uri, int sockets, long timeoutMillis, Executor executor) throws IOException {
    this(uri, sockets, timeoutMillis, executor, 1 << 16);
  }

  /** As below, with {@code messageIds} Message IDs per socket (tests: a small space is exhausted with a few requests). */
  public static DatagramCoapTransport withMessageIds(String uri, int sockets, long timeoutMillis, Executor executor, int messageIds)
      throws IOException {
    return new DatagramCoapTransport(uri, sockets, timeoutMillis, executor, messageIds);
  }

  private DatagramCoapTransport(String uri, int sockets, long timeoutMillis, Executor executor, int messageIds) throws IOException {
    this.uri = CoapEdhocTransport.resourceUri(uri);
    URI u = URI.create(this.uri);
    InetAddress host = InetAddress.getByName(u.getHost());
    InetSocketAddress server = new InetSocketAddress(host, u.getPort() > 0 ? u.getPort() : CoAP.DEFAULT_COAP_PORT);
    this.executor = executor;
    this.timeoutMillis = timeoutMillis;
    this.timeoutNanos = timeoutMillis * 1_000_000L;
    this.pathOptions = pathOptions(u.getRawPath());
    this.messageIds = new MessageIds[sockets];
    this.selector = Selector.open();
    InetSocketAddress local = host.isLoopbackAddress() ? new InetSocketAddress(host, 0) : new InetSocketAddress(0);
    try {
      for (int i = 0; i < sockets; i++) {
        DatagramChannel ch = DatagramChannel.open(host instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        this.sockets.add(ch);
        ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20); // bursts of answers while the reader waits for a core
        ch.bind(local);
        ch.connect(server);
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ, i);
        this.messageIds[i] = new MessageIds(messageIds);
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    this.reader = new Thread(this::readLoop, "bench-coap-reader");
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public String target() {
    return uri;
  }

  /** Datagrams sent again because no answer (and no empty ACK) came in time. */
  public long retransmissions() {
    return retransmissions.get();
  }

  /** Each request from the next socket in turn (with a free Message ID); see {@link #onOnePort()} for one client's view. */
  @Override
  public CompletableFuture<Reply> post(byte[] body, LongConsumer sent) {
    return post(body, ANY_SOCKET, sent);
  }

  /**
   * A view of this client that sends every request from one socket, the next in turn when the view
   * is made: what one CoAP client does for one handshake (message_1, its Echo retry and message_3
   * from one source port). {@code bench} takes one per handshake.
   */
  public EdhocTransport onOnePort() {
    int socket = Math.floorMod(nextSocket.getAndIncrement(), sockets.size());
    return new StampedTransport() {
      @Override
      public CompletableFuture<Reply> post(byte[] body, LongConsumer sent) {
        return DatagramCoapTransport.this.post(body, socket, sent);
      }

      @Override
      public String target() {
        return uri;
      }
    };
  }

  private static final int ANY_SOCKET = -1;

  private CompletableFuture<Reply> post(byte[] body, int socket, LongConsumer sent) {
    return send(body, null, socket, sent).thenCompose(a -> {
      if (EchoOption.isChallenge(a.code(), a.echo())) {
        // RFC 9175 2.3: repeat the request once with the Echo value, from the source port it was
        // issued to (a server binds it to the client's address and port); a second challenge is the answer
        return send(body, a.echo(), a.socket(), sent);
      }
      return CompletableFuture.completedFuture(a);
    }).thenApply(a -> CoapEdhocTransport.reply(a.code(), a.contentFormat(), a.payload()));
  }

  /** Sends from {@code only} (a socket index), or from the next socket in turn with a free Message ID ({@link #ANY_SOCKET}). */
  private CompletableFuture<Answer> send(byte[] body, byte[] echo, int only, LongConsumer sent) {
    if (closed) {
      return CompletableFuture.failedFuture(new IOException("the CoAP client is closed"));
    }
    long now = System.nanoTime();
    int socket = only;
    int mid = only == ANY_SOCKET ? -1 : messageIds[only].take(now);
    for (int tries = 0; only == ANY_SOCKET && tries < sockets.size() && mid < 0; tries++) {
      socket = Math.floorMod(nextSocket.getAndIncrement(), sockets.size());
      mid = messageIds[socket].take(now);
    }
    if (mid < 0) {
      return CompletableFuture.failedFuture(new IOException("Message IDs exhausted: " + (only == ANY_SOCKET ? "each of the " + sockets.size()
          + " source ports has" : "the handshake's source port has") + " used its Message IDs within EXCHANGE_LIFETIME (247 s); give more --coap-endpoints"));
    }
    long token = nextToken.getAndIncrement();
    Exchange x = new Exchange(token, socket, mid, request(mid, token, body, echo), now, timeoutNanos);
    byToken.put(token, x);
    byMid.put(midKey(socket, mid), x);
    sent.accept(System.nanoTime());
    transmit(x);
    CompletableFuture<Answer> out = new CompletableFuture<>();
    x.answer.whenComplete((a, e) -> {
      Runnable done = e == null ? () -> out.complete(a) : () -> out.completeExceptionally(e);
      if (a != null && a.code() == ResponseCode.SERVICE_UNAVAILABLE) {
        done.run(); // a refusal needs no crypto: finish it here, timed when it came, not behind the driver's queue
        return;
      }
      try {
        executor.execute(done);
      } catch (java.util.concurrent.RejectedExecutionException rejected) {
        done.run(); // the driver is shutting down at the end of a run
      }
    });
    return out;
  }

  private void transmit(Exchange x) {
    try {
      if (sockets.get(x.socket).write(ByteBuffer.wrap(x.datagram)) == 0) {
        finish(x, null, new IOException("local UDP send buffer full"));
      }
    } catch (IOException e) {
      finish(x, null, new IOException("cannot send to " + uri + ": " + e.getMessage(), e));
    }
  }

  private void finish(Exchange x, Answer a, Throwable failure) {
    if (byToken.remove(x.token, x)) {
      byMid.remove(midKey(x.socket, x.mid), x);
      if (failure != null) {
        x.answer.completeExceptionally(failure);
      } else {
        x.answer.complete(a);
      }
    }
  }

  private static int midKey(int socket, int mid) {
    return socket << 16 | mid;
  }

  // ------------------------------------------------------------------------------------ encoding

  /** A CON POST: header, 8-byte token, Uri-Path, Content-Format 65 (with a body), Echo, payload. */
  private byte[] request(int mid, long token, byte[] body, byte[] echo) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(4 + 8 + pathOptions.length + 8 + (echo != null ? echo.length + 3 : 0) + 1 + body.length);
    b.write(0x40 | TYPE_CON << 4 | 8);
    b.write(POST);
    b.write(mid >> 8);
    b.write(mid);
    for (int i = 7; i >= 0; i--) {
      b.write((int) (token >>> (8 * i)));
    }
    b.writeBytes(pathOptions);
    int last = pathOptions.length > 0 ? URI_PATH : 0;
    if (body.length > 0) {
      option(b, CONTENT_FORMAT - last, new byte[] {(byte) EdhocOption.CID_EDHOC_CBOR_SEQ});
      last = CONTENT_FORMAT;
    }
    if (echo != null) {
      option(b, EchoOption.NUMBER - last, echo);
    }
    if (body.length > 0) {
      b.write(0xff);
      b.writeBytes(body);
    }
    return b.toByteArray();
  }

  static byte[] pathOptions(String rawPath) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int delta = URI_PATH;
    for (String segment : rawPath.split("/")) {
      if (!segment.isEmpty()) {
        option(b, delta, java.net.URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        delta = 0;
      }
    }
    return b.toByteArray();
  }

  /** One option (RFC 7252 section 3.1): delta and length nibbles with their extended forms. */
  static void option(ByteArrayOutputStream b, int delta, byte[] value) {
    int d = nibble(delta);
    int l = nibble(value.length);
    b.write(d << 4 | l);
    extended(b, d, delta);
    extended(b, l, value.length);
    b.writeBytes(value);
  }

  private static int nibble(int v) {
    return v < 13 ? v : v < 269 ? 13 : 14;
  }

  private static void extended(ByteArrayOutputStream b, int nibble, int v) {
    if (nibble == 13) {
      b.write(v - 13);
    } else if (nibble == 14) {
      b.write((v - 269) >> 8);
      b.write(v - 269);
    }
  }

  // ------------------------------------------------------------------------------------ receiving

  private void readLoop() {
    ByteBuffer buf = ByteBuffer.allocate(65_536);
    long nextSweep = System.nanoTime() + SWEEP_NANOS;
    while (!closed) {
      try {
        selector.select(SWEEP_NANOS / 1_000_000L);
        for (SelectionKey k : selector.selectedKeys()) {
          DatagramChannel ch = (DatagramChannel) k.channel();
          int socket = (Integer) k.attachment();
          buf.clear();
          while (ch.receive(buf) != null) {
            buf.flip();
            onDatagram(socket, buf);
            buf.clear();
          }
        }
        selector.selectedKeys().clear();
        long now = System.nanoTime();
        if (now - nextSweep >= 0) {
          sweep(now);
          nextSweep = now + SWEEP_NANOS;
        }
      } catch (IOException | java.nio.channels.ClosedSelectorException e) {
        if (!closed) {
          failAll(new IOException("UDP receive failed: " + e.getMessage(), e));
        }
        return;
      }
    }
  }

  /** Retransmissions and timeouts: one pass over the requests in flight every {@link #SWEEP_NANOS}. */
  private void sweep(long now) {
    for (Exchange x : byToken.values()) {
      if (now - x.deadline >= 0) {
        finish(x, null, noAnswer());
      } else if (!x.acknowledged && now - x.nextRetransmit >= 0) {
        if (x.retransmitted == MAX_RETRANSMIT) {
          x.nextRetransmit = x.deadline; // no more datagrams: wait for the deadline
          continue;
        }
        x.retransmitted++;
        x.backoff *= 2;
        x.nextRetransmit = now + x.backoff;
        retransmissions.incrementAndGet();
        transmit(x);
      }
    }
  }

  /** Parses one datagram from {@code socket}'s server; anything malformed or unexpected is dropped. */
  void onDatagram(int socket, ByteBuffer d) {
    int n = d.remaining();
    if (n < 4) {
      return;
    }
    int first = d.get(0) & 0xff;
    int type = first >> 4 & 3;
    int tkl = first & 0x0f;
    int code = d.get(1) & 0xff;
    int mid = (d.get(2) & 0xff) << 8 | d.get(3) & 0xff;
    if (first >> 6 != 1 || tkl > 8 || n < 4 + tkl) {
      return;
    }
    if (code == 0) {
      Exchange x = byMid.get(midKey(socket, mid));
      if (x != null && type == TYPE_ACK) {
        x.acknowledged = true; // the response comes separately
      } else if (x != null && type == TYPE_RST) {
        finish(x, null, new IOException("the CoAP server at " + uri + " rejected the request (RST)"));
      }
      return;
    }
    if (code >> 5 < 2) {
      return; // a request, not a response
    }
    if (type == TYPE_CON) {
      ack(socket, mid); // a separate response: acknowledge it (again, if it is a duplicate)
    }
    if (tkl != 8) {
      return;
    }
    long token = d.getLong(4);
    Exchange x = byToken.get(token);
    if (x == null || x.socket != socket || (type == TYPE_ACK && x.mid != mid)) {
      return; // late, duplicate, or not ours
    }
    if (type != TYPE_ACK && type != TYPE_CON && type != TYPE_NON) {
      return;
    }
    Answer a = parse(d, 4 + tkl, code, socket);
    if (a == null) {
      finish(x, null, new IOException("malformed CoAP response from " + uri));
    } else if (a.code() == null) {
      finish(x, null, new IOException("the CoAP server at " + uri + " answered block-wise (Block2), which this client does not "
          + "reassemble: use --coap-client californium"));
    } else {
      finish(x, a, null);
    }
  }

  /** Options and payload from {@code offset}; null when malformed; an Answer with a null code for Block2. */
  private static Answer parse(ByteBuffer d, int offset, int code, int socket) {
    int end = d.limit();
    int i = offset;
    int number = 0;
    int cf = -1;
    byte[] echo = null;
    byte[] payload = new byte[0];
    while (i < end) {
      int b = d.get(i++) & 0xff;
      if (b == 0xff) {
        if (i == end) {
          return null; // a payload marker with no payload (RFC 7252 3)
        }
        payload = new byte[end - i];
        d.get(i, payload);
        break;
      }
      int delta = b >> 4;
      int len = b & 0x0f;
      if (delta == 15 || len == 15) {
        return null;
      }
      int[] at = {i};
      delta = extendedValue(d, at, delta, end);
      len = extendedValue(d, at, len, end);
      i = at[0];
      if (delta < 0 || len < 0 || i + len > end) {
        return null;
      }
      number += delta;
      if (number == CONTENT_FORMAT) {
        if (len > 2) {
          return null;
        }
        cf = 0;
        for (int k = 0; k < len; k++) {
          cf = cf << 8 | d.get(i + k) & 0xff;
        }
      } else if (number == EchoOption.NUMBER) {
        echo = new byte[len];
        d.get(i, echo);
      } else if (number == BLOCK2) {
        return new Answer(null, cf, null, null, socket);
      }
      i += len;
    }
    try {
      return new Answer(ResponseCode.valueOf(code), cf, echo, payload, socket);
    } catch (RuntimeException unknownCode) {
      return null;
    }
  }

  private static int extendedValue(ByteBuffer d, int[] at, int nibble, int end) {
    if (nibble == 13) {
      if (at[0] + 1 > end) {
        return -1;
      }
      return (d.get(at[0]++) & 0xff) + 13;
    }
    if (nibble == 14) {
      if (at[0] + 2 > end) {
        return -1;
      }
      int v = ((d.get(at[0]) & 0xff) << 8 | d.get(at[0] + 1) & 0xff) + 269;
      at[0] += 2;
      return v;
    }
    return nibble;
  }

  private void ack(int socket, int mid) {
    byte[] ack = {(byte) (0x40 | TYPE_ACK << 4), 0, (byte) (mid >> 8), (byte) mid};
    try {
      sockets.get(socket).write(ByteBuffer.wrap(ack));
    } catch (IOException ignored) {
      // the server retransmits its CON response; the request times out if it never gets through
    }
  }

  private IOException noAnswer() {
    return new IOException("no CoAP answer from " + uri + " within " + timeoutMillis
        + " ms: is an EDHOC server listening on that UDP port? (UDP reports no refused connection)");
  }

  private void failAll(IOException e) {
    for (Exchange x : byToken.values()) {
      finish(x, null, e);
    }
  }

  /** Stops the reader, fails what is still in flight, closes the sockets. */
  @Override
  public void close() {
    closed = true;
    if (reader != null && Thread.currentThread() != reader) {
      selector.wakeup();
      try {
        reader.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    failAll(new IOException("the CoAP client is closed"));
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
