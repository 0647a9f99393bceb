package io.edhoc.service;

import com.hazelcast.core.HazelcastInstance;
import io.edhoc.CipherSuite;
import io.edhoc.EadHandler;
import io.edhoc.EadItem;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.cbor.Hex;
import io.edhoc.credentials.CredentialResolver;
import io.edhoc.credentials.CredentialsConfig;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.EchoVerifier;
import io.edhoc.oscore.EngineQueue;
import io.edhoc.oscore.InMemoryResponderSessionStore;
import io.edhoc.oscore.ResponderEngine;
import io.edhoc.oscore.ResponderSessionStore;
import io.edhoc.oscore.StoreBackedCtxDB;
import io.edhoc.oscore.store.FileOscoreContextStore;
import io.edhoc.oscore.store.InMemoryOscoreContextStore;
import io.edhoc.oscore.store.OscoreContextStore;
import io.edhoc.service.cluster.ClusterSetup;
import io.edhoc.service.cluster.HazelcastOscoreContextStore;
import io.edhoc.service.cluster.HazelcastSessionStore;
import io.edhoc.service.coap.CoapTransport;
import io.edhoc.service.config.ServiceConfig;
import io.edhoc.service.http.HttpTransport;
import io.edhoc.service.store.StateSealer;
import io.edhoc.service.store.SealedSessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.edhoc.crypto.CryptoChoice;
import io.edhoc.crypto.DefaultCrypto;

/**
 * One running service: one {@link ResponderEngine}, the HTTP and CoAP transports, the admin
 * listener (/health, /metrics), and in cluster mode the Hazelcast-backed session store. {@link
 * #start} returns when every listener is bound; {@link #close} stops everything.
 */
