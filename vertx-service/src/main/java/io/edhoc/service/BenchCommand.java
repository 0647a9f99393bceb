package io.edhoc.service;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.oscore.CoapEdhocTransport;
import io.edhoc.oscore.EdhocTransport;
import io.edhoc.oscore.InitiatorFlow;
import io.edhoc.oscore.ResponderEngine;
import io.edhoc.service.bench.BenchStats;
import io.edhoc.service.bench.CoapHalfOpen;
import io.edhoc.service.bench.DatagramCoapTransport;
import io.edhoc.service.bench.InProcessTransport;
import io.edhoc.service.bench.LatencyHistogram;
import io.edhoc.service.bench.PlainHttpTransport;
import io.edhoc.service.bench.SentClock;
import io.edhoc.service.client.HttpEdhocTransport;
import io.edhoc.service.coap.CoapTransport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bench}: a load generator for any EDHOC server (CoAP or HTTP, RFC 9528 A.2 framing), built
 * on the one initiator flow ({@link InitiatorFlow}). Closed loop ({@code --concurrency N} handshakes
 * always in flight) or open loop ({@code --rate R} arrivals per second, Poisson or fixed; latency
 * from the intended start, so a slow server cannot hide its queueing), {@code --half-open N}
 * (message_1 only, from many source ports) and {@code --in-process} (both roles in this JVM on the
 * same thread count: the ceiling). Asynchronous throughout: the transports' callback threads run
 * the initiator's crypto, never a thread per request. A progress line each second on stderr; at
 * the end one line on stdout, {@code bench: N ok, N failed, N shed, R/s, p50 .. ms, p90 .. ms,
 * p99 .. ms, max .. ms}; {@code --json FILE} writes the same figures and the latency histogram.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Load-test an EDHOC server (or the in-process ceiling) with full handshakes or half-open message_1 floods.",
        "Prints a progress line each second (stderr) and one summary line (stdout): "
            + "bench: N ok, N failed, N shed, R/s, p50 X ms, p90 X ms, p99 X ms, max X ms. Shed = 5.03 / 503 answers."})
