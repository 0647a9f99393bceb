package io.edhoc.service.bench;

import io.edhoc.oscore.EdhocTransport;
import io.edhoc.service.client.HttpEdhocTransport;
import io.edhoc.service.http.HttpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * {@link EdhocTransport} for {@code bench} over HTTP/1.1 on plain non-blocking sockets: the part of
 * RFC 9112 a load generator needs, so that the client costs less than the server it measures (the
 * HTTP counterpart of {@link DatagramCoapTransport}).
 *
 * <p>What it does: POSTs with the EDHOC request media type over keep-alive connections, one request
 * at a time on a connection (no pipelining), up to {@code maxConnections} connections opened as
 * requests need them and reused most-recently-freed first; answers framed by Content-Length, by
 * chunked transfer coding, or by the server closing the connection; a connection the server closes
 * or marks {@code Connection: close} is not reused; a 1xx interim answer is skipped. When every
 * connection is busy a request waits for the next one freed. Each request has a deadline; a request
 * without an answer by then fails and its connection is closed (a late answer cannot be matched to
 * the next request). What it refuses: an answer whose head exceeds 16 KiB or whose body exceeds 64
 * KiB, or that does not parse as HTTP/1.x, fails the request with a message saying so.
 *
 * <p>Why: with Vert.x's client (futures composed per request, its connection pool and message
 * queues) bench's HTTP side cost about 65 µs more CPU per request than its lean CoAP client, and at
 * twice the server's capacity the initiator then fell behind by seconds (docs/performance.md).
 * Here requests are written on the calling thread; one selector thread connects, reads and parses,
 * and hands each answer to the driver's executor, where the initiator's crypto runs. A 503 is
 * completed on the selector thread: no crypto follows a refusal, and it is timed when it came.
 */
public final class PlainHttpTransport implements StampedTransport, AutoCloseable {
  static final int MAX_HEAD = 16 * 1024;
  static final int MAX_BODY = 64 * 1024;
  private static final long SWEEP_NANOS = 20_000_000L;

  private final String target;
  private final InetSocketAddress server;
  private final String where;
  private final byte[] head;
  private final int maxConnections;
  private final long timeoutNanos;
  private final long timeoutMillis;
  private final Executor executor;
  private final Selector selector;
  private final Thread reader;
  /** Connections without a request, most recently freed first. */
  private final ConcurrentLinkedDeque<Conn> idle = new ConcurrentLinkedDeque<>();
  /** Requests waiting for a connection (all {@code maxConnections} busy). */
  private final ConcurrentLinkedQueue<Request> waiting = new ConcurrentLinkedQueue<>();
  /** Requests for which the selector thread is to open a connection (each holds a reserved slot). */
  private final ConcurrentLinkedQueue<Request> connecting = new ConcurrentLinkedQueue<>();
  /** Other work for the selector thread: writes to finish. */
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** Every open connection (for the deadline sweep and close). */
  private final Set<Conn> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final LongAdder opened = new LongAdder();
  private volatile boolean closed;

  /** One request: its bytes, its deadline, its answer. */
  private static final class Request {
    final ByteBuffer bytes;
    final long deadline;
    final CompletableFuture<Reply> answer = new CompletableFuture<>();
    private final LongConsumer sent;
    private boolean stamped;

    Request(ByteBuffer bytes, long deadline, LongConsumer sent) {
      this.bytes = bytes;
      this.deadline = deadline;
      this.sent = sent;
    }

    /** Before each write of this request's bytes: the first one is when it was sent. */
    void writing() {
      if (!stamped) {
        stamped = true;
        sent.accept(System.nanoTime());
      }
    }
  }

  /** One keep-alive connection and the answer being read on it. */
  private final class Conn {
    final SocketChannel channel;
    /** The request on this connection, null while idle. */
    final AtomicReference<Request> current = new AtomicReference<>();
    /** Bytes of the answer read so far (selector thread only). */
    ByteBuffer in = ByteBuffer.allocate(1024);
    SelectionKey key;
    volatile boolean dead;

    Conn(SocketChannel channel) {
      this.channel = channel;
    }
  }

