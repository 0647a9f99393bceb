package io.edhoc.service;

import io.edhoc.service.config.ConfigException;
import io.edhoc.service.config.ConfigLoader;
import io.edhoc.service.config.ServiceConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code serve [--config FILE] [--cluster]}: runs the EDHOC responder until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run the EDHOC responder on CoAP (UDP) and HTTP, with /health and /metrics on the admin listener.",
        "Without --config: development credentials are created in ./.edhoc-dev on first run, and everything listens on 127.0.0.1 "
            + "(CoAP 5683, HTTP 8080, admin 8081). Environment variables EDHOC_* override configuration keys (see docs/service.md)."})
final class ServeCommand implements Callable<Integer> {
  /** Exit code meaning: do not call System.exit, the service keeps running. */
  static final int KEEP_RUNNING = Integer.MIN_VALUE;

  @Option(names = "--config", paramLabel = "FILE", description = "Configuration file, YAML or JSON (.json).")
  Path config;

  @Option(names = "--crypto", paramLabel = "auto|conscrypt|bouncycastle",
      description = "Library for the public-key work (overrides crypto.provider / EDHOC_CRYPTO_PROVIDER; default auto: Conscrypt where it loads, else Bouncy Castle).")
  String crypto;

  @Option(names = "--cluster", description = "Join the Hazelcast cluster configured under cluster: (half-open sessions shared by all nodes).")
  boolean cluster;

  /** The BindException behind a start-up failure, if any. */
  static java.net.BindException bindException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException b) {
        return b;
      }
    }
    return null;
  }

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    java.io.PrintWriter err = spec.commandLine().getErr();
    ServiceConfig cfg;
    try {
      cfg = ConfigLoader.load(config);
    } catch (ConfigException e) {
      err.println("edhoc serve: " + e.getMessage());
      return 2;
    }
    if (cluster) {
      cfg.cluster.enabled = true;
    }
    if (crypto != null) {
      try {
        cfg.crypto.provider = io.edhoc.crypto.CryptoChoice.parse(crypto).id();
      } catch (IllegalArgumentException e) {
        System.err.println("edhoc serve: --crypto: " + e.getMessage());
        return 2;
      }
    }
    EdhocService svc;
    try {
      svc = EdhocService.start(cfg, out);
    } catch (ConfigException e) {
      err.println("edhoc serve: " + e.getMessage());
      return 2;
    } catch (EdhocService.NothingToServeException e) {
      err.println("edhoc serve: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      java.net.BindException bind = bindException(e);
      if (bind != null) {
        // same hint for CoAP (UDP) and HTTP (TCP); exit 2 like every configuration problem
        err.println("edhoc serve: cannot listen: " + bind.getMessage()
            + " (is another instance running? change the port with --config or EDHOC_*_PORT)");
        return 2;
      }
      err.println("edhoc serve: cannot start: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      return 1;
    }
    out.println("EDHOC service listening: " + svc.describe());
    out.println("Crypto " + svc.crypto().describe());
    out.println();
    out.println("Connect from another terminal (any directory) with:");
    for (String line : connectHints(cfg, svc.coapPort(), svc.httpPort(), jarCommand(Main.class))) {
      out.println("  " + line);
    }
    out.println("Stop with Ctrl-C.");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      svc.close();
      stopped.countDown();
    }, "edhoc-shutdown"));
    stopped.await();
    return KEEP_RUNNING;
  }

  /**
   * The connect commands the start-up message prints: absolute paths (the jar, the development
   * client credentials), so that they work from any directory, not only from the repository.
   */
  static java.util.List<String> connectHints(ServiceConfig cfg, int coapPort, int httpPort, String jarCommand) {
    String creds = cfg.credentials.config.isEmpty() && cfg.credentials.directory.isEmpty()
        ? " --credentials " + quote(Path.of(cfg.credentials.devDirectory, "client").toAbsolutePath().normalize().toString())
        : " --credentials CLIENT-CREDENTIALS";
    java.util.List<String> lines = new java.util.ArrayList<>();
    if (coapPort > 0) {
      String port = coapPort == 5683 ? "" : ":" + coapPort;
      String get = cfg.coap.helloResource.isEmpty() ? "" : " --get /" + cfg.coap.helloResource;
      lines.add(jarCommand + " connect coap://" + EdhocService.hostForUri(connectHost(cfg.coap.host)) + port + "/.well-known/edhoc" + get + creds);
    }
    if (httpPort > 0) {
      lines.add(jarCommand + " connect http://" + EdhocService.hostForUri(connectHost(cfg.http.host)) + ":" + httpPort + "/.well-known/edhoc"
          + creds);
    }
    return lines;
  }

  /** {@code java -jar /absolute/edhoc.jar} when running from a jar, else {@code java -jar edhoc.jar}. */
  static String jarCommand(Class<?> main) {
    try {
      java.security.CodeSource cs = main.getProtectionDomain().getCodeSource();
      if (cs != null && cs.getLocation() != null) {
        Path p = Path.of(cs.getLocation().toURI());
        if (p.getFileName() != null && p.getFileName().toString().endsWith(".jar")) {
          return "java -jar " + quote(p.toAbsolutePath().normalize().toString());
        }
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // fall through to the generic form
    }
    return "java -jar edhoc.jar";
  }

  /** A wildcard listen address is not a destination: suggest loopback. */
  private static String connectHost(String host) {
    return host.equals("0.0.0.0") ? "127.0.0.1" : host.equals("::") ? "::1" : host;
  }

  private static String quote(String s) {
    return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