final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "URI",
      description = "coap://HOST[:PORT][/PATH] or http://HOST[:PORT][/PATH] (default path /.well-known/edhoc); omit with --in-process")
  URI uri;

  @Option(names = "--method", paramLabel = "M", description = "EDHOC method 0-4 (default ${DEFAULT-VALUE}).", defaultValue = "3")
  int method;

  @Option(names = "--suite", paramLabel = "S", description = "Cipher suite (default ${DEFAULT-VALUE}).", defaultValue = "2")
  int suite;

  @Option(names = "--credentials", paramLabel = "DIR|FILE", description = "Initiator credentials (default .edhoc-dev/client).")
  Path credentials;

  @Option(names = "--server-credentials", paramLabel = "DIR|FILE", description = "With --in-process: the responder's credentials (default .edhoc-dev/server).")
  Path serverCredentials;

  @Option(names = "--duration", paramLabel = "TIME", description = "How long to generate load: 30s, 500ms, 2m (default 30s, or until --count).",
      converter = DurationConverter.class)
  Duration duration;

  @Option(names = "--warmup", paramLabel = "TIME", converter = DurationConverter.class,
      description = "Run the same load for TIME first without counting it (both JVMs' JIT, pools and caches warm up; default none).")
  Duration warmup;

  @Option(names = "--count", paramLabel = "N", description = "Stop after starting N handshakes (with --duration: whichever comes first).")
  long count;

  @Option(names = "--concurrency", paramLabel = "N", description = "Closed loop: N handshakes in flight, each followed at once by the next (default 16).")
  Integer concurrency;

  @Option(names = "--rate", paramLabel = "R", description = "Open loop: R handshakes started per second, whatever the answers.")
  Double rate;

  @Option(names = "--arrivals", paramLabel = "poisson|fixed", description = "Open-loop arrivals: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
      defaultValue = "poisson")
  Arrivals arrivals;

  @Option(names = "--max-in-flight", paramLabel = "N",
      description = "Open loop: arrivals beyond N unanswered handshakes fail at once (client saturated; default ${DEFAULT-VALUE}).", defaultValue = "10000")
  int maxInFlight;

  @Option(names = "--half-open", paramLabel = "N",
      description = "Send N message_1 only (never message_3) from many source ports, to fill a responder's half-open store. "
          + "Alone: the summary counts message_2 answers; with --concurrency/--rate the summary is the honest handshakes run alongside.")
  long halfOpen;

  @Option(names = "--source-ports", paramLabel = "N", description = "Half-open over CoAP: UDP source ports to spread message_1 over (default ${DEFAULT-VALUE}).",
      defaultValue = "256")
  int sourcePorts;

  @Option(names = "--coap-endpoints", paramLabel = "N",
      description = "CoAP: UDP source ports to spread handshakes over, one per handshake (lean: sockets; californium: endpoints) (default 0: "
          + "auto, --concurrency or --rate/" + HANDSHAKES_PER_ENDPOINT + ", at most " + MAX_AUTO_ENDPOINTS
          + "). A source port cannot reuse a Message ID within EXCHANGE_LIFETIME (247 s): about 265 requests/s sustained.",
      defaultValue = "0")
  int coapEndpoints;

  /** Which CoAP client carries the handshakes. */
  enum CoapClient {
    lean,
    californium
  }

  @Option(names = "--coap-client", paramLabel = "lean|californium",
      description = "CoAP client: lean (plain UDP sockets, one reader thread: the client costs less than the server it measures; no "
          + "block-wise) or californium (the full stack, as connect uses) (default ${DEFAULT-VALUE}).", defaultValue = "lean")
  CoapClient coapClient;

  /** Which HTTP client carries the handshakes. */
  enum HttpClientKind {
    lean,
    vertx
  }

  @Option(names = "--http-client", paramLabel = "lean|vertx",
      description = "HTTP client: lean (plain non-blocking sockets, HTTP/1.1 keep-alive, one reader thread: the client costs less than the "
          + "server it measures) or vertx (Vert.x's client, as connect uses) (default ${DEFAULT-VALUE}).", defaultValue = "lean")
  HttpClientKind httpClient;

  /** Open loop, auto sizing: handshakes per second given to one CoAP endpoint (2-3 requests each, well under its ~265 requests/s). */
  static final int HANDSHAKES_PER_ENDPOINT = 64;
  static final int MAX_AUTO_ENDPOINTS = 64;
  /** Open loop over HTTP: at most this many connections (file descriptors on both sides). */
  static final int MAX_OPEN_LOOP_CONNECTIONS = 4096;
  /**
   * Open loop over HTTP: connections per client. Vert.x's pool finds a free connection by walking
   * all of its connections, so one pool of 4,096 made every request cost a walk of thousands
   * (its selector was the client's hottest Java frame at 2x, in a profile of bench).
   */
  static final int CONNECTIONS_PER_HTTP_CLIENT = 256;

  /** Tests only: a smaller Message ID space per half-open socket, so the wrap-around is reached with a few messages. */
  @Option(names = "--half-open-message-ids", hidden = true, defaultValue = "65536")
  int halfOpenMessageIds;

  /** Tests only: Message IDs each client CoAP endpoint may use (exactly tracked), so a test exhausts an endpoint with a few requests. */
  @Option(names = "--coap-message-ids", hidden = true, defaultValue = "0")
  int coapMessageIds;

  @Option(names = "--in-process", description = "No network: both roles in this JVM on the same --threads (the ceiling for a served run).")
  boolean inProcess;

  @Option(names = "--threads", paramLabel = "T", description = "Threads that run the client's crypto (default 0: the number of cores).",
      defaultValue = "0")
  int threads;

  @Option(names = "--timeout", paramLabel = "MS", description = "Per-request timeout in milliseconds (default ${DEFAULT-VALUE}).", defaultValue = "5000")
  long timeoutMs;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures and the latency histogram as JSON.")
  Path json;

  @Option(names = "--quiet", description = "No progress lines.")
  boolean quiet;

  @Option(names = "--crypto", paramLabel = "auto|conscrypt|bouncycastle", defaultValue = "${env:EDHOC_CRYPTO_PROVIDER:-auto}",
      description = "Library for the public-key work of the initiator (and of the --in-process responder) "
          + "(default ${DEFAULT-VALUE}, from EDHOC_CRYPTO_PROVIDER when set; auto: Conscrypt where it loads, else Bouncy Castle).")
  String crypto;

  enum Arrivals {
    poisson,
    fixed
  }

  /** 30s, 500ms, 2m, 1h, or a plain number of seconds. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String v) {
      String s = v.trim().toLowerCase(Locale.ROOT);
      try {
        if (s.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
          return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        }
        if (s.endsWith("m")) {
          return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 60_000));
        }
        if (s.endsWith("h")) {
          return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 3_600_000));
        }
        return Duration.ofMillis((long) (Double.parseDouble(s) * 1000));
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("'" + v + "' is not a duration (e.g. 30s, 500ms, 2m)");
      }
    }
  }

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  private java.io.PrintWriter out;
  private java.io.PrintWriter err;

  private EdhocConfig config;
  private Method m;
  private EdhocTransport transport;
  /** The transports handshakes are spread over (round robin, one per handshake): several CoAP endpoints, else one. */
  private final List<EdhocTransport> transports = new ArrayList<>();
  private final AtomicInteger nextTransport = new AtomicInteger();
  /** Set once the run is over: late answers are neither counted nor followed by new work. */
  private volatile boolean stopped;
  private Thread arrivalsThread;
  private ExecutorService driver;
  private final List<AutoCloseable> closeLater = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong started = new AtomicLong();
  private final CountDownLatch allDone = new CountDownLatch(1);
  private volatile long deadline;
  /** Handshakes started (or due, open loop) before this instant are the warm-up: run, not counted. */
  private volatile long measureFrom = Long.MIN_VALUE;
  /** Where the warm-up's handshakes are recorded (shown in the progress lines, not in the results). */
  private final BenchStats warmupStats = new BenchStats();
  private volatile boolean arrivalsDone;

  @Override
  public Integer call() {
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    String scheme = null;
    try {
      if (inProcess == (uri != null)) {
        throw new ClientSetup.UsageException(inProcess ? "--in-process takes no URI" : "give the server's URI, or --in-process");
      }
      if (uri != null) {
        scheme = ClientSetup.scheme(uri);
      }
      if (concurrency != null && rate != null) {
        throw new ClientSetup.UsageException("--concurrency (closed loop) and --rate (open loop) exclude each other");
      }
      if ((concurrency != null && concurrency < 1) || (rate != null && !(rate > 0)) || count < 0 || halfOpen < 0 || maxInFlight < 1 || sourcePorts < 1
          || coapEndpoints < 0) {
        throw new ClientSetup.UsageException(
            "--concurrency, --rate, --max-in-flight and --source-ports must be positive, --count, --half-open and --coap-endpoints not negative");
      }
      if (warmup != null && (warmup.isNegative() || (!warmup.isZero() && halfOpen > 0 && concurrency == null && rate == null))) {
        throw new ClientSetup.UsageException("--warmup needs a load to warm up (--concurrency or --rate, not --half-open alone) and a TIME not negative");
      }
      if (halfOpenMessageIds < 1 || halfOpenMessageIds > CoapHalfOpen.MESSAGE_IDS) {
        throw new ClientSetup.UsageException("--half-open-message-ids must be 1.." + CoapHalfOpen.MESSAGE_IDS);
      }
      if ("coap".equals(scheme) && halfOpen > (long) sourcePorts * halfOpenMessageIds) {
        throw new ClientSetup.UsageException("--half-open " + halfOpen + " needs at least " + ((halfOpen - 1) / halfOpenMessageIds + 1)
            + " --source-ports (65,536 Message IDs each, never reused in a run)");
      }
      if (halfOpen > 0 && inProcess) {
        throw new ClientSetup.UsageException("--half-open needs a server URI (it fills a served responder's store)");
      }
      if (threads <= 0) {
        threads = Runtime.getRuntime().availableProcessors();
      }
      m = ClientSetup.method(method);
      CipherSuite s = ClientSetup.suite(suite);
      io.edhoc.crypto.DefaultCrypto cryptoProvider = ClientSetup.crypto(crypto);
      config = ClientSetup.initiatorConfig(credentials, m, s, false, cryptoProvider);
      if (inProcess) {
        EdhocConfig server = ClientSetup.responderConfig(serverCredentials, m, config.suites()).toBuilder().crypto(cryptoProvider).build();
        ExecutorService pool = Executors.newFixedThreadPool(threads, named("bench-in-process"));
        closeLater.add(() -> shutdown(pool));
        driver = pool;
        // the responder as `serve` runs it by default (contexts installed in a memory store of the
        // default bound), minus the transport: the served path's ceiling
        io.edhoc.service.config.ServiceConfig defaults = new io.edhoc.service.config.ServiceConfig();
        io.edhoc.oscore.StoreBackedCtxDB ctxDb = new io.edhoc.oscore.StoreBackedCtxDB(
            new io.edhoc.oscore.store.InMemoryOscoreContextStore(defaults.limits.maxOscoreContexts), defaults.oscore.ssnStep,
            io.edhoc.oscore.CaliforniumContexts.DEFAULT_REPLAY_WINDOW);
        transport = new InProcessTransport(EdhocService.engineBuilder(server, new io.edhoc.oscore.CaliforniumContexts(ctxDb), false).build(), pool);
        transports.add(transport);
      } else {
        // the drivers run the initiator's crypto at the lowest priority, below the threads that
        // send on schedule and take answers (bench-arrivals, the transports' readers), so that the
        // times those take are not the drivers' backlog: effective on Linux with the JVM options
        // of docs/service.md ("JVM options"), a no-op otherwise
        driver = Executors.newFixedThreadPool(threads, named("bench-driver", Thread.MIN_PRIORITY));
        closeLater.add(() -> shutdown(driver));
        if (scheme.equals("coap")) {
          coapTransports();
        } else {
          httpTransports();
        }
        transport = transports.get(0);
      }
    } catch (ClientSetup.UsageException e) {
      err.println("bench: " + e.getMessage());
      closeAll();
      return ClientSetup.USAGE;
    } catch (Exception e) {
      err.println("bench: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      closeAll();
      return ClientSetup.FAILED;
    }
    try {
      return run(scheme);
    } finally {
      closeAll();
    }
  }

  private int run(String scheme) {
    boolean load = concurrency != null || rate != null || halfOpen == 0;
    String mode = !load ? "half-open" : rate != null ? "open loop" : "closed loop";
    Duration d = duration != null ? duration : count > 0 ? null : Duration.ofSeconds(30);
    long warmupNanos = warmup != null ? warmup.toNanos() : 0;
    BenchStats stats = new BenchStats();
    BenchStats halfOpenStats = load ? new BenchStats() : stats;
    err.println("bench: " + mode + (load && rate != null ? " " + rate + "/s " + arrivals : load ? " " + concurrencyOrDefault() + " in flight" : "")
        + (halfOpen > 0 ? (load ? " + " : " ") + halfOpen + " half-open message_1" : "") + " against " + (inProcess ? "the in-process responder"
        : transport.target()) + ", method " + m.id() + ", suite " + suite + ", " + threads + " threads" + (warmupNanos > 0 ? ", warm-up " + warmupNanos / 1e9 + " s" : "") + (d != null ? ", " + d.toMillis() / 1000.0 + " s" : "")
        + (count > 0 ? ", at most " + count : "") + ", crypto " + ((io.edhoc.crypto.DefaultCrypto) config.crypto()).describe());
    long t0 = System.nanoTime();
    measureFrom = t0 + warmupNanos;
    deadline = d == null ? Long.MAX_VALUE : measureFrom + d.toNanos();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(named("bench-progress"));
    closeLater.add(ticker::shutdownNow);
    BenchStats shown = load ? stats : halfOpenStats;
    long[] last = {0, t0};
    if (!quiet) {
      ticker.scheduleAtFixedRate(() -> {
        long now = System.nanoTime();
        boolean warming = now < measureFrom;
        BenchStats current = warming ? warmupStats : shown;
        if (!warming && last[1] < measureFrom) { // first line of the measured part: its rate from the end of the warm-up
          last[0] = 0;
          last[1] = measureFrom;
        }
        long ok = current.ok();
        double perSecond = (ok - last[0]) / ((now - last[1]) / 1e9);
        last[0] = ok;
        last[1] = now;
        err.println(String.format(Locale.ROOT, "[%4ds] %s%d ok, %d failed, %d shed, %.1f/s, %d in flight", (now - t0) / 1_000_000_000L,
            warming ? "warm-up: " : "", ok, current.failed(), current.shed(), perSecond, inFlight.get()));
      }, 1, 1, TimeUnit.SECONDS);
    }
    Thread halfOpenThread = null;
    CoapHalfOpen[] udp = {null};
    if (halfOpen > 0) {
      Runnable task = () -> sendHalfOpen(scheme, halfOpenStats, udp);
      if (load) {
        halfOpenThread = new Thread(task, "bench-half-open");
        halfOpenThread.setDaemon(true);
        halfOpenThread.start();
      } else {
        task.run();
      }
    }
    if (load) {
      if (rate != null) {
        openLoop(stats);
      } else {
        closedLoop(stats, concurrencyOrDefault());
      }
      awaitEnd();
    }
    double seconds = (System.nanoTime() - Math.max(t0, measureFrom)) / 1e9;
    if (halfOpenThread != null) {
      try {
        halfOpenThread.join(); // bounded: --half-open N, the deadline, and the timeout of each message_1
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ticker.shutdownNow();
    if (halfOpen > 0) {
      err.println("half-open: " + halfOpenStats.done() + " of " + halfOpen + " message_1 answered or timed out: " + halfOpenStats.ok() + " message_2, "
          + halfOpenStats.shed() + " shed, " + halfOpenStats.failed() + " other" + (udp[0] != null ? " " + udp[0].answers() : ""));
    }
    reportFailures(stats);
    if (stats.shedSummary() != null) {
      err.println(stats.shedSummary());
    }
    if (load && halfOpen > 0) {
      reportFailures(halfOpenStats);
    }
    String summary = stats.summary(seconds);
    out.println(summary);
    out.flush();
    if (json != null) {
      try {
        Files.writeString(json, json(stats, load ? halfOpenStats : null, seconds, mode).encodePrettily() + "\n", StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        err.println("bench: cannot write " + json + ": " + e.getMessage());
        return ClientSetup.FAILED;
      }
    }
    return stats.ok() > 0 ? ClientSetup.OK : ClientSetup.FAILED;
  }

  /**
   * The end of a run, in order: the load stops by itself at the deadline or the count (the open
   * loop's arrivals thread is joined: no arrival is submitted after this); then the handshakes in
   * flight get their time to finish (each bounded by the transport's timeout, three requests at
   * most), counted from when the last one could start, not from the start of the run; whatever is
   * still unanswered then is reported and dropped ({@link #stopped}: late answers are not counted and
   * start nothing), and only then {@link #closeAll} destroys the endpoints and shuts the executors down.
   */
  private void awaitEnd() {
    try {
      if (arrivalsThread != null) {
        arrivalsThread.join();
      }
      long graceNanos = TimeUnit.MILLISECONDS.toNanos(3 * timeoutMs + 1000);
      long loadEnd = Long.MAX_VALUE;
      while (!allDone.await(100, TimeUnit.MILLISECONDS)) {
        long now = System.nanoTime();
        if (loadEnd == Long.MAX_VALUE && (now >= deadline || (count > 0 && started.get() >= count))) {
          loadEnd = Math.min(now, deadline);
        }
        if (loadEnd != Long.MAX_VALUE && now - loadEnd > graceNanos) {
          err.println("bench: " + inFlight.get() + " handshakes still unanswered at the end, not counted");
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopped = true;
    }
  }

  /** Runs {@code task} on the driver unless the run is over (a closed executor is part of the end, not an error). */
  private void submit(Runnable task) {
    if (stopped) {
      return;
    }
    try {
      driver.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      if (!stopped) {
        throw e;
      }
    }
  }

  private int concurrencyOrDefault() {
    return concurrency != null ? concurrency : 16;
  }

  // ------------------------------------------------------------------------------------------ load

  /** The transport of the next handshake (round robin), seen through a clock of its sends. */
  private SentClock nextTransport() {
    EdhocTransport t = transports.get(Math.floorMod(nextTransport.getAndIncrement(), transports.size()));
    // one handshake, one source port (as one client): the lean CoAP client otherwise spreads requests over its sockets
    return new SentClock(t instanceof DatagramCoapTransport d ? d.onOnePort() : t);
  }

  private CompletableFuture<?> handshake(EdhocTransport t) {
    try {
      return new InitiatorFlow(config, m, t).negotiate(false).run().thenAccept(c -> c.session().close());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private boolean admit() {
    long now = System.nanoTime();
    if (now >= deadline) {
      return false;
    }
    return now < measureFrom || count <= 0 || started.incrementAndGet() <= count; // --count counts the measured handshakes only
  }

  private void closedLoop(BenchStats stats, int n) {
    inFlight.set(n);
    for (int i = 0; i < n; i++) {
      submit(() -> slot(stats));
    }
  }

  /** One closed-loop slot: a handshake, then the next, until the deadline or the count. */
  private void slot(BenchStats stats) {
    if (stopped || !admit()) {
      if (inFlight.decrementAndGet() == 0) {
        allDone.countDown();
      }
      return;
    }
    long start = System.nanoTime();
    SentClock t = nextTransport();
    handshake(t).whenComplete((v, e) -> {
      record(stats, start, t.lastSentNanos(), e);
      submit(() -> slot(stats));
    });
  }

  private void openLoop(BenchStats stats) {
    arrivalsThread = new Thread(() -> {
      double meanGapNanos = 1e9 / rate;
      long next = System.nanoTime();
      while (!stopped) {
        long now = System.nanoTime();
        if (next > now) {
          LockSupport.parkNanos(next - now);
          continue;
        }
        if (next >= deadline || !(next < measureFrom || count <= 0 || started.incrementAndGet() <= count)) {
          break;
        }
        long intended = next;
        if (inFlight.get() >= maxInFlight) {
          (intended < measureFrom ? warmupStats : stats).recordFailed("client saturated: more than " + maxInFlight + " handshakes unanswered (--max-in-flight)");
        } else {
          inFlight.incrementAndGet();
          submit(() -> {
            SentClock t = nextTransport();
            handshake(t).whenComplete((v, e) -> {
              record(stats, intended, t.lastSentNanos(), e);
              if (inFlight.decrementAndGet() == 0 && arrivalsDone) {
                allDone.countDown();
              }
            });
          });
        }
        double gap = arrivals == Arrivals.fixed ? meanGapNanos : -Math.log(1 - ThreadLocalRandom.current().nextDouble()) * meanGapNanos;
        next += (long) gap;
      }
      arrivalsDone = true;
      if (inFlight.get() == 0) {
        allDone.countDown();
      }
    }, "bench-arrivals");
    arrivalsThread.setDaemon(true);
    arrivalsThread.start();
  }

  /**
   * @param startNanos when the handshake was due (open loop: its intended arrival, so that a client
   *     falling behind shows in the latency) or started (closed loop)
   * @param sentNanos when the request that got the answer was sent ({@link SentClock}: the origin
   *     of a shed's latency, after message_1 was built; with bench's transports, when its bytes went
   *     to the socket)
   */
  private void record(BenchStats stats, long startNanos, long sentNanos, Throwable e) {
    if (stopped) {
      return; // after the end of the run: reported as unanswered, not counted
    }
    classify(startNanos < measureFrom ? warmupStats : stats, startNanos, sentNanos, e);
  }

  private static void classify(BenchStats stats, long startNanos, long sentNanos, Throwable e) {
    if (e == null) {
      stats.recordOk(System.nanoTime() - startNanos);
      return;
    }
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof InitiatorFlow.FlowException fe && fe.kind() == InitiatorFlow.FlowException.Kind.OVERLOADED) {
      stats.recordShed(System.nanoTime() - sentNanos);
    } else {
      stats.recordFailed(t.getMessage() != null ? t.getMessage() : t.toString());
    }
  }

  // ------------------------------------------------------------------------------------------ half-open

  private void sendHalfOpen(String scheme, BenchStats stats, CoapHalfOpen[] udp) {
    int window = Math.max(64, concurrencyOrDefault());
    try {
      if (scheme.equals("coap")) {
        try (CoapHalfOpen h = new CoapHalfOpen(CoapEdhocTransport.resourceUri(uri.toString()), sourcePorts, window, timeoutMs, stats,
            halfOpenMessageIds)) {
          udp[0] = h;
          for (long i = 0; i < halfOpen && System.nanoTime() < deadline; i++) {
            h.send(InitiatorFlow.message1Request(Edhoc.initiator(config, m).writeMessage1().message1()));
          }
          h.drain();
        }
      } else {
        // HTTP: a connection (source port) per message_1 in the window; Vert.x's over several clients
        List<EdhocTransport> clients = new ArrayList<>();
        int count = httpClient == HttpClientKind.lean ? 1 : Math.min(sourcePorts, 16);
        for (int i = 0; i < count; i++) {
          clients.add(httpTransport(Math.max(1, window / count)));
        }
        Semaphore slots = new Semaphore(window);
        for (long i = 0; i < halfOpen && System.nanoTime() < deadline; i++) {
          slots.acquire();
          byte[] body = InitiatorFlow.message1Request(Edhoc.initiator(config, m).writeMessage1().message1());
          long start = System.nanoTime();
          clients.get((int) (i % clients.size())).post(body).whenComplete((r, e) -> {
            slots.release();
            if (e != null) {
              classify(stats, start, start, e);
            } else if (r.kind() == EdhocTransport.Kind.SUCCESS) {
              stats.recordOk(System.nanoTime() - start);
            } else if (r.kind() == EdhocTransport.Kind.OVERLOADED) {
              stats.recordShed(System.nanoTime() - start);
            } else {
              stats.recordFailed("answered " + r.status());
            }
          });
        }
        slots.acquire(window);
      }
    } catch (Exception e) {
      stats.recordFailed("half-open sender stopped: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
    }
  }

  // ------------------------------------------------------------------------------------------ set-up and output

  /** CoAP source ports (lean sockets or Californium endpoints) the handshakes are spread over: {@code --coap-endpoints}, or sized from the load. */
  int coapEndpointCount() {
    if (coapEndpoints > 0) {
      return coapEndpoints;
    }
    long n = rate != null ? (long) Math.ceil(rate / HANDSHAKES_PER_ENDPOINT) : concurrencyOrDefault();
    return (int) Math.max(1, Math.min(MAX_AUTO_ENDPOINTS, n));
  }

  /**
   * {@link #coapEndpointCount()} Californium endpoints, each on its own UDP port (its own Message ID
   * space towards the server) with one receiver and one sender thread; their protocol work runs on
   * one shared pool of {@code --threads}. Closed in reverse order: endpoints first, then the pools.
   */
  private void coapTransports() throws Exception {
    if (coapClient == CoapClient.lean) {
      DatagramCoapTransport t = coapMessageIds > 0
          ? DatagramCoapTransport.withMessageIds(uri.toString(), coapEndpointCount(), timeoutMs, driver, coapMessageIds)
          : new DatagramCoapTransport(uri.toString(), coapEndpointCount(), timeoutMs, driver);
      closeLater.add(t);
      transports.add(t);
      return;
    }
    // a copy: CoapTransport.configuration() is also Californium's standard, which a server in this JVM would pick up
    Configuration cfg = new Configuration(CoapTransport.configuration());
    cfg.set(org.eclipse.californium.elements.config.UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
    cfg.set(org.eclipse.californium.elements.config.UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
    if (coapMessageIds > 0) {
      cfg.set(CoapConfig.MULTICAST_BASE_MID, coapMessageIds); // unicast Message IDs are [0, base)
      cfg.set(CoapConfig.MID_TRACKER, CoapConfig.TrackerMode.MAPBASED);
    }
    java.util.concurrent.ScheduledExecutorService main = Executors.newScheduledThreadPool(threads, named("bench-coap"));
    java.util.concurrent.ScheduledExecutorService secondary = Executors.newSingleThreadScheduledExecutor(named("bench-coap-timer"));
    closeLater.add(() -> shutdown(secondary));
    closeLater.add(() -> shutdown(main));
    InetAddress target = InetAddress.getByName(uri.getHost());
    for (int i = coapEndpointCount(); i > 0; i--) {
      CoapEndpoint ep = CoapEndpoint.builder().setConfiguration(cfg)
          .setInetSocketAddress(target.isLoopbackAddress() ? new InetSocketAddress(target, 0) : new InetSocketAddress(0)).build();
      ep.setExecutors(main, secondary);
      closeLater.add(ep::destroy);
      ep.start();
      transports.add(new CoapEdhocTransport(ep, uri.toString(), timeoutMs));
    }
  }

  /** Stops taking work, lets what runs finish briefly, then interrupts the rest. */
  private static void shutdown(ExecutorService e) throws InterruptedException {
    e.shutdown();
    if (!e.awaitTermination(2, TimeUnit.SECONDS)) {
      e.shutdownNow();
    }
  }

  /** HTTP connections bench may open: closed loop {@code --concurrency}, open loop up to {@link #MAX_OPEN_LOOP_CONNECTIONS}. */
  int httpConnections() {
    return rate != null ? Math.min(maxInFlight, MAX_OPEN_LOOP_CONNECTIONS) : concurrencyOrDefault();
  }

  /** With Vert.x's client: how many clients share {@link #httpConnections()}, at most {@link #CONNECTIONS_PER_HTTP_CLIENT} each (the lean client holds them all). */
  int httpClientCount() {
    return (httpConnections() + CONNECTIONS_PER_HTTP_CLIENT - 1) / CONNECTIONS_PER_HTTP_CLIENT;
  }

  /**
   * HTTP over keep-alive connections, as many in all as handshakes may be in flight ({@link
   * #httpConnections()}), opened as arrivals need them, because an open loop stands for independent
   * clients: with fewer connections the arrivals would queue in bench's pool, hiding the server's
   * own behaviour (it never sees more than a pool's worth of requests, so it never sheds). The lean
   * client holds them all behind one selector thread; Vert.x's are split over {@link
   * #httpClientCount()} clients of at most {@link #CONNECTIONS_PER_HTTP_CLIENT} connections,
   * handshakes taking them in turn (see that constant), on one event loop. Either way the answers go
   * to the driver threads, where the crypto runs.
   */
  private void httpTransports() throws java.io.IOException {
    int total = httpConnections();
    int clients = httpClient == HttpClientKind.lean ? 1 : httpClientCount();
    for (int i = 0; i < clients; i++) {
      transports.add(httpTransport(total / clients + (i < total % clients ? 1 : 0)));
    }
  }

  /** One HTTP client of the kind chosen ({@code --http-client}) with up to {@code connections} connections; closed at the end. */
  private EdhocTransport httpTransport(int connections) throws java.io.IOException {
    if (httpClient == HttpClientKind.lean) {
      PlainHttpTransport t = new PlainHttpTransport(uri, connections, timeoutMs, driver);
      closeLater.add(t);
      return t;
    }
    return HttpEdhocTransport.shared(vertx(), uri, timeoutMs, connections, driver);
  }

  private io.vertx.core.Vertx vertx;

  /** The Vert.x instance of the HTTP clients: one event loop (the crypto runs on the driver), closed at the end. */
  private synchronized io.vertx.core.Vertx vertx() {
    if (vertx == null) {
      io.vertx.core.Vertx v = io.vertx.core.Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
          .setInternalBlockingPoolSize(1));
      vertx = v;
      closeLater.add(() -> v.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
    }
    return vertx;
  }

  private void reportFailures(BenchStats stats) {
    int shown = 0;
    for (Map.Entry<String, Long> e : stats.reasons().entrySet()) {
      if (shown++ == 5) {
        err.println("  ... and " + (stats.reasons().size() - 5) + " other failure reasons");
        break;
      }
      err.println("  failed " + e.getValue() + "x: " + e.getKey());
    }
  }

  private JsonObject json(BenchStats stats, BenchStats halfOpenStats, double seconds, String mode) {
    JsonObject o = new JsonObject().put("target", inProcess ? "in-process" : transport.target()).put("mode", mode).put("method", m.id())
        .put("suite", suite).put("threads", threads).put("seconds", round(seconds));
    if (warmup != null && !warmup.isZero()) {
      o.put("warmup", new JsonObject().put("seconds", round(warmup.toNanos() / 1e9)).put("ok", warmupStats.ok()).put("failed", warmupStats.failed())
          .put("shed", warmupStats.shed()));
    }
    if (rate != null) {
      o.put("rate", rate).put("arrivals", arrivals.name());
    } else {
      o.put("concurrency", concurrencyOrDefault());
    }
    o.put("ok", stats.ok()).put("failed", stats.failed()).put("shed", stats.shed()).put("per_second", round(seconds > 0 ? stats.ok() / seconds : 0));
    o.put("latency_ms", latency(stats.latency()));
    o.put("shed_latency_ms", latency(stats.shedLatency()));
    JsonObject reasons = new JsonObject();
    stats.reasons().forEach(reasons::put);
    o.put("failures", reasons);
    if (halfOpen > 0) {
      BenchStats h = halfOpenStats != null ? halfOpenStats : stats;
      o.put("half_open", new JsonObject().put("requested", halfOpen).put("message_2", h.ok()).put("shed", h.shed()).put("failed", h.failed())
          .put("source_ports", sourcePorts));
    }
    return o;
  }

  private static JsonObject latency(LatencyHistogram h) {
    JsonArray buckets = new JsonArray();
    for (long[] b : h.buckets()) {
      buckets.add(new JsonObject().put("from_ms", b[0] / 1000.0).put("to_ms", b[1] / 1000.0).put("count", b[2]));
    }
    return new JsonObject().put("p50", round(h.quantileMicros(0.5) / 1000)).put("p90", round(h.quantileMicros(0.9) / 1000))
        .put("p99", round(h.quantileMicros(0.99) / 1000)).put("p999", round(h.quantileMicros(0.999) / 1000)).put("max", h.maxMicros() / 1000.0)
        .put("mean", round(h.meanMicros() / 1000)).put("count", h.count()).put("histogram", buckets);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    return named(name, Thread.NORM_PRIORITY);
  }

  private static java.util.concurrent.ThreadFactory named(String name, int priority) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setPriority(priority);
      return t;
    };
  }

  private void closeAll() {
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      try {
        closeLater.get(i).close();
      } catch (Exception ignored) {
        // best effort at the end of the run
      }
    }
    closeLater.clear();
  }
}
