package io.edhoc.service;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.Role;
import io.edhoc.service.config.ServiceConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code connect} and {@code bench} share before the first packet: the URI check, the client
 * credentials and the initiator's {@link EdhocConfig} (the preferred suite first, then every other
 * suite the credentials allow for the method, so that an ERR_CODE 2 can be answered with any of
 * them).
 */
final class ClientSetup {
  /** Exit codes of every subcommand: 0 done, 1 the run failed (peer, network), 2 usage or configuration. */
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  /** A problem with the command line or the files it names: exit 2 with this message. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  private ClientSetup() {}

  /** coap or http, or a UsageException. */
  static String scheme(URI uri) throws UsageException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("coap") && !scheme.equals("http")) {
      throw new UsageException("URI must start with coap:// or http:// (e.g. coap://127.0.0.1/.well-known/edhoc)");
    }
    if (uri.getHost() == null) {
      throw new UsageException("URI has no host: " + uri);
    }
    return scheme;
  }

  static Method method(int id) throws UsageException {
    Method m = Method.fromId(id);
    if (m == null) {
      throw new UsageException("--method must be 0, 1, 2, 3 or 4 (4: PSK, needs a psk entry in a credentials file)");
    }
    return m;
  }

  static CipherSuite suite(int id) throws UsageException {
    CipherSuite s = CipherSuite.fromId(id);
    if (s == null) {
      throw new UsageException("unknown cipher suite " + id + " (known: " + ids(List.of(CipherSuite.values())) + ")");
    }
    return s;
  }

  /**
   * The initiator configuration: {@code preferred} first; with {@code fallback} every other suite
   * these credentials can run {@code method} with, in the order 2, 0, then by number.
   */
  static EdhocConfig initiatorConfig(Path credentials, Method method, CipherSuite preferred, boolean fallback) throws UsageException {
    return initiatorConfig(credentials, method, preferred, fallback, io.edhoc.crypto.DefaultCrypto.get());
  }

  /** The crypto provider of --crypto auto|conscrypt|bouncycastle; conscrypt without its native library is a usage error, with the reason. */
  static io.edhoc.crypto.DefaultCrypto crypto(String choice) throws UsageException {
    try {
      return io.edhoc.crypto.DefaultCrypto.of(io.edhoc.crypto.CryptoChoice.parse(choice));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UsageException("--crypto: " + e.getMessage());
    }
  }

  /** As above, on the given crypto provider. */
  static EdhocConfig initiatorConfig(Path credentials, Method method, CipherSuite preferred, boolean fallback,
      io.edhoc.crypto.CryptoProvider crypto) throws UsageException {
    EdhocService.LoadedCredentials creds;
    Path p = credentials != null ? credentials : Path.of(".edhoc-dev", "client");
    try {
      ServiceConfig.Credentials c = new ServiceConfig.Credentials();
      if (Files.isDirectory(p)) {
        c.directory = p.toString();
      } else if (Files.isRegularFile(p)) {
        c.config = p.toString();
      } else {
        throw new UsageException("no client credentials at " + p
            + (credentials == null ? " (run `serve` once without --config to create development credentials, or give --credentials)" : ""));
      }
      creds = EdhocService.loadCredentials(c);
    } catch (UsageException e) {
      throw e;
    } catch (Exception e) {
      throw new UsageException("cannot load credentials from " + p + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
    }
    if (method.isPsk() && creds.psks().isEmpty()) {
      throw new UsageException("method 4 needs a PSK: give --credentials FILE with a psk entry (the directory form holds no PSK)");
    }
    EdhocConfig.Builder b = EdhocConfig.builder().methods(method).peers(creds.peers()).psks(creds.psks()).crypto(crypto);
    creds.own().forEach(b::credential);
    List<CipherSuite> order = new ArrayList<>();
    order.add(preferred);
    if (fallback) {
      List<CipherSuite> others = new ArrayList<>(List.of(CipherSuite.SUITE_2, CipherSuite.SUITE_0));
      for (CipherSuite s : CipherSuite.values()) {
        if (!others.contains(s)) {
          others.add(s);
        }
      }
      EdhocConfig probe;
      try {
        probe = b.suites(List.of(CipherSuite.values())).build();
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      for (CipherSuite s : others) {
        if (s != preferred && (method.isPsk() || probe.credentialFor(Role.INITIATOR, method, s) != null)) {
          order.add(s);
        }
      }
    }
    try {
      EdhocConfig cfg = b.suites(order).build();
      if (!method.isPsk() && cfg.credentialFor(Role.INITIATOR, method, preferred) == null) {
        throw new UsageException("the credentials at " + p + " hold no own credential for method " + method.id() + " with suite " + preferred.id()
            + (order.size() > 1 ? " (they fit suites " + ids(order.subList(1, order.size())) + ")" : ""));
      }
      return cfg;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** {@code bench --in-process}: the responder's configuration from its credentials (default .edhoc-dev/server). */
  static EdhocConfig responderConfig(Path credentials, Method method, List<CipherSuite> suites) throws UsageException {
    Path p = credentials != null ? credentials : Path.of(".edhoc-dev", "server");
    EdhocService.LoadedCredentials creds;
    try {
      ServiceConfig.Credentials c = new ServiceConfig.Credentials();
      if (Files.isDirectory(p)) {
        c.directory = p.toString();
      } else if (Files.isRegularFile(p)) {
        c.config = p.toString();
      } else {
        throw new UsageException("no responder credentials at " + p + " (--in-process needs --server-credentials DIR|FILE)");
      }
      creds = EdhocService.loadCredentials(c);
    } catch (UsageException e) {
      throw e;
    } catch (Exception e) {
      throw new UsageException("cannot load responder credentials from " + p + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
    }
    try {
      EdhocConfig.Builder b = EdhocConfig.builder().methods(method).suites(suites).peers(creds.peers()).psks(creds.psks());
      creds.own().forEach(b::credential);
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  static List<Integer> ids(List<CipherSuite> suites) {
    List<Integer> out = new ArrayList<>();
    suites.forEach(s -> out.add(s.id()));
    return out;
  }
}
