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
    EdhocService svc;
    try {
      svc = EdhocService.start(cfg, out);
    } catch (ConfigException e) {
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
    out.println();
    out.println("Connect from a second terminal (same directory) with:");
    String coapHost = EdhocService.hostForUri(cfg.coap.host);
    if (svc.coapPort() > 0) {
      String port = svc.coapPort() == 5683 ? "" : ":" + svc.coapPort();
      out.println("  java -jar vertx-service/target/edhoc.jar connect coap://" + coapHost + port + "/.well-known/edhoc --get /"
          + cfg.coap.helloResource);
    }
    if (svc.httpPort() > 0) {
      out.println("  java -jar vertx-service/target/edhoc.jar connect http://" + EdhocService.hostForUri(cfg.http.host) + ":" + svc.httpPort()
          + "/.well-known/edhoc");
    }
    if (cfg.credentials.config.isEmpty() && cfg.credentials.directory.isEmpty()) {
      out.println("(connect uses the development client credentials in " + cfg.credentials.devDirectory + "/client by default)");
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
}