public final class EdhocService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EdhocService.class);
  /** Event-bus address where every established session is published (public facts only, no keys). */
  public static final String ESTABLISHED_ADDRESS = "edhoc.established";
  /** How long an {@code edhoc.established} event may wait to be published with the ones after it. */
  static final long EVENT_BATCH_MILLIS = 10;
  /** Events waiting to be published at most; beyond it they are dropped and counted. */
  static final int EVENT_BACKLOG = 10_000;

  private final ServiceConfig config;
  private final Vertx vertx;
  private final ServiceMetrics metrics;
  private final EdhocEndpoint endpoint;
  private final CaliforniumContexts contexts;
  private final ResponderSessionStore store;
  private final EchoVerifier echo;
  private final Path credentialsPath;
  private CoapTransport coap;
  private EngineQueue coapQueue;
  private EngineQueue httpQueue;
  private HazelcastInstance hazelcast;
  private OscoreContextStore oscoreStore;
  private HttpServer http;
  private HttpServer admin;
  private final AtomicBoolean closed = new AtomicBoolean();
  private ServableMatrix servable = new ServableMatrix(List.of(), List.of());
  private volatile boolean ready;

  private EdhocService(ServiceConfig config, Vertx vertx, ServiceMetrics metrics, EdhocEndpoint endpoint, CaliforniumContexts contexts,
      ResponderSessionStore store, EchoVerifier echo, Path credentialsPath) {
    this.config = config;
    this.vertx = vertx;
    this.metrics = metrics;
    this.endpoint = endpoint;
    this.contexts = contexts;
    this.store = store;
    this.echo = echo;
    this.credentialsPath = credentialsPath;
  }

  /** The loaded own credentials and peer resolver, and where they came from. */
  public record LoadedCredentials(List<OwnCredential> own, CredentialResolver peers, List<io.edhoc.credentials.PskCredential> psks, Path path,
      boolean created) {}

  /** Credentials as the configuration names them; development ones are created on first use. */
  public static LoadedCredentials loadCredentials(ServiceConfig.Credentials c) throws IOException {
    if (!c.config.isEmpty()) {
      Path p = Paths.get(c.config);
      try {
        CredentialsConfig.Loaded l = CredentialsConfig.load(p);
        return new LoadedCredentials(l.own(), l.peers(), l.psks(), p, false);
      } catch (io.edhoc.credentials.CredentialFileException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
    boolean created = false;
    Path dir;
    if (!c.directory.isEmpty()) {
      dir = Paths.get(c.directory);
    } else {
      Path base = Paths.get(c.devDirectory);
      dir = base.resolve("server");
      if (!CredentialDirectory.exists(dir)) {
        CredentialDirectory.createDevelopmentPair(base);
        created = true;
      }
    }
    CredentialDirectory d = CredentialDirectory.load(dir);
    return new LoadedCredentials(d.own(), d.resolver(c.trustOnFirstUse), List.of(), dir, created);
  }

  /** The configured methods and suites cannot be served with the loaded credentials: start-up refused. */
  public static final class NothingToServeException extends IllegalStateException {
    NothingToServeException(String message) {
      super(message);
    }
  }

  /** What was loaded and what can be served (INFO), and what is configured but cannot (WARN). Never key material. */
  private static void logStartup(LoadedCredentials creds, ServableMatrix m) {
    LOG.info("credentials from {}{}: {} own credential(s), {} PSK(s)", creds.path().toAbsolutePath(),
        creds.created() ? " (development, created now)" : "", creds.own().size(), creds.psks().size());
    for (String line : ServableMatrix.describe(creds.own(), creds.psks())) {
      LOG.info("  {}", line);
    }
    LOG.info("servable: {}", m.servable().isEmpty() ? "nothing" : String.join(", ", m.servable()));
    for (String n : m.notServable()) {
      LOG.warn("configured but not servable: {}", n);
    }
  }

  /** Starts the service; blocks until it listens (or fails). */
  public static EdhocService start(ServiceConfig cfg, PrintStream out) throws Exception {
    // a serving JVM never has test hooks (fixed ephemeral keys): refuse if they are on, and make
    // sure nothing in this JVM can switch them on later
    if ("enabled".equals(System.getProperty(io.edhoc.TestHooks.PROPERTY))) {
      throw new IllegalStateException("test hooks are enabled in this JVM (-D" + io.edhoc.TestHooks.PROPERTY
          + "=enabled, fixed ephemeral keys for conformance runs): refusing to serve");
    }
    io.edhoc.TestHooks.forbid("an EDHOC service was started in it");
    LoadedCredentials creds;
    try {
      creds = loadCredentials(cfg.credentials);
    } catch (IOException | RuntimeException e) {
      // a credentials problem is a configuration problem: one clean line, exit 2 (not an exception class)
      throw new io.edhoc.service.config.ConfigException("credentials",
          "cannot load credentials: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
    }
    if (creds.created() && out != null) {
      out.println("Created development credentials in " + creds.path().getParent().toAbsolutePath()
          + " (server/ for this service, client/ for `edhoc connect`). Do not use them in production.");
    }
    List<CipherSuite> suites = new ArrayList<>();
    cfg.edhoc.suites.forEach(s -> suites.add(CipherSuite.fromId(s)));
    List<Method> methods = new ArrayList<>();
    cfg.edhoc.methods.forEach(m -> methods.add(Method.fromId(m)));
    // crypto.provider: "conscrypt" without its native library fails here, with the reason
    DefaultCrypto crypto = DefaultCrypto.of(CryptoChoice.parse(cfg.crypto.provider));
    LOG.info("EDHOC crypto {}", crypto.describe());
    EdhocConfig.Builder eb = EdhocConfig.builder().suites(suites).methods(methods).peers(creds.peers()).psks(creds.psks())
        .ead(eadHandler(cfg.edhoc.ead)).crypto(crypto);
    creds.own().forEach(eb::credential);
    EdhocConfig edhocConfig = eb.build();
    ServableMatrix servable = ServableMatrix.of(edhocConfig);
    logStartup(creds, servable);
    if (servable.servable().isEmpty()) {
      throw new NothingToServeException("nothing can be served with the credentials from " + creds.path().toAbsolutePath() + ": "
          + String.join("; ", servable.notServable()));
    }

    ServiceMetrics metrics = new ServiceMetrics();
    metrics.cryptoInfo(crypto);
    VertxOptions vopts = new VertxOptions();
    vopts.setBlockedThreadCheckInterval(1000).setMaxEventLoopExecuteTime(TimeUnit.MILLISECONDS.toNanos(200));
    Vertx vertx;
    ResponderSessionStore inner;
    StateSealer sealer = null;
    byte[] stateKey = null;
    HazelcastInstance hz = null;
    if (cfg.cluster.enabled) {
      HazelcastClusterManager cm = ClusterSetup.clusterManager(cfg.cluster, cfg.limits.maxOscoreContexts);
      vopts.getEventBusOptions().setHost(cfg.cluster.host).setPort(0).setClusterPublicHost(cfg.cluster.host);
      vertx = await(Vertx.builder().with(vopts).withClusterManager(cm).buildClustered(), 60);
      hz = cm.getHazelcastInstance();
      inner = new HazelcastSessionStore(hz.getMap(HazelcastSessionStore.MAP_NAME), cfg.limits.maxHalfOpen);
      stateKey = clusterStateKey(cfg, creds.path());
      sealer = new StateSealer(stateKey);
    } else {
      vertx = Vertx.vertx(vopts);
      inner = new InMemoryResponderSessionStore(cfg.limits.maxHalfOpen);
    }
    OscoreContextStore oscoreStore = null;
    try {
      ResponderSessionStore store = sealer == null ? inner : new SealedSessionStore(inner, sealer);
      // OSCORE contexts in the configured store (memory, sealed file, cluster map), loaded into
      // Californium on demand; the store refuses a Recipient ID in use anywhere and keeps at most
      // maxOscoreContexts (least recently created removed, counted)
      oscoreStore = oscoreStore(cfg, creds.path(), hz, stateKey);
      StoreBackedCtxDB ctxDb = new StoreBackedCtxDB(oscoreStore, cfg.oscore.ssnStep, CaliforniumContexts.DEFAULT_REPLAY_WINDOW);
      CaliforniumContexts contexts = new CaliforniumContexts(ctxDb);
      ResponderEngine engine = engineBuilder(edhocConfig, contexts, cfg.cluster.enabled)
          .sessionStore(store)
          .sessionTimeToLive(Duration.ofSeconds(cfg.limits.halfOpenTtlSeconds))
          .message4(cfg.edhoc.message4)
          .build();
      RateLimiter limiter = new RateLimiter(cfg.limits.ratePerSourcePerSecond, cfg.limits.rateBurst, cfg.limits.rateTrackedSources);
      EdhocEndpoint endpoint = new EdhocEndpoint(engine, metrics, limiter);
      engine.addListener(endpoint.engineListener());
      metrics.gauges(store::size, store::evictions, contexts::serverContexts, contexts::evictions);
      metrics.oscoreStore(ctxDb::contextsLoaded, ctxDb::echoRecoveries, ctxDb::ssnReservations);
      EdhocService svc = new EdhocService(cfg, vertx, metrics, endpoint, contexts, store, echoVerifier(cfg, stateKey), creds.path());
      svc.hazelcast = hz;
      svc.servable = servable;
      endpoint.logHandshakes(cfg.log.handshakes);
      if (inner instanceof InMemoryResponderSessionStore mem) {
        // expiry is amortised over puts; this returns memory also when no handshake arrives
        vertx.setPeriodic(1000, id -> mem.sweep());
      }
      svc.oscoreStore = oscoreStore;
      // published from an event loop in batches of EVENT_BATCH_MILLIS: one hand-over per window
      // instead of a wake-up of an event loop per handshake
      EventBatcher<JsonObject> established = new EventBatcher<>(EVENT_BACKLOG, EVENT_BATCH_MILLIS,
          (delay, task) -> vertx.setTimer(delay, id -> task.run()), e -> vertx.eventBus().publish(ESTABLISHED_ADDRESS, e));
      metrics.events(established::dropped);
      endpoint.addListener((info, session, ctx) -> established.offer(toJson(info)));
      svc.listen();
      return svc;
    } catch (Exception e) {
      closeStore(oscoreStore);
      await(vertx.close(), 30);
      metrics.close();
      throw e;
    }
  }

  /** The OSCORE context store of {@code oscore.store}. */
  /**
   * The responder engine wired to the OSCORE contexts as the service wires it: every completed
   * handshake installs its context, and C_R is drawn outside the Recipient IDs in use. {@code bench
   * --in-process} builds its responder here too, so that its ceiling does the same work as a served
   * handshake except the transport.
   */
  public static ResponderEngine.Builder engineBuilder(io.edhoc.EdhocConfig edhocConfig, CaliforniumContexts contexts, boolean cluster) {
    ResponderEngine.Builder rb = ResponderEngine.builder(edhocConfig)
        .recipientIdsInUse(contexts::recipientIdInUse)
        .listener(contexts.serverListener());
    if (cluster) {
      // several nodes allocate C_R: long random identifiers make a clash between nodes unlikely,
      // and the cluster map's putIfAbsent refuses the rare one
      rb.connectionIdMinLength(4);
    } else {
      // the local context store counts in O(1); a cluster's would be a call to every member,
      // and 4-byte identifiers stay sparse without it
      rb.recipientIdsInUseCount(contexts::serverContexts);
    }
    return rb;
  }

  static OscoreContextStore oscoreStore(ServiceConfig cfg, Path credentialsPath, HazelcastInstance hz, byte[] clusterStateKey)
      throws IOException {
    int max = cfg.limits.maxOscoreContexts;
    switch (cfg.oscore.store) {
      case "file":
        return FileOscoreContextStore.open(Paths.get(cfg.oscore.file.directory), fileStoreKey(cfg, credentialsPath), max);
      case "cluster":
        if (hz == null) {
          throw new IllegalArgumentException("oscore.store: cluster needs cluster mode (cluster.enabled: true or serve --cluster)");
        }
        return HazelcastOscoreContextStore.forCluster(hz, clusterStateKey);
      default:
        return new InMemoryOscoreContextStore(max);
    }
  }

  /** The file store key: from the configuration, else from a key file kept apart from the data (created when missing). */
  static byte[] fileStoreKey(ServiceConfig cfg, Path credentialsPath) throws IOException {
    if (!cfg.oscore.file.key.isEmpty()) {
      return Hex.decode(cfg.oscore.file.key);
    }
    Path f = cfg.oscore.file.keyFile.isEmpty()
        ? (Files.isDirectory(credentialsPath) ? credentialsPath : credentialsPath.toAbsolutePath().getParent()).resolve("oscore-store.key")
        : Paths.get(cfg.oscore.file.keyFile);
    return hexKeyFile(f, "oscore.file.keyFile");
  }

  /** Reads a 32-byte hex key file, creating it (owner-only, random) when missing. */
  private static byte[] hexKeyFile(Path f, String what) throws IOException {
    if (!Files.exists(f)) {
      byte[] k = new byte[32];
      new SecureRandom().nextBytes(k);
      try {
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(f, Hex.encode(k).getBytes(StandardCharsets.US_ASCII), StandardOpenOption.TRUNCATE_EXISTING);
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // created concurrently: use that one
      }
    }
    String hex = Files.readString(f, StandardCharsets.US_ASCII).trim();
    if (!hex.matches("[0-9a-fA-F]{64}")) {
      throw new IOException(f + " (" + what + "): the key must be 64 hex digits");
    }
    return Hex.decode(hex);
  }

  private static void closeStore(OscoreContextStore s) {
    if (s instanceof FileOscoreContextStore f) {
      f.close();
    } else if (s instanceof HazelcastOscoreContextStore h) {
      h.close();
    }
  }

  /**
   * The RFC 9175 Echo check on CoAP message_1, or null when {@code coap.echoReachability} is off.
   * Single node: a random key per process (values do not survive a restart; clients then just get
   * one more 4.01). Cluster: a key derived from the cluster state key, so that a value issued by
   * one node is accepted by every other (a client may be challenged by one node and retry at
   * another behind a load balancer).
   */
  static EchoVerifier echoVerifier(ServiceConfig cfg, byte[] clusterStateKey) {
    if ("off".equals(cfg.coap.echoReachability) || "false".equals(cfg.coap.echoReachability)) {
      return null;
    }
    Duration window = Duration.ofSeconds(cfg.coap.echoWindowSeconds);
    return clusterStateKey != null ? EchoVerifier.fromSharedSecret(clusterStateKey, window) : EchoVerifier.random(window);
  }

  private static EadHandler eadHandler(ServiceConfig.Ead e) {
    Set<Integer> labels = new HashSet<>(e.acceptLabels);
    int pad = e.padding2;
    SecureRandom rnd = new SecureRandom();
    return new EadHandler() {
      @Override
      public Set<Integer> understoodLabels() {
        return labels;
      }

      @Override
      public List<EadItem> produce(int messageNumber) {
        return messageNumber == 2 && pad > 0 ? EadItem.padding(pad, rnd) : List.of();
      }
    };
  }

  /** The cluster state key: from the configuration, else from a file (created when missing). */
  static byte[] clusterStateKey(ServiceConfig cfg, Path credentialsPath) throws IOException {
    if (!cfg.cluster.stateKey.isEmpty()) {
      return Hex.decode(cfg.cluster.stateKey);
    }
    Path f = cfg.cluster.stateKeyFile.isEmpty()
        ? (Files.isDirectory(credentialsPath) ? credentialsPath : credentialsPath.toAbsolutePath().getParent()).resolve("cluster-state.key")
        : Paths.get(cfg.cluster.stateKeyFile);
    return hexKeyFile(f, "cluster state key");
  }

  static JsonObject toJson(EdhocEndpoint.Established i) {
    return new JsonObject()
        .put("transport", i.transport())
        .put("c_i", Hex.encode(i.connectionIdI()))
        .put("c_r", Hex.encode(i.connectionIdR()))
        .put("method", i.method())
        .put("suite", i.suite())
        .put("peer", i.peer());
  }

  private void listen() throws Exception {
    if (config.coap.enabled) {
      coapQueue = EngineQueue.sizedFromCores("edhoc-coap", config.limits.engineWorkers, config.limits.engineQueuePerWorker);
      coap = new CoapTransport(config.coap.host, config.coap.port, endpoint, contexts, config.limits.maxBodyBytes, echo,
          config.coap.helloResource, coapQueue, config.limits.shedRetryAfterSeconds, Math.max(1000, 2 * config.limits.maxHalfOpen), config.coap.receiverThreads);
      if ("auto".equals(config.coap.echoReachability) && echo != null) {
        // challenge only under pressure: half-open sessions or queued CoAP requests past the threshold
        double t = config.coap.echoAutoThreshold;
        long halfOpen = Math.max(1, (long) Math.ceil(t * config.limits.maxHalfOpen));
        EngineQueue q = coapQueue;
        coap.resource().echoReachability(echo, () -> store.approximateSize() >= halfOpen || q.load() >= t);
      }
      coap.start();
    }
    if (config.http.enabled) {
      if (config.limits.cryptoOnWorkers) {
        httpQueue = EngineQueue.sizedFromCores("edhoc-http", config.limits.engineWorkers, config.limits.engineQueuePerWorker);
      }
      HttpTransport transport = new HttpTransport(vertx, endpoint, config.limits.maxBodyBytes, httpQueue, config.limits.shedRetryAfterSeconds);
      http = await(vertx.createHttpServer(new HttpServerOptions().setHost(config.http.host).setPort(config.http.port)
          .setMaxInitialLineLength(1024).setMaxHeaderSize(8192))
          .requestHandler(transport).listen(), 30);
    }
    if (config.admin.enabled) {
      Router router = Router.router(vertx);
      // on a worker: in cluster mode the session count and the safety check talk to other members
      router.get("/health").handler(ctx -> vertx.executeBlocking(this::health, false).onComplete(ar -> {
        JsonObject j = ar.succeeded() ? ar.result() : new JsonObject().put("status", "DOWN");
        boolean ok = "UP".equals(j.getString("status"));
        ctx.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", "application/json").end(j.encode());
      }));
      router.get("/metrics").handler(ctx -> vertx.executeBlocking(metrics::scrape, false).onComplete(ar -> {
        if (ar.failed()) {
          ctx.response().setStatusCode(500).end();
        } else {
          ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
        }
      }));
      admin = await(vertx.createHttpServer(new HttpServerOptions().setHost(config.admin.host).setPort(config.admin.port))
          .requestHandler(router).listen(), 30);
    }
    metrics.engineQueues(coapQueue, httpQueue);
    ready = true;
    LOG.debug("EDHOC service listening: {}", describe());
  }

  /** Ready when both (enabled) transports listen; in cluster mode also reports members and backup safety. */
  JsonObject health() {
    boolean ok = ready && !closed.get() && !servable.servable().isEmpty();
    JsonObject j = new JsonObject().put("status", ok ? "UP" : "DOWN")
        .put("servable", new io.vertx.core.json.JsonArray(servable.servable()))
        .put("http", http != null).put("coap", coap != null).put("cluster", config.cluster.enabled)
        .put("halfOpen", store.size());
    if (hazelcast != null) {
      // safe: every partition's backups are in sync, so a node may die without losing half-open sessions
      j.put("clusterMembers", hazelcast.getCluster().getMembers().size()).put("clusterSafe", hazelcast.getPartitionService().isClusterSafe());
    }
    return j;
  }

  private static <T> T await(Future<T> f, int seconds) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  /** The crypto provider the responder runs on (crypto.provider). */
  public DefaultCrypto crypto() {
    return DefaultCrypto.of(CryptoChoice.parse(config.crypto.provider));
  }

  public String describe() {
    StringBuilder b = new StringBuilder();
    if (coap != null) {
      b.append("coap://").append(hostForUri(config.coap.host)).append(':').append(coapPort()).append("/.well-known/edhoc");
    }
    if (http != null) {
      b.append(b.length() > 0 ? ", " : "").append("http://").append(hostForUri(config.http.host)).append(':').append(httpPort())
          .append(HttpTransport.PATH);
    }
    if (admin != null) {
      b.append(", admin http://").append(hostForUri(config.admin.host)).append(':').append(adminPort()).append("/health /metrics");
    }
    if (config.cluster.enabled) {
      b.append(", cluster '").append(config.cluster.clusterName).append('\'');
    }
    return b.toString();
  }

  static String hostForUri(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /** Where the server's OSCORE contexts live ({@code oscore.store}). */
  public OscoreContextStore oscoreStore() {
    return oscoreStore;
  }

  /** The Hazelcast member in cluster mode, else null. */
  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  public ServiceConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public EdhocEndpoint endpoint() {
    return endpoint;
  }

  public ResponderEngine engine() {
    return endpoint.engine();
  }

  public ServiceMetrics metrics() {
    return metrics;
  }

  /** The server's OSCORE contexts (Californium DB and installer). */
  public CaliforniumContexts contexts() {
    return contexts;
  }

  public ResponderSessionStore sessionStore() {
    return store;
  }

  public Path credentialsPath() {
    return credentialsPath;
  }

  /** In-process API: called for each established session (the session is closed after listeners return). */
  public void onEstablished(EdhocEndpoint.Listener listener) {
    endpoint.addListener(listener);
  }

  /** The CoAP transport (null when off). */
  public CoapTransport coapTransport() {
    return coap;
  }

  /** The CoAP transport's engine queue (null when CoAP is off). */
  public EngineQueue coapQueue() {
    return coapQueue;
  }

  /** The HTTP transport's engine queue (null when HTTP is off or runs the engine on the event loop). */
  public EngineQueue httpQueue() {
    return httpQueue;
  }

  public int httpPort() {
    return http == null ? -1 : http.actualPort();
  }

  public int coapPort() {
    return coap == null ? -1 : coap.port();
  }

  public int adminPort() {
    return admin == null ? -1 : admin.actualPort();
  }

  public boolean isReady() {
    return ready && !closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ready = false;
    if (coap != null) {
      try {
        coap.close();
      } catch (RuntimeException e) {
        LOG.debug("CoAP close: {}", e.toString());
      }
    }
    try {
      await(vertx.close(), 60);
    } catch (Exception e) {
      LOG.warn("Vert.x close: {}", e.toString());
    }
    for (EngineQueue q : new EngineQueue[] {coapQueue, httpQueue}) {
      if (q != null) {
        q.close();
      }
    }
    metrics.close();
    closeStore(oscoreStore);
  }
}
