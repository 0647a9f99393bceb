package io.edhoc;

import io.edhoc.cose.CoseCurve;
import io.edhoc.credentials.CredentialResolver;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.PskCredential;
import io.edhoc.credentials.PskResolver;
import io.edhoc.crypto.CryptoProvider;
import io.edhoc.crypto.DefaultCrypto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The immutable configuration of one EDHOC endpoint: suites in preference order, methods, own
 * credentials, the peer credential resolver, connection identifier allocation and EAD handling.
 */
public final class EdhocConfig {
  private final List<CipherSuite> suites;
  private final List<Method> methods;
  private final List<OwnCredential> credentials;
  private final CredentialResolver peers;
  private final ConnectionIdAllocator connectionIds;
  private final EadHandler ead;
  private final CryptoProvider crypto;
  private final TestHooks testHooks;
  private final List<PskCredential> psks;
  private final PskResolver pskResolver;

  private EdhocConfig(Builder b) {
    this.suites = Collections.unmodifiableList(new ArrayList<>(b.suites));
    this.methods = Collections.unmodifiableList(new ArrayList<>(b.methods));
    this.credentials = Collections.unmodifiableList(new ArrayList<>(b.credentials));
    this.peers = b.peers;
    this.crypto = b.crypto != null ? b.crypto : DefaultCrypto.get();
    this.connectionIds = b.connectionIds != null ? b.connectionIds : ConnectionIdAllocator.random(this.crypto.random());
    this.ead = b.ead != null ? b.ead : EadHandler.NONE;
    this.testHooks = b.testHooks;
    this.psks = Collections.unmodifiableList(new ArrayList<>(b.psks));
    this.pskResolver = b.pskResolver != null ? b.pskResolver : psks.isEmpty() ? null : new OwnPskResolver(psks);
  }

