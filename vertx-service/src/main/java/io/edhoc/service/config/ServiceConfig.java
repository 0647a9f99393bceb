package io.edhoc.service.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The service configuration, as read from YAML or JSON (docs/service.md lists every key). Public
 * mutable fields bound by Jackson; {@link ConfigLoader} validates the result, so code using it can
 * rely on ranges. Defaults are the development defaults: everything on 127.0.0.1.
 */
public final class ServiceConfig {
  public Http http = new Http();
  public Coap coap = new Coap();
  public Admin admin = new Admin();
  public Credentials credentials = new Credentials();
  public Edhoc edhoc = new Edhoc();
  public Limits limits = new Limits();
  public Cluster cluster = new Cluster();
  public Crypto crypto = new Crypto();
  public Log log = new Log();
  public Oscore oscore = new Oscore();

  /** The HTTP transport: POST /.well-known/edhoc. */
  public static final class Http {
    public boolean enabled = true;
    public String host = "127.0.0.1";
    /** 0 picks a free port. */
    public int port = 8080;
  }

  /** The CoAP transport over UDP (Californium), with the example OSCORE resource. */
  public static final class Coap {
    public boolean enabled = true;
    public String host = "127.0.0.1";
    public int port = 5683;
    /**
     * RFC 9175 Echo reachability check (RFC 9528 A.2): message_1 without a valid Echo option gets
     * 4.01 with one, the client repeats it (docs/service.md, docs/security.md). {@code off}: never;
     * {@code on}: always; {@code auto} (default): only while half-open sessions or the CoAP engine
     * queue are past {@link #echoAutoThreshold}. {@code true}/{@code false} mean on/off.
     */
    public String echoReachability = "auto";
    /**
     * {@code auto}: challenge while half-open sessions are at least this fraction of
     * limits.maxHalfOpen, or waiting CoAP requests at least this fraction of the engine queue.
     */
    public double echoAutoThreshold = 0.5;
    /** How long an Echo value is accepted after it was issued (1..300 s). */
    public int echoWindowSeconds = 30;
    /** Path of the example OSCORE-protected resource; empty disables it. */
    public String helloResource = "hello";
    /**
     * Threads receiving on the UDP socket (1..16). They also answer the refusals under pressure
     * (5.03, 4.01 + Echo); with two, one receives while the other answers or waits for a core
     * (docs/performance.md, "Overload: two receive threads").
     */
    public int receiverThreads = 2;
  }

  /** Admin listener: GET /health and GET /metrics. Loopback by default. */
  public static final class Admin {
    public boolean enabled = true;
    public String host = "127.0.0.1";
    public int port = 8081;
  }

  /** Own credentials and trusted peers: a directory laid out as docs/service.md describes. */
  public static final class Credentials {
    /** A credentials configuration file of the credentials module (docs/credentials.md). */
    public String config = "";
    /**
     * A credentials directory (own/NAME.ccs + NAME.key, peers/NAME.ccs). With neither this nor
     * {@link #config}: development credentials in {@link #devDirectory}, created on first run.
     */
    public String directory = "";
    public String devDirectory = ".edhoc-dev";
    /** Accept any peer CCS sent by value (trust on first use, in memory only). */
    public boolean trustOnFirstUse = false;
  }

  /** Protocol choices of the responder. */
  public static final class Edhoc {
    /** Cipher suites in preference order. */
    public List<Integer> suites = new ArrayList<>(List.of(2, 0));
    /** Accepted methods; 4 (PSK) only together with enableMethod4. */
    public List<Integer> methods = new ArrayList<>(List.of(0, 1, 2, 3));
    public boolean enableMethod4 = false;
    /** Send message_4 (RFC 9528 section 5.5); clients must expect it. */
    public boolean message4 = false;
    public Ead ead = new Ead();
  }

  /** External authorization data. */
  public static final class Ead {
    /** Non-critical EAD labels accepted and passed to the application listener. */
    public List<Integer> acceptLabels = new ArrayList<>();
    /** Pad message_2 with EAD padding (label 0) of this many bytes; 0 for none. */
    public int padding2 = 0;
  }