  /**
   * @param uri the EDHOC resource ({@code http://host:port/path}; no path: /.well-known/edhoc)
   * @param maxConnections how many connections may be open at once (one per request in flight)
   * @param executor where answers other than 503 are completed (the initiator's crypto continues there)
   */
  public PlainHttpTransport(URI uri, int maxConnections, long timeoutMillis, Executor executor) throws IOException {
    URI u = HttpEdhocTransport.resourceUri(uri);
    if (!"http".equalsIgnoreCase(u.getScheme())) {
      throw new IllegalArgumentException("not an http:// URI: " + uri);
    }
    this.target = u.toString();
    int port = u.getPort() > 0 ? u.getPort() : 80;
    this.server = new InetSocketAddress(InetAddress.getByName(u.getHost()), port);
    this.where = u.getHost() + ":" + port;
    String path = u.getRawPath() + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
    String host = u.getHost().contains(":") && !u.getHost().startsWith("[") ? "[" + u.getHost() + "]" : u.getHost();
    this.head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + (u.getPort() > 0 ? ":" + port : "") + "\r\nContent-Type: "
        + HttpTransport.REQUEST_TYPE + "\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
    this.maxConnections = Math.max(1, maxConnections);
    this.timeoutMillis = timeoutMillis;
    this.timeoutNanos = timeoutMillis * 1_000_000L;
    this.executor = executor;
    this.selector = Selector.open();
    this.reader = new Thread(this::loop, "bench-http-reader");
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public String target() {
    return target;
  }

  /** Connections opened so far, including those since closed (tests: reuse means this stays small). */
  public long connectionsOpened() {
    return opened.sum();
  }

  @Override
  public CompletableFuture<Reply> post(byte[] body, LongConsumer sent) {
    if (closed) {
      return CompletableFuture.failedFuture(new IOException("the HTTP client is closed"));
    }
    Request r = new Request(request(body), System.nanoTime() + timeoutNanos, sent);
    Conn c = takeIdle();
    if (c != null) {
      send(c, r);
    } else if (reserveConnection()) {
      connecting.add(r);
      selector.wakeup();
    } else {
      waiting.add(r);
      pairIdleWithWaiting(); // a connection freed between takeIdle and add went to idle
    }
    if (closed) {
      failAll(new IOException("the HTTP client is closed")); // closed meanwhile: nothing may be left waiting
    }
    return r.answer;
  }

  private Conn takeIdle() {
    Conn c;
    while ((c = idle.pollFirst()) != null) {
      if (!c.dead) {
        return c;
      }
    }
    return null;
  }

  private boolean reserveConnection() {
    while (true) {
      int n = connections.get();
      if (n >= maxConnections) {
        return false;
      }
      if (connections.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  private ByteBuffer request(byte[] body) {
    byte[] length = Integer.toString(body.length).getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(head.length + length.length + 4 + body.length);
    b.put(head).put(length).put((byte) '\r').put((byte) '\n').put((byte) '\r').put((byte) '\n').put(body).flip();
    return b;
  }

  /** Writes {@code r} on {@code c} from the calling thread; what the socket does not take now, the selector thread finishes. */
  private void send(Conn c, Request r) {
    if (!c.current.compareAndSet(null, r)) {
      throw new IllegalStateException("connection already busy");
    }
    try {
      r.writing();
      c.channel.write(r.bytes);
      if (r.bytes.hasRemaining()) {
        tasks.add(() -> {
          if (c.key != null && c.key.isValid()) {
            c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
          }
        });
        selector.wakeup();
      }
    } catch (IOException e) {
      fail(c, new IOException("HTTP connection to " + where + " lost: " + e.getMessage(), e));
    }
  }

  // ---------------------------------------------------------------------------------------- selector

  private void loop() {
    long nextSweep = System.nanoTime() + SWEEP_NANOS;
    while (!closed) {
      try {
        selector.select(SWEEP_NANOS / 1_000_000L);
        Request r;
        while ((r = connecting.poll()) != null) {
          connect(r);
        }
        Runnable t;
        while ((t = tasks.poll()) != null) {
          t.run();
        }
        for (SelectionKey k : selector.selectedKeys()) {
          Conn c = (Conn) k.attachment();
          if (!k.isValid()) {
            continue;
          }
          if (k.isConnectable()) {
            finishConnect(c);
          } else {
            if (k.isWritable()) {
              flush(c);
            }
            if (k.isValid() && k.isReadable()) {
              read(c);
            }
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
          failAll(new IOException("HTTP client selector failed: " + e.getMessage(), e));
        }
        return;
      } catch (RuntimeException e) {
        // a broken invariant: without this thread nothing would ever complete, so fail it all now
        closed = true;
        failAll(new IOException("HTTP client stopped: " + e, e));
        return;
      }
    }
  }

  private void connect(Request r) {
    SocketChannel ch;
    try {
      ch = SocketChannel.open();
    } catch (IOException e) {
      connections.decrementAndGet();
      r.answer.completeExceptionally(connectFailure(e));
      return;
    }
    Conn c = new Conn(ch);
    c.current.set(r);
    open.add(c);
    opened.increment();
    try {
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (ch.connect(server)) {
        c.key = ch.register(selector, SelectionKey.OP_READ, c);
        flush(c);
      } else {
        c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
      }
    } catch (IOException e) {
      fail(c, connectFailure(e));
    }
  }

  private void finishConnect(Conn c) {
    try {
      c.channel.finishConnect();
      c.key.interestOps(SelectionKey.OP_READ);
      flush(c);
    } catch (IOException e) {
      fail(c, connectFailure(e));
    }
  }

  private IOException connectFailure(IOException e) {
    if (e instanceof java.net.ConnectException) {
      return new IOException("connection refused: nothing listens on " + where + " (TCP)", e);
    }
    return new IOException("cannot connect to " + where + ": " + e.getMessage(), e);
  }

  /** Writes what is left of the current request (selector thread). */
  private void flush(Conn c) {
    Request r = c.current.get();
    try {
      if (r != null && r.bytes.hasRemaining()) {
        r.writing();
        c.channel.write(r.bytes);
      }
      if (c.key.isValid()) {
        c.key.interestOps(r != null && r.bytes.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
      }
    } catch (IOException e) {
      fail(c, new IOException("HTTP connection to " + where + " lost: " + e.getMessage(), e));
    }
  }

  private void read(Conn c) {
    try {
      while (true) {
        if (!c.in.hasRemaining()) {
          if (c.in.capacity() >= MAX_HEAD + MAX_BODY + 64) {
            fail(c, new IOException("HTTP answer from " + where + " too large (over " + (MAX_HEAD + MAX_BODY) + " bytes)"));
            return;
          }
          ByteBuffer bigger = ByteBuffer.allocate(Math.min(c.in.capacity() * 4, MAX_HEAD + MAX_BODY + 64));
          c.in.flip();
          bigger.put(c.in);
          c.in = bigger;
        }
        int n = c.channel.read(c.in);
        if (n < 0) {
          eof(c);
          return;
        }
        if (n == 0) {
          break;
        }
      }
      parse(c, false);
    } catch (IOException e) {
      fail(c, new IOException("HTTP connection to " + where + " lost: " + e.getMessage(), e));
    }
  }

  private void eof(Conn c) {
    if (c.current.get() == null) {
      discard(c); // an idle connection the server closed
      return;
    }
    parse(c, true);
    if (!c.dead && c.current.get() != null) {
      fail(c, new IOException("the HTTP server at " + where + " closed the connection without a complete answer"));
    }
  }

  /**
   * Parses what has been read on {@code c}: completes its request once the answer is whole. Bytes
   * while no request is in flight, or beyond the one answer, are a protocol error that fails the
   * connection (only an answer to the request in flight is expected on it).
   */
  private void parse(Conn c, boolean atEof) {
    Request r = c.current.get();
    if (r == null) {
      if (c.in.position() > 0) {
        fail(c, new IOException("the HTTP server at " + where + " sent bytes without a request"));
      }
      return;
    }
    Answer a;
    try {
      a = Answer.parse(c.in.array(), c.in.position(), atEof);
    } catch (IOException e) {
      fail(c, new IOException("HTTP answer from " + where + " malformed: " + e.getMessage(), e));
      return;
    }
    while (a != null && a.code() >= 100 && a.code() < 200) { // interim answer: drop it, read on
      int rest = c.in.position() - a.length();
      System.arraycopy(c.in.array(), a.length(), c.in.array(), 0, rest);
      c.in.position(rest);
      try {
        a = Answer.parse(c.in.array(), rest, atEof);
      } catch (IOException e) {
        fail(c, new IOException("HTTP answer from " + where + " malformed: " + e.getMessage(), e));
        return;
      }
    }
    if (a == null) {
      return; // incomplete: read on
    }
    if (a.length() != c.in.position()) {
      fail(c, new IOException("the HTTP server at " + where + " sent more than one answer to one request"));
      return;
    }
    c.in.clear();
    if (c.in.capacity() > 1024) {
      c.in = ByteBuffer.allocate(1024);
    }
    if (!c.current.compareAndSet(r, null)) {
      return; // timed out meanwhile: the connection is closed
    }
    boolean reuse = a.keepAlive() && !atEof && !closed;
    if (reuse) {
      release(c);
    } else {
      discard(c);
    }
    Reply reply = HttpEdhocTransport.reply(a.code(), a.contentType(), a.body());
    if (reply.kind() == Kind.OVERLOADED || executor == null) {
      r.answer.complete(reply); // a refusal: no crypto follows, finish it here and now
    } else {
      try {
        executor.execute(() -> r.answer.complete(reply));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        r.answer.complete(reply); // the driver is shutting down at the end of a run
      }
    }
  }

  /** {@code c} is free: to the first waiting request, else to the idle stack. */
  private void release(Conn c) {
    Request w = waiting.poll();
    if (w != null) {
      send(c, w);
      return;
    }
    idle.addFirst(c);
    if (!waiting.isEmpty()) {
      pairIdleWithWaiting(); // a request queued after our poll, having found no idle connection
    }
  }

  /**
   * Gives an idle connection to the first waiting request. A request and a freed connection can
   * pass each other (each side looked before the other published itself), so both sides call
   * this after publishing theirs: whichever comes second pairs them.
   */
  private void pairIdleWithWaiting() {
    Conn c = takeIdle();
    if (c != null) {
      Request w = waiting.poll();
      if (w != null) {
        send(c, w);
      } else {
        idle.addFirst(c);
      }
    }
  }

  /** Requests past their deadline fail and their connections close: one pass every {@link #SWEEP_NANOS}. */
  private void sweep(long now) {
    for (Conn c : open) {
      Request r = c.current.get();
      if (r != null && now - r.deadline >= 0) {
        fail(c, noAnswer());
      }
    }
    for (Request r : waiting) {
      if (now - r.deadline >= 0 && waiting.remove(r)) {
        r.answer.completeExceptionally(noAnswer());
      }
    }
  }

  private IOException noAnswer() {
    return new IOException("no HTTP answer from " + target + " within " + timeoutMillis + " ms");
  }

  /** Fails the request on {@code c}, if any, and closes it. */
  private void fail(Conn c, IOException e) {
    Request r = c.current.getAndSet(null);
    discard(c);
    if (r != null) {
      r.answer.completeExceptionally(e);
    }
  }

  /** Closes {@code c} for good; its slot may be opened again. */
  private void discard(Conn c) {
    if (c.dead) {
      return;
    }
    c.dead = true;
    if (open.remove(c)) {
      connections.decrementAndGet();
    }
    if (c.key != null) {
      c.key.cancel();
    }
    closeQuietly(c.channel);
    // a request may be waiting for a connection that only this slot can now provide
    Request w = waiting.poll();
    if (w != null) {
      if (reserveConnection()) {
        connecting.add(w);
        selector.wakeup();
      } else {
        waiting.add(w);
      }
    }
  }

  private void failAll(IOException e) {
    for (Conn c : open) {
      fail(c, e);
    }
    Request w;
    while ((w = waiting.poll()) != null) {
      w.answer.completeExceptionally(e);
    }
    while ((w = connecting.poll()) != null) {
      connections.decrementAndGet();
      w.answer.completeExceptionally(e);
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing: nothing to do
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    selector.wakeup();
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failAll(new IOException("the HTTP client is closed"));
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  // ---------------------------------------------------------------------------------------- parsing

  /**
   * A complete HTTP/1.x answer at the start of a buffer.
   *
   * @param length bytes it occupies, head and body
   * @param keepAlive the connection may carry another request (HTTP/1.1 without {@code Connection:
   *     close}, or HTTP/1.0 with {@code Connection: keep-alive})
   */
  record Answer(int code, String contentType, byte[] body, int length, boolean keepAlive) {

    /**
     * Parses the answer at {@code buf[0..n)}: null when more bytes are needed; {@code atEof}: the
     * server closed the connection, which ends a body framed by neither length nor chunks.
     *
     * @throws IOException when the bytes are not an HTTP/1.x answer, or exceed the limits
     */
    static Answer parse(byte[] buf, int n, boolean atEof) throws IOException {
      int end = headEnd(buf, n);
      if (end < 0) {
        if (n > MAX_HEAD) {
          throw new IOException("head over " + MAX_HEAD + " bytes");
        }
        if (atEof && n > 0) {
          throw new IOException("connection closed inside the head");
        }
        return null;
      }
      if (end > MAX_HEAD) {
        throw new IOException("head over " + MAX_HEAD + " bytes");
      }
      String headText = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
      String[] lines = headText.split("\r\n");
      String status = lines[0];
      if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
        throw new IOException("not an HTTP/1.x status line");
      }
      boolean http10 = status.charAt(7) == '0';
      int code;
      try {
        code = Integer.parseInt(status.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new IOException("status code not a number");
      }
      if (code < 100 || code > 599 || (status.length() > 12 && status.charAt(12) != ' ')) {
        throw new IOException("status code out of range");
      }
      long contentLength = -1;
      boolean chunked = false;
      String contentType = null;
      String connection = null;
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i];
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new IOException("header line without a name");
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> {
            long v;
            try {
              v = Long.parseLong(value);
            } catch (NumberFormatException e) {
              throw new IOException("Content-Length not a number");
            }
            if (v < 0 || (contentLength >= 0 && v != contentLength)) {
              throw new IOException("Content-Length invalid or repeated with another value");
            }
            contentLength = v;
          }
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
          case "content-type" -> contentType = value;
          case "connection" -> connection = value.toLowerCase(Locale.ROOT);
          default -> { }
        }
      }
      int bodyStart = end + 4;
      boolean keepAlive = http10 ? connection != null && connection.contains("keep-alive") : connection == null || !connection.contains("close");
      if ((code >= 100 && code < 200) || code == 204 || code == 304) {
        return new Answer(code, contentType, new byte[0], bodyStart, keepAlive);
      }
      if (chunked) {
        return chunked(buf, n, bodyStart, code, contentType, keepAlive);
      }
      if (contentLength >= 0) {
        if (contentLength > MAX_BODY) {
          throw new IOException("body of " + contentLength + " bytes, over " + MAX_BODY);
        }
        if (n - bodyStart < contentLength) {
          return null;
        }
        byte[] body = java.util.Arrays.copyOfRange(buf, bodyStart, bodyStart + (int) contentLength);
        return new Answer(code, contentType, body, bodyStart + (int) contentLength, keepAlive);
      }
      // neither: the body runs to the end of the connection (RFC 9112 6.3, item 8)
      if (n - bodyStart > MAX_BODY) {
        throw new IOException("body over " + MAX_BODY + " bytes");
      }
      if (!atEof) {
        return null;
      }
      return new Answer(code, contentType, java.util.Arrays.copyOfRange(buf, bodyStart, n), n, false);
    }

    private static int headEnd(byte[] buf, int n) {
      for (int i = 0; i + 3 < n; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
          return i;
        }
      }
      return -1;
    }

    /** RFC 9112 7.1: chunk-size [ext] CRLF data CRLF ... 0 CRLF [trailers] CRLF. */
    private static Answer chunked(byte[] buf, int n, int at, int code, String contentType, boolean keepAlive) throws IOException {
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      int p = at;
      while (true) {
        int eol = crlf(buf, p, n);
        if (eol < 0) {
          if (n - p > 1024) {
            throw new IOException("chunk size line too long");
          }
          return null;
        }
        String sizeText = new String(buf, p, eol - p, StandardCharsets.ISO_8859_1);
        int semi = sizeText.indexOf(';');
        long size;
        try {
          size = Long.parseLong((semi >= 0 ? sizeText.substring(0, semi) : sizeText).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("chunk size not hexadecimal");
        }
        if (size < 0 || body.size() + size > MAX_BODY) {
          throw new IOException("chunked body over " + MAX_BODY + " bytes");
        }
        p = eol + 2;
        if (size == 0) {
          // trailers, then an empty line
          while (true) {
            int t = crlf(buf, p, n);
            if (t < 0) {
              return null;
            }
            if (t == p) {
              return new Answer(code, contentType, body.toByteArray(), t + 2, keepAlive);
            }
            p = t + 2;
          }
        }
        if (n - p < size + 2) {
          return null;
        }
        body.write(buf, p, (int) size);
        p += (int) size;
        if (buf[p] != '\r' || buf[p + 1] != '\n') {
          throw new IOException("chunk not followed by CRLF");
        }
        p += 2;
      }
    }

    private static int crlf(byte[] buf, int from, int n) {
      for (int i = from; i + 1 < n; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n') {
          return i;
        }
      }
      return -1;
    }
  }
}