  /** A copy of {@code c} with another allocator; everything else (immutable) is shared. */
  private EdhocConfig(EdhocConfig c, ConnectionIdAllocator connectionIds) {
    this.suites = c.suites;
    this.methods = c.methods;
    this.credentials = c.credentials;
    this.peers = c.peers;
    this.crypto = c.crypto;
    this.connectionIds = connectionIds;
    this.ead = c.ead;
    this.testHooks = c.testHooks;
    this.psks = c.psks;
    this.pskResolver = c.pskResolver;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * This configuration with {@code connectionIds} as its allocator, for one handshake (a server
   * that tracks the identifiers each handshake allocated): one small object, where
   * {@code toBuilder().connectionIds(a).build()} copies and checks every list again.
   */
  public EdhocConfig withConnectionIds(ConnectionIdAllocator connectionIds) {
    return new EdhocConfig(this, Objects.requireNonNull(connectionIds, "connectionIds"));
  }

  /** A builder pre-filled with this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.suites.addAll(suites);
    b.methods.addAll(methods);
    b.credentials.addAll(credentials);
    b.peers = peers;
    b.connectionIds = connectionIds;
    b.ead = ead;
    b.crypto = crypto;
    b.testHooks = testHooks;
    b.psks.addAll(psks);
    b.pskResolver = pskResolver instanceof OwnPskResolver ? null : pskResolver;
    return b;
  }

  /** Supported cipher suites, most preferred first. */
  public List<CipherSuite> suites() {
    return suites;
  }

  /** Accepted methods (responder); the first is the one an initiator uses. */
  public List<Method> methods() {
    return methods;
  }

  public List<OwnCredential> credentials() {
    return credentials;
  }

  public CredentialResolver peers() {
    return peers;
  }

  public ConnectionIdAllocator connectionIds() {
    return connectionIds;
  }

  public EadHandler ead() {
    return ead;
  }

  public CryptoProvider crypto() {
    return crypto;
  }

  TestHooks testHooks() {
    return testHooks;
  }

  /**
   * Own PSK entries for method 4 (draft-ietf-lake-edhoc-psk). An Initiator presents the first
   * (unless {@link Edhoc#initiator(EdhocConfig, PskCredential)} names another); a Responder
   * without a {@link #pskResolver()} of its own looks received ID_CRED_PSKs up among them.
   */
  public List<PskCredential> pskCredentials() {
    return psks;
  }

  /**
   * How a Responder finds the PSK entries for a received ID_CRED_PSK: the configured resolver, or
   * one over {@link #pskCredentials()} (every entry with that ID_CRED_PSK is a candidate), or null
   * when neither is configured.
   */
  public PskResolver pskResolver() {
    return pskResolver;
  }

  /** Candidates among own entries, in configuration order. */
  private static final class OwnPskResolver implements PskResolver {
    private final List<PskCredential> entries;

    OwnPskResolver(List<PskCredential> entries) {
      this.entries = entries;
    }

    @Override
    public PskCredential resolvePsk(IdCred idCredPsk) {
      List<PskCredential> all = resolvePsks(idCredPsk);
      return all.isEmpty() ? null : all.get(0);
    }

    @Override
    public List<PskCredential> resolvePsks(IdCred idCredPsk) {
      List<PskCredential> r = new ArrayList<>();
      for (PskCredential p : entries) {
        if (p.idCredPsk().equals(idCredPsk) && !p.isDestroyed()) {
          r.add(p);
        }
      }
      return r;
    }
  }

  /**
   * The own credential for a role in a method and suite: a signature key on the suite's signature
   * curve when this side signs, a static DH key on the suite's DH curve otherwise. Null if none.
   */
  public OwnCredential credentialFor(Role role, Method method, CipherSuite suite) {
    boolean signs = role == Role.INITIATOR ? method.initiatorSigns() : method.responderSigns();
    CoseCurve wanted = signs ? suite.signatureCurve() : suite.dhCurve();
    for (OwnCredential c : credentials) {
      if (c.credential().publicKey().curve() == wanted) {
        return c;
      }
    }
    return null;
  }

  /** Builder; {@link #build()} checks consistency. */
  public static final class Builder {
    private final List<CipherSuite> suites = new ArrayList<>();
    private final List<Method> methods = new ArrayList<>();
    private final List<OwnCredential> credentials = new ArrayList<>();
    private CredentialResolver peers;
    private ConnectionIdAllocator connectionIds;
    private EadHandler ead;
    private CryptoProvider crypto;
    private TestHooks testHooks;
    private final List<PskCredential> psks = new ArrayList<>();
    private PskResolver pskResolver;

    private Builder() {}

    /** Supported suites, most preferred first (replaces any earlier list). */
    public Builder suites(CipherSuite... s) {
      suites.clear();
      suites.addAll(Arrays.asList(s));
      return this;
    }

    public Builder suites(List<CipherSuite> s) {
      suites.clear();
      suites.addAll(s);
      return this;
    }

    /** Methods (replaces any earlier list). Method 4 (PSK) must be listed explicitly to be enabled. */
    public Builder methods(Method... m) {
      methods.clear();
      methods.addAll(Arrays.asList(m));
      return this;
    }

    public Builder methods(List<Method> m) {
      methods.clear();
      methods.addAll(m);
      return this;
    }

    /** Adds an own credential; the first that fits a method and suite is used. */
    public Builder credential(OwnCredential c) {
      credentials.add(Objects.requireNonNull(c));
      return this;
    }

    public Builder peers(CredentialResolver resolver) {
      this.peers = resolver;
      return this;
    }

    public Builder connectionIds(ConnectionIdAllocator allocator) {
      this.connectionIds = allocator;
      return this;
    }

    public Builder ead(EadHandler handler) {
      this.ead = handler;
      return this;
    }

    public Builder crypto(CryptoProvider provider) {
      this.crypto = provider;
      return this;
    }

    /**
     * Adds an own PSK entry for method 4 (the Initiator presents the first). Method 4 stays
     * disabled unless {@link #methods} lists {@link Method#PSK}.
     */
    public Builder psk(PskCredential entry) {
      psks.add(Objects.requireNonNull(entry));
      return this;
    }

    /** Own PSK entries (replaces any earlier list), e.g. the current resumption PSK. */
    public Builder psks(List<PskCredential> entries) {
      psks.clear();
      psks.addAll(entries);
      return this;
    }

    /**
     * Responder, method 4: finds the candidate PSK entries for a received ID_CRED_PSK ({@link
     * PskResolver#resolvePsks}); unknown gives ERR_CODE 3. Without one, own entries are searched.
     */
    public Builder pskResolver(PskResolver resolver) {
      this.pskResolver = resolver;
      return this;
    }

    /** Test-only inputs; see {@link TestHooks}. */
    public Builder testHooks(TestHooks hooks) {
      this.testHooks = hooks;
      return this;
    }

    public EdhocConfig build() {
      if (suites.isEmpty()) {
        throw new IllegalArgumentException("at least one cipher suite is required");
      }
      if (methods.isEmpty()) {
        throw new IllegalArgumentException("at least one method is required");
      }
      if (suites.size() != suites.stream().distinct().count()) {
        throw new IllegalArgumentException("cipher suites listed twice");
      }
      if (peers == null && !methods.stream().allMatch(Method::isPsk)) {
        throw new IllegalArgumentException("a peer credential resolver is required");
      }
      return new EdhocConfig(this);
    }
  }

  @Override
  public String toString() {
    return "EdhocConfig[suites=" + suites + ", methods=" + methods + ", credentials=" + credentials + (psks.isEmpty() ? "" : ", psks=" + psks) + "]";
  }
}
