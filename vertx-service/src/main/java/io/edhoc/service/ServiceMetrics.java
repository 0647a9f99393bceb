package io.edhoc.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The service's meters, scraped as Prometheus text on GET /metrics:
 *
 * <ul>
 *   <li>{@code edhoc_handshakes_started_total{transport}}: message_1 accepted for processing
 *   <li>{@code edhoc_handshakes_completed_total{transport,method,suite}}
 *   <li>{@code edhoc_suite_negotiations_total{transport}}: message_1 answered with ERR_CODE 2
 *       (SUITES_R); the initiator retries with an offered suite. Not counted as a failure.
 *   <li>{@code edhoc_handshakes_failed_total{transport,reason}}: reason is a {@link
 *       io.edhoc.Failure} name or a transport reason (unknown_c_r, rate_limited, store_full,
 *       bad_media_type, too_large, bad_request)
 *   <li>{@code edhoc_handshake_duration_seconds{transport}}: message_1 received to message_3
 *       processed (histogram)
 *   <li>{@code edhoc_half_open_sessions}: responder sessions waiting for message_3
 *   <li>{@code edhoc_half_open_evictions_total}: half-open sessions dropped (expired or pushed out)
 *   <li>{@code edhoc_oscore_contexts}: established contexts held by the server
 *   <li>{@code edhoc_oscore_context_evictions_total}: contexts dropped for the {@code
 *       limits.maxOscoreContexts} bound (least recently installed first)
 *   <li>{@code edhoc_echo_challenges_total{transport,reason}}: CoAP message_1 answered 4.01 + Echo
 *       (RFC 9175 reachability check), reason {@code echo_required} (no Echo) or {@code
 *       echo_rejected} (invalid, expired, or issued to another address)
 *   <li>{@code edhoc_requests_shed_total{transport,message}}: requests answered 5.03 (Max-Age) /
 *       503 (Retry-After) at once because the engine queue was full; message {@code message_1} or
 *       {@code other}
 *   <li>{@code edhoc_engine_queue{transport}}: requests waiting for an engine worker
 *   <li>{@code edhoc_oscore_contexts_loaded_total}: contexts loaded from the store into this node
 *       (after a restart, taken over from another node, or established by another process)
 *   <li>{@code edhoc_oscore_echo_recoveries_total}: loaded contexts whose replay window was
 *       recovered by an Echo round trip (RFC 8613 Appendix B.1.2)
 *   <li>{@code edhoc_oscore_ssn_reservations_total}: Sender Sequence Number ranges reserved in the
 *       store by this node (RFC 8613 Appendix B.1.1)
 * </ul>
 */
