package io.edhoc.service;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.ErrorMessage;
import io.edhoc.Method;
import io.edhoc.cbor.Hex;
import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.CoapEdhocTransport;
import io.edhoc.oscore.EdhocCoapClient;
import io.edhoc.oscore.EdhocOption;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import io.edhoc.oscore.EdhocTransport;
import io.edhoc.oscore.InitiatorFlow;
import io.edhoc.oscore.OscoreContext;
import io.edhoc.service.client.HttpEdhocTransport;
import io.edhoc.service.coap.CoapTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.oscore.HashMapCtxDB;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code connect URI}: runs the EDHOC initiator ({@link InitiatorFlow}, the binding's one initiator
 * flow) against a server over CoAP or HTTP and prints what was agreed. Exit 0 when the handshake
 * (and the optional OSCORE request) succeeded, 1 when the server or the network said no, 2 for
 * usage and configuration errors.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
    description = "Run an EDHOC handshake as initiator over coap:// or http://, print the agreed parameters, and optionally send one OSCORE-protected GET (CoAP).")
final class ConnectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "URI",
      description = "e.g. coap://127.0.0.1/.well-known/edhoc or http://127.0.0.1:8080/.well-known/edhoc; without a path /.well-known/edhoc is used")
  URI uri;

  @Option(names = "--method", paramLabel = "M", description = "EDHOC method 0-4 (default ${DEFAULT-VALUE}); 4 (PSK) needs a psk entry in a credentials file.",
      defaultValue = "3")
  int method;

  @Option(names = "--suite", paramLabel = "S",
      description = "Preferred cipher suite (default ${DEFAULT-VALUE}); after an ERR_CODE 2 every other suite the credentials allow is offered.",
      defaultValue = "2")
  int suite;

  @Option(names = "--no-fallback", description = "Use only --suite: an ERR_CODE 2 (suite not accepted) ends the run instead of negotiating another suite.")
  boolean noFallback;

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

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  private java.io.PrintWriter out;
  private java.io.PrintWriter err;

  @Override
  public Integer call() {
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    String scheme;
    EdhocConfig cfg;
    Method m;
    try {
      scheme = ClientSetup.scheme(uri);
      if (get != null && !scheme.equals("coap")) {
        throw new ClientSetup.UsageException("--get sends OSCORE over CoAP; use a coap:// URI");
      }
      if (combined && (get == null || !scheme.equals("coap"))) {
        throw new ClientSetup.UsageException("--combined sends message_3 with the first OSCORE request: it needs a coap:// URI and --get PATH");
      }
      m = ClientSetup.method(method);
      CipherSuite s = ClientSetup.suite(suite);
      cfg = ClientSetup.initiatorConfig(credentials, m, s, !noFallback, ClientSetup.crypto(crypto));
    } catch (ClientSetup.UsageException e) {
      err.println("connect: " + e.getMessage());
      return ClientSetup.USAGE;
    }
    if (combined) {
      return runCombined(cfg);
    }
    CoapEndpoint endpoint = null;
    HttpEdhocTransport http = null;
    try {
      EdhocTransport t;
      HashMapCtxDB db = new HashMapCtxDB();
      if (scheme.equals("coap")) {
        endpoint = coapEndpoint(db);
        t = new CoapEdhocTransport(endpoint, uri.toString(), timeoutMs);
      } else {
        t = http = new HttpEdhocTransport(uri, timeoutMs);
      }
      InitiatorFlow.Completed o = await(new InitiatorFlow(cfg, m, t).negotiate(!noFallback).run());
      try (EdhocSession session = o.session()) {
        print(o.oscore(), session, o.message4Received() ? "received" : "not used", o.negotiated(), o.suitesR());
        if (get != null) {
          CoapResponse r = oscoreGet(endpoint, new CaliforniumContexts(db), o.oscore(), get);
          out.println();
          out.println("OSCORE GET " + get + " -> " + CoapEdhocTransport.status(r.getCode()));
          printPayload(r.getPayload());
          if (!r.isSuccess()) {
            return ClientSetup.FAILED;
          }
        }
      }
      return ClientSetup.OK;
    } catch (InitiatorFlow.FlowException e) {
      err.println("connect: " + (e.kind() == InitiatorFlow.FlowException.Kind.UNREACHABLE ? "" : "handshake failed: ") + e.getMessage());
      return ClientSetup.FAILED;
    } catch (IOException e) {
      err.println("connect: " + e.getMessage());
      return ClientSetup.FAILED;
    } finally {
      if (endpoint != null) {
        endpoint.destroy();
      }
      if (http != null) {
        http.close();
      }
    }
  }

  /**
   * RFC 9668: message_3 rides in the OSCORE-protected GET. Until the server's OSCORE response
   * arrives nothing is confirmed (the server may still refuse message_3), so the context is
   * printed only after it.
   */
  private int runCombined(EdhocConfig cfg) {
    HashMapCtxDB db = new HashMapCtxDB();
    EdhocOscoreStackFactory stack = new EdhocOscoreStackFactory(db, null);
    CoapEndpoint endpoint = null;
    try {
      InetAddress target = InetAddress.getByName(uri.getHost());
      endpoint = stack.endpointBuilder(CoapTransport.configuration())
          .setInetSocketAddress(target.isLoopbackAddress() ? new InetSocketAddress(target, 0) : new InetSocketAddress(0)).build();
      endpoint.start();
      String server = "coap://" + EdhocService.hostForUri(uri.getHost()) + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
      String path = uri.getRawPath();
      if (path != null && !path.isEmpty() && !path.equals("/") && !path.equals(EdhocCoapClient.EDHOC_PATH)) {
        err.println("connect: note: --combined uses " + EdhocCoapClient.EDHOC_PATH + " on the server, not " + path);
      }
      EdhocCoapClient client = new EdhocCoapClient(cfg, endpoint, new CaliforniumContexts(db), stack).timeoutMillis(timeoutMs).negotiate(!noFallback);
      Request first = Request.newGet();
      first.setURI(server + (get.startsWith("/") ? get : "/" + get));
      err.println("connect: combined request (RFC 9668): message_3 travels with the OSCORE GET; nothing is confirmed until the server answers it");
      EdhocCoapClient.CombinedResult r = client.establishCombined(server, first);
      CoapResponse response = r.response();
      try (EdhocSession session = r.established().session()) {
        if (!response.getOptions().hasOscore()) {
          // not OSCORE-protected: the server did not take message_3 (or not the context); no context exists
          err.println("connect: handshake failed: the server refused message_3 of the combined request (" + CoapEdhocTransport.status(response.getCode())
              + ")" + describeEdhocError(response) + "; no OSCORE context was established");
          return ClientSetup.FAILED;
        }
        print(r.established().oscoreContext(), session, "not used (combined request)", r.established().negotiated(), null);
        out.println();
        out.println("OSCORE GET " + get + " (combined with message_3, RFC 9668) -> " + CoapEdhocTransport.status(response.getCode()));
        printPayload(response.getPayload());
        return response.isSuccess() ? ClientSetup.OK : ClientSetup.FAILED;
      }
    } catch (io.edhoc.EdhocPeerErrorException e) {
      err.println("connect: handshake failed: " + InitiatorFlow.describePeerError(e));
      return ClientSetup.FAILED;
    } catch (io.edhoc.EdhocException e) {
      err.println("connect: handshake failed: " + e.getMessage());
      return ClientSetup.FAILED;
    } catch (IOException | ConnectorException | RuntimeException e) {
      err.println("connect: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      return ClientSetup.FAILED;
    } finally {
      if (endpoint != null) {
        endpoint.destroy();
      }
    }
  }

  private static String describeEdhocError(CoapResponse r) {
    byte[] p = r.getPayload();
    int cf = r.getOptions().getContentFormat();
    if (p == null || p.length == 0 || (cf >= 0 && cf != EdhocOption.EDHOC_CBOR_SEQ)) {
      return "";
    }
    try {
      return ": " + InitiatorFlow.describeError(ErrorMessage.parse(p));
    } catch (Exception notAnError) {
      return "";
    }
  }

  private CoapEndpoint coapEndpoint(HashMapCtxDB db) throws IOException {
    InetAddress target = InetAddress.getByName(uri.getHost());
    InetSocketAddress local = target.isLoopbackAddress() ? new InetSocketAddress(target, 0) : new InetSocketAddress(0);
    CoapEndpoint ep = new EdhocOscoreStackFactory(db, null).endpointBuilder(CoapTransport.configuration()).setInetSocketAddress(local).build();
    try {
      ep.start();
    } catch (IOException e) {
      ep.destroy();
      throw new IOException("cannot open a UDP socket: " + e.getMessage(), e);
    }
    return ep;
  }

  /** One OSCORE-protected GET to {@code path} on the same server, with the context from EDHOC. */
  private CoapResponse oscoreGet(CoapEndpoint endpoint, CaliforniumContexts contexts, OscoreContext context, String path) throws IOException {
    URI target = uri.resolve(path.startsWith("/") ? path : "/" + path);
    try {
      contexts.installClient(context, target.toString());
    } catch (CaliforniumContexts.UnsupportedOscoreContextException e) {
      throw new IOException("cannot use the OSCORE context: " + e.getMessage(), e);
    }
    CoapClient c = new CoapClient(target).setEndpoint(endpoint).setTimeout(timeoutMs);
    try {
      Request req = Request.newGet();
      req.setURI(target);
      req.getOptions().setOscore(new byte[0]);
      // a server that lost this context's replay window (restart, other node) answers 4.01 + Echo once
      CoapResponse r = io.edhoc.oscore.OscoreEchoClient.send(c, req);
      if (r == null) {
        throw new IOException("no answer to the OSCORE GET " + target + " within " + timeoutMs + " ms");
      }
      return r;
    } catch (ConnectorException e) {
      throw new IOException("OSCORE GET failed: " + e.getMessage(), e);
    } finally {
      c.shutdown();
    }
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws InitiatorFlow.FlowException, IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof InitiatorFlow.FlowException fe) {
        throw fe;
      }
      throw new IOException(e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getCause().toString(), e.getCause());
    }
  }

  private void printPayload(byte[] payload) {
    if (payload != null && payload.length > 0) {
      out.println(new String(payload, StandardCharsets.UTF_8));
    }
  }

  private void print(OscoreContext c, EdhocSession s, String message4, boolean negotiated, List<Integer> suitesR) {
    out.println("EDHOC handshake completed with " + uri);
    out.println("  method            " + s.method().id() + " (" + s.method().name() + ")");
    out.println("  cipher suite      " + s.suite().id() + (negotiated
        ? " (negotiated: the server refused suite " + suite + (suitesR != null ? " and offered " + suitesR : "") + ")" : ""));
    out.println("  C_I               " + Hex.encode(s.connectionIdI()));
    out.println("  C_R               " + Hex.encode(s.connectionIdR()));
    out.println("  peer              " + s.describePeer());
    out.println("  message_4         " + message4);
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
