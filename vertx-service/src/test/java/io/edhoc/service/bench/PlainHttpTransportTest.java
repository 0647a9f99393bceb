package io.edhoc.service.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.oscore.EdhocTransport.Kind;
import io.edhoc.oscore.EdhocTransport.Reply;
import io.edhoc.service.http.HttpTransport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bench's lean HTTP/1.1 client: against Vert.x's server (an independent parser of what it
 * sends, and a real keep-alive peer whose connections are counted), and against a scripted TCP
 * peer for each framing and failure it claims (chunked, close-delimited, interim 1xx, Connection:
 * close, junk, a second answer, a truncated answer, a silent server, nobody listening).
 */
class PlainHttpTransportTest {
  private ExecutorService pool;
  private final AtomicInteger executed = new AtomicInteger();
  private Executor counting;
  private PlainHttpTransport client;
  private Vertx vertx;
  private RawServer raw;
  /** When the Vert.x server sent its latest answer to "slow". */
  private volatile long slowAnswered;

  @BeforeEach
  void setUp() {
    pool = Executors.newFixedThreadPool(2);
    counting = r -> {
      executed.incrementAndGet();
      pool.execute(r);
    };
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    if (raw != null) {
      raw.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    pool.shutdownNow();
  }

  private static Reply get(CompletableFuture<Reply> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<Reply> f) {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no completion", e);
    }
    throw new AssertionError("completed normally: " + f.join());
  }

  // ------------------------------------------------------------------------ against Vert.x's server