  /** Resource limits. */
  public static final class Limits {
    /** Largest accepted request body (bytes): larger gets 413 / 4.13. */
    public int maxBodyBytes = 1024;
    /** Half-open responder sessions (message_2 sent, message_3 pending), at most. */
    public int maxHalfOpen = 10_000;
    /** Seconds a half-open session waits for message_3. */
    public int halfOpenTtlSeconds = 30;
    /** Per-source handshake starts (message_1) per second; 0 disables the limit. */
    public double ratePerSourcePerSecond = 20;
    /** Burst allowance of the per-source limit. */
    public int rateBurst = 40;
    /** Sources tracked by the rate limiter at most (least recently seen dropped). */
    public int rateTrackedSources = 100_000;
    /** Established OSCORE contexts kept by the server, at most. */
    public int maxOscoreContexts = 10_000;
    /**
     * HTTP: run EDHOC crypto on the engine's worker threads instead of the event loop (CoAP always
     * uses its engine workers).
     */
    public boolean cryptoOnWorkers = true;
    /** Engine worker threads per transport; 0 = the number of available processors. */
    public int engineWorkers = 0;
    /**
     * Requests that may wait for an engine worker, per worker and transport (handshake starts;
     * requests continuing a handshake may use twice that). Beyond it: 5.03 / 503 at once.
     */
    public int engineQueuePerWorker = 32;
    /** Max-Age (CoAP) / Retry-After (HTTP) of a 5.03 / 503 answered when the engine queue is full. */
    public int shedRetryAfterSeconds = 1;
  }

  /** Hazelcast cluster mode (also enabled by serve --cluster). */
  public static final class Cluster {
    public boolean enabled = false;
    /** Interface Hazelcast binds to. */
    public String host = "127.0.0.1";
    /** First Hazelcast port; the next free one up to port+autoIncrement is taken. */
    public int port = 5701;
    public int portAutoIncrement = 10;
    /** Members to join over TCP/IP (host or host:port); multicast is never used. */
    public List<String> members = new ArrayList<>(List.of("127.0.0.1"));
    public String clusterName = "edhoc";
    /** Synchronous backups of each half-open session (0..6). */
    public int backupCount = 1;
    /**
     * Hex AES-256 key (64 hex digits) sealing exported responder state before it enters the
     * cluster map; every node needs the same. Empty: read from {@link #stateKeyFile}.
     */
    public String stateKey = "";
    /**
     * File holding the hex state key; empty means cluster-state.key in the credentials directory,
     * created (owner-only) when missing.
     */
    public String stateKeyFile = "";
  }

  /** Which library does the EDHOC public-key work (docs/architecture.md, "Crypto providers"). */
  public static final class Crypto {
    /**
     * auto (Conscrypt/BoringSSL where its native library loads, else Bouncy Castle), conscrypt
     * (fail at start-up without it) or bouncycastle.
     */
    public String provider = "auto";
  }

  /** Where the server's OSCORE contexts live (docs/service.md, "What survives what"). */
  public static final class Oscore {
    /**
     * {@code memory}: this process only (a restart forgets them); {@code file}: sealed files that
     * survive a restart or kill -9 (one node); {@code cluster}: the Hazelcast map shared by every
     * node (needs cluster mode).
     */
    public String store = "memory";
    /** Sender Sequence Numbers reserved per store write (K of RFC 8613 Appendix B.1.1). */
    public int ssnStep = 256;
    public FileStore file = new FileStore();
  }

  /** The sealed file store of {@code oscore.store: file}. */
  public static final class FileStore {
    /** Directory of the sealed context files (created owner-only). */
    public String directory = ".edhoc-oscore";
    /** Hex AES-256 key (64 hex digits) sealing the files. Empty: read from {@link #keyFile}. */
    public String key = "";
    /**
     * File holding the hex key, kept apart from the data; empty means oscore-store.key in the
     * credentials directory, created (owner-only) when missing.
     */
    public String keyFile = "";
  }

  /** Logging switches (levels: EDHOC_LOG_LEVEL, see docs/service.md). */
  public static final class Log {
    /**
     * One INFO line per handshake on logger {@code io.edhoc.service.handshake}: transport, peer
     * address, method, suite, peer credential, outcome, duration. Never key material.
     */
    public boolean handshakes = false;
  }
}