public final class ServiceMetrics {
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
    Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)
  };
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Holds a GC notification listener: closed with the service. */
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  /**
   * Binds the JVM and process meters Micrometer ships ({@code jvm_memory_*}, {@code jvm_gc_*},
   * {@code jvm_threads_*}, {@code jvm_classes_*}, {@code process_cpu_usage}, {@code
   * system_cpu_*}, {@code process_uptime_seconds}, {@code process_files_*}, ...).
   */
  public ServiceMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** Stops the GC listener. */
  public void close() {
    gcMetrics.close();
  }

  /**
   * message_1 answered with ERR_CODE 2 (SUITES_R, RFC 9528 section 6.3): normal cipher suite
   * negotiation, after which the initiator retries; not a failure.
   */
  public void negotiated(String transport) {
    Counter c = negotiations.get(transport);
    if (c == null) {
      c = negotiations.computeIfAbsent(transport, t -> Counter.builder("edhoc.suite.negotiations")
          .description("message_1 answered with ERR_CODE 2 and the suites offered (negotiation, not a failure)").tag("transport", t).register(registry));
    }
    c.increment();
  }

  private Supplier<Number> evictionSource;
  private Supplier<Number> oscoreEvictionSource;
  private Object[] storeSources;

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void started(String transport) {
    Counter c = started.get(transport);
    if (c == null) {
      c = started.computeIfAbsent(transport, t -> Counter.builder("edhoc.handshakes.started").description("EDHOC handshakes started (message_1 processed)")
          .tag("transport", t).register(registry));
    }
    c.increment();
  }

  public void completed(String transport, int method, int suite, Duration duration) {
    String key = Integer.toString(method) + '/' + suite;
    ConcurrentHashMap<String, Counter> byKey = completed.get(transport);
    Counter c = byKey != null ? byKey.get(key) : null;
    if (c == null) {
      c = completed.computeIfAbsent(transport, t -> new ConcurrentHashMap<>()).computeIfAbsent(key,
          k -> Counter.builder("edhoc.handshakes.completed").description("EDHOC handshakes completed")
              .tag("transport", transport).tag("method", Integer.toString(method)).tag("suite", Integer.toString(suite))
              .register(registry));
    }
    c.increment();
    if (duration != null) {
      Timer t = durations.get(transport);
      if (t == null) {
        t = durations.computeIfAbsent(transport, tr -> Timer.builder("edhoc.handshake.duration").description("message_1 received to message_3 processed")
            .tag("transport", tr).serviceLevelObjectives(BUCKETS).register(registry));
      }
      t.record(duration);
    }
  }

  public void failed(String transport, String reason) {
    tagged(failed, transport, reason, "edhoc.handshakes.failed", "EDHOC requests that failed, by reason", "reason").increment();
  }

  /** Called on a transport's I/O thread for every refusal: map look-ups, no meter built. */
  public void shed(String transport, String message) {
    tagged(shed, transport, message, "edhoc.requests.shed", "requests answered 5.03 / 503 at once because the engine queue was full", "message")
        .increment();
  }

  public void echoChallenge(String transport, String reason) {
    tagged(echoChallenges, transport, reason, "edhoc.echo.challenges",
        "message_1 answered 4.01 with an Echo option (RFC 9175 reachability check)", "reason").increment();
  }

  /*
   * The per-event meters, registered on first use and then found by their tag values: building and
   * registering a meter per event (a Meter.Id, its Tags, the registry's own look-up) cost about 250
   * bytes and a few hundred nanoseconds each time, once per request on the path that sheds.
   */
  private final ConcurrentHashMap<String, Counter> negotiations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> started = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> completed = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> failed = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> shed = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> echoChallenges = new ConcurrentHashMap<>();

  /** The counter {@code name{transport, tag=value}}, registered on its first event. */
  private Counter tagged(ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> meters, String transport, String value, String name,
      String description, String tag) {
    ConcurrentHashMap<String, Counter> byValue = meters.get(transport);
    Counter c = byValue != null ? byValue.get(value) : null;
    if (c == null) {
      c = meters.computeIfAbsent(transport, t -> new ConcurrentHashMap<>()).computeIfAbsent(value,
          v -> Counter.builder(name).description(description).tag("transport", transport).tag(tag, v).register(registry));
    }
    return c;
  }

  private Supplier<Number> eventSource;

  /** Registers the gauges that read live values. */
  public void gauges(Supplier<Number> halfOpen, Supplier<Number> evictions, Supplier<Number> oscoreContexts,
      Supplier<Number> oscoreEvictions) {
    this.evictionSource = evictions; // Micrometer keeps only a weak reference to it
    this.oscoreEvictionSource = oscoreEvictions;
    io.micrometer.core.instrument.FunctionCounter.builder("edhoc.oscore.context.evictions", oscoreEvictions, s -> s.get().doubleValue())
        .description("OSCORE contexts dropped for the size bound (least recently installed first)").register(registry);
    Gauge.builder("edhoc.half.open.sessions", () -> halfOpen.get().doubleValue())
        .description("responder sessions waiting for message_3").strongReference(true).register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("edhoc.half.open.evictions", evictions, s -> s.get().doubleValue())
        .description("half-open sessions dropped without completing (expiry, size bound)").register(registry);
    Gauge.builder("edhoc.oscore.contexts", () -> oscoreContexts.get().doubleValue())
        .description("OSCORE contexts established and held by the server").strongReference(true).register(registry);
  }

  /**
   * edhoc_crypto_info{primitive, provider} = 1 for each primitive of the crypto provider in use
   * (conscrypt, bouncycastle or jdk), and edhoc_crypto_choice_info{choice} for what was asked.
   */
  public void cryptoInfo(io.edhoc.crypto.DefaultCrypto crypto) {
    crypto.implementations().forEach((primitive, provider) -> Gauge.builder("edhoc.crypto.info", () -> 1)
        .description("which library serves each EDHOC primitive").tag("primitive", primitive).tag("provider", provider)
        .strongReference(true).register(registry));
    Gauge.builder("edhoc.crypto.choice.info", () -> 1).description("the configured crypto.provider (auto, conscrypt, bouncycastle)")
        .tag("choice", crypto.choice().id()).strongReference(true).register(registry);
  }

  /** Gauges of the engine queues' waiting requests (null: transport off). */
  public void engineQueues(io.edhoc.oscore.EngineQueue coap, io.edhoc.oscore.EngineQueue http) {
    if (coap != null) {
      Gauge.builder("edhoc.engine.queue", coap, q -> q.waiting()).description("requests waiting for an engine worker")
          .tag("transport", "coap").register(registry);
    }
    if (http != null) {
      Gauge.builder("edhoc.engine.queue", http, q -> q.waiting()).description("requests waiting for an engine worker")
          .tag("transport", "http").register(registry);
    }
  }

  /** edhoc_events_dropped_total: {@code edhoc.established} events not published (backlog full). */
  public void events(Supplier<Number> dropped) {
    this.eventSource = dropped; // Micrometer keeps a weak reference
    io.micrometer.core.instrument.FunctionCounter.builder("edhoc.events.dropped", dropped, s -> s.get().doubleValue())
        .description("edhoc.established events dropped because the event loop had fallen behind by the backlog bound").register(registry);
  }

  /** The OSCORE context store's counters (function counters over the DB's own counts). */
  public void oscoreStore(Supplier<Number> loaded, Supplier<Number> echoRecoveries, Supplier<Number> ssnReservations) {
    this.storeSources = new Object[] {loaded, echoRecoveries, ssnReservations}; // Micrometer keeps weak references
    io.micrometer.core.instrument.FunctionCounter.builder("edhoc.oscore.contexts.loaded", loaded, s -> s.get().doubleValue())
        .description("OSCORE contexts loaded from the context store (restart, other node, other process)").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("edhoc.oscore.echo.recoveries", echoRecoveries, s -> s.get().doubleValue())
        .description("loaded OSCORE contexts whose replay window was recovered with Echo (RFC 8613 B.1.2)").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("edhoc.oscore.ssn.reservations", ssnReservations, s -> s.get().doubleValue())
        .description("Sender Sequence Number ranges reserved in the context store (RFC 8613 B.1.1)").register(registry);
  }

  public String scrape() {
    return registry.scrape();
  }
}