  /** A Vert.x server on a free port: echoes the request's body with the EDHOC response type; a body "503" gets 503, "slow" waits 30 ms. */
  private int vertxServer(Set<Object> connections, List<String> seen) throws Exception {
    vertx = Vertx.vertx();
    HttpServer server = vertx.createHttpServer().connectionHandler(c -> connections.add(c)).requestHandler(req -> req.body().onSuccess(b -> {
      seen.add(req.method() + " " + req.uri() + " " + req.version() + " host=" + req.getHeader("Host") + " type=" + req.getHeader("Content-Type")
          + " body=" + b.toString());
      if (b.toString().equals("503")) {
        req.response().setStatusCode(503).putHeader("Retry-After", "1").end();
      } else if (b.toString().equals("slow")) {
        vertx.setTimer(30, t -> {
          slowAnswered = System.nanoTime();
          req.response().putHeader("Content-Type", HttpTransport.RESPONSE_TYPE).end(b);
        });
      } else {
        req.response().putHeader("Content-Type", HttpTransport.RESPONSE_TYPE).end(b);
      }
    }));
    return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).actualPort();
  }

  @Test
  void postsWhatVertxParsesAndReadsItsAnswer() throws Exception {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    int port = vertxServer(ConcurrentHashMap.newKeySet(), seen);
    client = new PlainHttpTransport(URI.create("http://127.0.0.1:" + port), 4, 5000, counting);
    assertThat(client.target()).isEqualTo("http://127.0.0.1:" + port + "/.well-known/edhoc");

    Reply r = get(client.post("hello".getBytes(StandardCharsets.US_ASCII)));

    assertThat(r.kind()).isEqualTo(Kind.SUCCESS);
    assertThat(r.status()).isEqualTo("HTTP 200 OK");
    assertThat(r.body()).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
    assertThat(r.edhocBody()).isTrue();
    assertThat(seen).containsExactly("POST /.well-known/edhoc HTTP_1_1 host=127.0.0.1:" + port + " type=" + HttpTransport.REQUEST_TYPE + " body=hello");
    assertThat(executed).hasValue(1); // a success continues on the executor (the initiator's crypto)
  }

  @Test
  void keepAliveCarriesSequentialRequestsOnOneConnection() throws Exception {
    Set<Object> connections = ConcurrentHashMap.newKeySet();
    int port = vertxServer(connections, new java.util.concurrent.CopyOnWriteArrayList<>());
    client = new PlainHttpTransport(URI.create("http://127.0.0.1:" + port + "/.well-known/edhoc"), 16, 5000, counting);

    for (int i = 0; i < 50; i++) {
      assertThat(get(client.post(("m" + i).getBytes(StandardCharsets.US_ASCII))).body()).asString(StandardCharsets.US_ASCII).isEqualTo("m" + i);
    }

    assertThat(client.connectionsOpened()).isEqualTo(1);
    assertThat(connections).hasSize(1);
  }

  @Test
  void neverOpensMoreThanItsConnectionsAndServesEveryWaitingRequest() throws Exception {
    Set<Object> connections = ConcurrentHashMap.newKeySet();
    int port = vertxServer(connections, new java.util.concurrent.CopyOnWriteArrayList<>());
    client = new PlainHttpTransport(URI.create("http://127.0.0.1:" + port), 2, 5000, counting);

    List<CompletableFuture<Reply>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(client.post("slow".getBytes(StandardCharsets.US_ASCII)));
    }
    for (CompletableFuture<Reply> f : all) {
      assertThat(get(f).kind()).isEqualTo(Kind.SUCCESS);
    }

    assertThat(client.connectionsOpened()).isEqualTo(2);
    assertThat(connections).hasSize(2);
  }

  @Test
  void aRequestIsStampedSentWhenItsBytesGoOutNotWhileItWaitsForAConnection() throws Exception {
    int port = vertxServer(ConcurrentHashMap.newKeySet(), new java.util.concurrent.CopyOnWriteArrayList<>());
    client = new PlainHttpTransport(URI.create("http://127.0.0.1:" + port), 1, 5000, counting);
    List<Long> first = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Long> second = new java.util.concurrent.CopyOnWriteArrayList<>();

    long before = System.nanoTime();
    CompletableFuture<Reply> a = client.post("slow".getBytes(StandardCharsets.US_ASCII), first::add);
    CompletableFuture<Reply> b = client.post("after".getBytes(StandardCharsets.US_ASCII), second::add); // the one connection is busy
    get(a);
    get(b);

    assertThat(first).hasSize(1);
    assertThat(first.get(0)).isGreaterThanOrEqualTo(before);
    assertThat(second).as("stamped once").hasSize(1);
    assertThat(second.get(0)).as("written after the connection was freed by the answer to the first").isGreaterThan(slowAnswered);
  }

  @Test
  void aRefusalCompletesOnTheReaderWithoutTheExecutor() throws Exception {
    int port = vertxServer(ConcurrentHashMap.newKeySet(), new java.util.concurrent.CopyOnWriteArrayList<>());
    client = new PlainHttpTransport(URI.create("http://127.0.0.1:" + port), 2, 5000, counting);

    Reply r = get(client.post("503".getBytes(StandardCharsets.US_ASCII)));

    assertThat(r.kind()).isEqualTo(Kind.OVERLOADED);
    assertThat(r.status()).isEqualTo("HTTP 503 Service Unavailable");
    assertThat(executed).hasValue(0);
  }

  // ------------------------------------------------------------------------ against a scripted peer

  /** A TCP peer answering each request (read by its Content-Length) with the next scripted bytes ({@link #SILENCE}: none). */
  private static final class RawServer implements AutoCloseable {
    static final byte[] SILENCE = new byte[] {0};
    final ServerSocket socket;
    final LinkedBlockingQueue<byte[]> script = new LinkedBlockingQueue<>();
    final AtomicInteger accepted = new AtomicInteger();
    final List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Thread acceptor;

    RawServer() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            Socket s = socket.accept();
            accepted.incrementAndGet();
            open.add(s);
            Thread t = new Thread(() -> serve(s));
            t.setDaemon(true);
            t.start();
          } catch (IOException e) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    void answer(String... answers) {
      for (String a : answers) {
        script.add(a.getBytes(StandardCharsets.ISO_8859_1));
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (readRequest(in)) {
          byte[] a = script.take();
          if (a != SILENCE) {
            out.write(a);
            out.flush();
          }
        }
      } catch (IOException | InterruptedException e) {
        // the test is over
      }
    }

    /** Reads one request's head and Content-Length body; false at the end of the stream. */
    private static boolean readRequest(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        head.write(b);
        byte[] h = head.toByteArray();
        int n = h.length;
        if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
          String text = new String(h, StandardCharsets.ISO_8859_1);
          int length = 0;
          for (String line : text.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(line.substring(15).trim());
            }
          }
          in.readNBytes(length);
          return true;
        }
      }
      return false;
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }

  private PlainHttpTransport rawClient(long timeoutMs) throws IOException {
    raw = new RawServer();
    client = new PlainHttpTransport(URI.create("http://127.0.0.1:" + raw.port() + "/edhoc"), 4, timeoutMs, counting);
    return client;
  }

  @Test
  void readsAChunkedBodyAndAnInterimAnswerBeforeIt() throws Exception {
    rawClient(5000);
    raw.answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/edhoc+cbor-seq\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n", "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");

    Reply r = get(client.post(new byte[] {1}));
    Reply again = get(client.post(new byte[] {2}));

    assertThat(r.kind()).isEqualTo(Kind.SUCCESS);
    assertThat(r.body()).asString(StandardCharsets.US_ASCII).isEqualTo("abcde");
    assertThat(again.status()).isEqualTo("HTTP 201 Created");
    assertThat(again.body()).asString(StandardCharsets.US_ASCII).isEqualTo("ok");
    assertThat(raw.accepted).hasValue(1); // the chunked answer left the connection usable
  }

  @Test
  void aBodyFramedByTheCloseIsReadAndTheConnectionNotReused() throws Exception {
    rawClient(5000);
    raw.answer("HTTP/1.1 400 Bad Request\r\nContent-Type: application/edhoc+cbor-seq\r\n\r\n\u0001\u0002");

    CompletableFuture<Reply> f = client.post(new byte[] {1});
    // the peer closes after its answer only when told: the body has no length, so it ends with the connection
    Thread.sleep(100);
    assertThat(f).isNotDone();
    raw.open.get(0).shutdownOutput();
    Reply r = get(f);

    assertThat(r.kind()).isEqualTo(Kind.ERROR);
    assertThat(r.body()).containsExactly(1, 2);
    raw.answer("HTTP/1.1 204 No Content\r\n\r\n");
    assertThat(get(client.post(new byte[] {2})).status()).isEqualTo("HTTP 204 No Content");
    assertThat(raw.accepted).hasValue(2);
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    rawClient(5000);
    raw.answer("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny");

    assertThat(get(client.post(new byte[] {1})).kind()).isEqualTo(Kind.OVERLOADED);
    assertThat(get(client.post(new byte[] {2})).body()).containsExactly('x'); // HTTP/1.0 without keep-alive: not reused either
    assertThat(get(client.post(new byte[] {3})).body()).containsExactly('y');
    assertThat(raw.accepted).hasValue(3);
  }

  @Test
  void malformedAnswersFailTheRequestSayingSoAndTheNextOneWorks() throws Exception {
    rawClient(5000);
    raw.answer("SPDY/9 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: " + "a".repeat(PlainHttpTransport.MAX_HEAD) + "\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

    String[] expected = {"not an HTTP/1.x status line", "status code not a number", "Content-Length invalid", "Content-Length invalid",
        "header line without a name", "chunk size not hexadecimal", "over " + PlainHttpTransport.MAX_BODY, "head over", "more than one answer"};
    for (String e : expected) {
      assertThat(failure(client.post(new byte[] {1}))).isInstanceOf(IOException.class).hasMessageContaining(e);
    }
    assertThat(get(client.post(new byte[] {1})).body()).asString(StandardCharsets.US_ASCII).isEqualTo("ok");
    assertThat(raw.accepted).hasValue(expected.length + 1); // each bad answer cost its connection
  }

  @Test
  void aTruncatedAnswerAndASilentServerFail() throws Exception {
    rawClient(300);
    raw.answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");

    CompletableFuture<Reply> truncated = client.post(new byte[] {1});
    Thread.sleep(50);
    raw.open.get(0).close();
    assertThat(failure(truncated)).hasMessageContaining("closed the connection without a complete answer");

    raw.script.add(RawServer.SILENCE);
    long t0 = System.nanoTime();
    assertThat(failure(client.post(new byte[] {2}))).hasMessageContaining("no HTTP answer from http://127.0.0.1:" + raw.port() + "/edhoc within 300 ms");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(290);
  }

  @Test
  void nobodyListeningIsSaidInWords() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    client = new PlainHttpTransport(URI.create("http://127.0.0.1:" + port), 1, 2000, counting);

    assertThat(failure(client.post(new byte[] {1}))).hasMessage("connection refused: nothing listens on 127.0.0.1:" + port + " (TCP)");
    // one connection at most: the failed one gave its slot back, or this would wait for its deadline
    assertThat(failure(client.post(new byte[] {1}))).hasMessage("connection refused: nothing listens on 127.0.0.1:" + port + " (TCP)");
  }

  @Test
  void anAnswerIsNotCompleteUntilItsLastByte() throws Exception {
    byte[][] answers = {
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.ISO_8859_1),
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
        "HTTP/1.1 204 No Content\r\nX: y\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)};
    for (byte[] a : answers) {
      for (int n = 0; n < a.length; n++) {
        assertThat(PlainHttpTransport.Answer.parse(a, n, false)).as("prefix of %d bytes", n).isNull();
      }
      PlainHttpTransport.Answer whole = PlainHttpTransport.Answer.parse(a, a.length, false);
      assertThat(whole.length()).isEqualTo(a.length);
      assertThat(whole.keepAlive()).isTrue();
    }
  }

  @Test
  void closingFailsWhatIsInFlightAndRefusesMore() throws Exception {
    rawClient(60_000);
    raw.script.add(RawServer.SILENCE);
    CompletableFuture<Reply> inFlight = client.post(new byte[] {1});
    Thread.sleep(100);
    client.close();
    assertThat(failure(inFlight)).hasMessage("the HTTP client is closed");
    assertThat(failure(client.post(new byte[] {1}))).hasMessage("the HTTP client is closed");
    assertThatThrownBy(() -> new PlainHttpTransport(URI.create("coap://127.0.0.1"), 1, 1000, counting)).isInstanceOf(IllegalArgumentException.class);
  }
}
