package io.edhoc.service;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.Method;
import io.edhoc.cbor.Hex;
import io.edhoc.oscore.OscoreContext;
import io.edhoc.service.client.CoapClientTransport;
import io.edhoc.service.client.EdhocClient;
import io.edhoc.service.client.HttpClientTransport;
import io.edhoc.service.config.ServiceConfig;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.EdhocCoapClient;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import io.edhoc.service.coap.CoapTransport;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.oscore.HashMapCtxDB;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code connect URI}: runs the EDHOC initiator against a server and prints what was agreed. */
@Command(name = "connect", mixinStandardHelpOptions = true,
    description = "Run an EDHOC handshake as initiator over coap:// or http://, print the agreed parameters, and optionally send one OSCORE-protected GET (CoAP).")
final class ConnectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "URI", description = "e.g. coap://127.0.0.1/.well-known/edhoc or http://127.0.0.1:8080/.well-known/edhoc")
  URI uri;

  @Option(names = "--method", paramLabel = "M", description = "EDHOC method 0-3 (default ${DEFAULT-VALUE}).", defaultValue = "3")
  int method;

  @Option(names = "--suite", paramLabel = "S", description = "Preferred cipher suite (default ${DEFAULT-VALUE}); the others are offered after an ERR_CODE 2.",
      defaultValue = "2")
  int suite;

  @Option(names = "--credentials", paramLabel = "DIR|FILE",
      description = "Client credentials: a directory (own/, peers/) or a credentials configuration file. Default: .edhoc-dev/client.")
  Path credentials;

  @Option(names = "--get", paramLabel = "PATH", description = "After the handshake, send one OSCORE-protected GET to PATH (coap:// only).")
  String get;

  @Option(names = "--combined", description = "Send message_3 together with the OSCORE GET of --get (RFC 9668 EDHOC + OSCORE combined request).")
  boolean combined;

  @Option(names = "--show-secrets", description = "Also print the OSCORE Master Secret and Master Salt.")
  boolean showSecrets;

  @Option(names = "--crypto", paramLabel = "auto|conscrypt|bouncycastle", defaultValue = "${env:EDHOC_CRYPTO_PROVIDER:-auto}",
      description = "Library for the public-key work (default ${DEFAULT-VALUE}, from EDHOC_CRYPTO_PROVIDER when set; auto: Conscrypt where it loads, else Bouncy Castle).")
  String crypto;

  @Option(names = "--timeout", paramLabel = "MS", description = "Per-request timeout in milliseconds (default ${DEFAULT-VALUE}).", defaultValue = "10000")
  long timeoutMs;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    PrintStream err = System.err;
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("coap") && !scheme.equals("http")) {
      err.println("connect: URI must start with coap:// or http://");
      return 2;
    }
    if (get != null && !scheme.equals("coap")) {
      err.println("connect: --get sends OSCORE over CoAP; use a coap:// URI");
      return 2;
    }
    if (combined && (get == null || !scheme.equals("coap"))) {
      err.println("connect: --combined sends message_3 with the first OSCORE request: it needs a coap:// URI and --get PATH");
      return 2;
    }
    Method m = Method.fromId(method);
    CipherSuite s = CipherSuite.fromId(suite);
    if (m == null || m.isPsk()) {
      err.println("connect: --method must be 0, 1, 2 or 3");
      return 2;
    }
    if (s == null) {
      err.println("connect: unknown cipher suite " + suite);
      return 2;
    }
    io.edhoc.crypto.DefaultCrypto cryptoProvider;
    try {
      cryptoProvider = io.edhoc.crypto.DefaultCrypto.of(io.edhoc.crypto.CryptoChoice.parse(crypto));
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("connect: --crypto: " + e.getMessage());
      return 2;
    }
    EdhocService.LoadedCredentials creds;
    try {
      ServiceConfig.Credentials c = new ServiceConfig.Credentials();
      Path p = credentials != null ? credentials : Path.of(".edhoc-dev", "client");
      if (Files.isDirectory(p)) {
        c.directory = p.toString();
      } else if (Files.isRegularFile(p)) {
        c.config = p.toString();
      } else {
        err.println("connect: no client credentials at " + p
            + (credentials == null ? " (run `serve` once without --config to create development credentials, or give --credentials)" : ""));
        return 2;
      }
      creds = EdhocService.loadCredentials(c);
    } catch (Exception e) {
      err.println("connect: cannot load credentials: " + e.getMessage());
      return 2;
    }
    List<CipherSuite> suites = new ArrayList<>();
    suites.add(s);
    for (CipherSuite other : List.of(CipherSuite.SUITE_2, CipherSuite.SUITE_0)) {
      if (other != s) {
        suites.add(other);
      }
    }
    EdhocConfig cfg;
    try {
      EdhocConfig.Builder b = EdhocConfig.builder().suites(suites).methods(m).peers(creds.peers()).crypto(cryptoProvider);
      creds.own().forEach(b::credential);
      cfg = b.build();
    } catch (IllegalArgumentException e) {
      err.println("connect: " + e.getMessage());
      return 2;
    }
    if (combined) {
      return runCombined(cfg, out, err);
    }
    CoapClientTransport coap = null;
    try {
      EdhocClient.Transport t;
      if (scheme.equals("coap")) {
        coap = new CoapClientTransport(uri, timeoutMs);
        t = coap;
      } else {
        t = new HttpClientTransport(uri, timeoutMs);
      }
      EdhocClient.Outcome o = EdhocClient.run(cfg, m, t);
      try (EdhocSession session = o.session()) {
        print(out, o, session);
        if (get != null) {
          CoapResponse r = coap.oscoreGet(o.oscore(), get);
          out.println();
          out.println("OSCORE GET " + get + " -> " + r.getCode() + " " + r.getCode().name());
          byte[] payload = r.getPayload();
          if (payload != null && payload.length > 0) {
            out.println(new String(payload, StandardCharsets.UTF_8));
          }
          if (!r.isSuccess()) {
            return 1;
          }
        }
      }
      return 0;
    } catch (EdhocClient.ClientException e) {
      err.println("connect: handshake failed: " + e.getMessage());
      return 1;
    } catch (java.io.IOException e) {
      err.println("connect: " + e.getMessage());
      return 1;
    } finally {
      if (coap != null) {
        coap.close();
      }
    }
  }

  /** RFC 9668: message_3 rides in the OSCORE-protected GET (the binding's EdhocCoapClient and stack). */
  private int runCombined(EdhocConfig cfg, PrintStream out, PrintStream err) {
    HashMapCtxDB db = new HashMapCtxDB();
    EdhocOscoreStackFactory stack = new EdhocOscoreStackFactory(db, null);
    CoapEndpoint endpoint = null;
    try {
      java.net.InetAddress target = java.net.InetAddress.getByName(uri.getHost());
      endpoint = stack.endpointBuilder(CoapTransport.configuration())
          .setInetSocketAddress(target.isLoopbackAddress() ? new java.net.InetSocketAddress(target, 0) : new java.net.InetSocketAddress(0)).build();
      endpoint.start();
      String server = "coap://" + EdhocService.hostForUri(uri.getHost()) + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
      if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals(EdhocCoapClient.EDHOC_PATH)) {
        err.println("connect: --combined uses " + EdhocCoapClient.EDHOC_PATH + " on the server");
      }
      EdhocCoapClient client = new EdhocCoapClient(cfg, endpoint, new CaliforniumContexts(db), stack).timeoutMillis(timeoutMs);
      Request first = Request.newGet();
      first.setURI(server + (get.startsWith("/") ? get : "/" + get));
      EdhocCoapClient.CombinedResult r = client.establishCombined(server, first);
      try (EdhocSession session = r.established().session()) {
        print(out, new EdhocClient.Outcome(session, r.established().oscoreContext(), false, false), session);
        out.println();
        out.println("OSCORE GET " + get + " (combined with message_3, RFC 9668) -> " + r.response().getCode() + " " + r.response().getCode().name());
        byte[] payload = r.response().getPayload();
        if (payload != null && payload.length > 0) {
          out.println(new String(payload, StandardCharsets.UTF_8));
        }
        return r.response().isSuccess() ? 0 : 1;
      }
    } catch (io.edhoc.EdhocException e) {
      err.println("connect: handshake failed: " + e.getMessage());
      return 1;
    } catch (java.io.IOException | org.eclipse.californium.elements.exception.ConnectorException | RuntimeException e) {
      err.println("connect: " + e.getMessage());
      return 1;
    } finally {
      if (endpoint != null) {
        endpoint.destroy();
      }
    }
  }

  private void print(PrintStream out, EdhocClient.Outcome o, EdhocSession s) {
    OscoreContext c = o.oscore();
    out.println("EDHOC handshake completed with " + uri);
    out.println("  method            " + s.method().id() + " (" + s.method().name() + ")");
    out.println("  cipher suite      " + s.suite().id() + (o.retried() ? " (after cipher suite negotiation)" : ""));
    out.println("  C_I               " + Hex.encode(s.connectionIdI()));
    out.println("  C_R               " + Hex.encode(s.connectionIdR()));
    out.println("  peer              " + s.describePeer());
    out.println("  message_4         " + (o.message4Received() ? "received" : "not used"));
    out.println("OSCORE context (RFC 9528 A.1)");
    out.println("  Sender ID         " + Hex.encode(c.senderId()));
    out.println("  Recipient ID      " + Hex.encode(c.recipientId()));
    out.println("  AEAD              " + c.aead() + " (" + c.aead().coseId() + ")");
    out.println("  HKDF              " + c.hkdf());
    if (showSecrets) {
      out.println("  Master Secret     " + Hex.encode(c.masterSecret()));
      out.println("  Master Salt       " + Hex.encode(c.masterSalt()));
    } else {
      out.println("  (Master Secret and Salt hidden; --show-secrets prints them)");
    }
  }
}
