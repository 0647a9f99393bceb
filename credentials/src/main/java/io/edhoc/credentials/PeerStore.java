package io.edhoc.credentials;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseLabels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The peers an endpoint trusts, and the policy for credentials received by value. It is the
 * {@link CredentialResolver} (and {@link PskResolver}) to hand to the EDHOC core.
 *
 * <ul>
 *   <li>By reference: kid is looked up among the pinned CCS; x5t (SHA-256/64 or SHA-256) among the
 *       pinned certificates and then among the known chains, which are PKIX-validated at each use.
 *       Not found: UNKNOWN (ERR_CODE 3).
 *   <li>kccs by value: accepted when a pinned CCS has the same public key; otherwise, only with
 *       trust on first use switched on, accepted once and pinned (in memory and, when configured,
 *       as a file), unless its sub or kid already belongs to a pinned CCS with another key.
 *   <li>x5chain by value: accepted when its leaf is a pinned certificate, or when the chain passes
 *       PKIX validation against the trust anchors ({@link PkixValidator}); a chain that passed is
 *       remembered so that later x5t references to its leaf resolve (validated again each time).
 *   <li>Every credential is checked at the store clock's time: exp/nbf of a CCS, the validity of a
 *       certificate, and the X.509 key usage for the {@link CredentialUsage} stated by the caller.
 * </ul>
 *
 * <p>Thread-safe. Rejections are {@link CredentialException}s whose message names the reason and
 * the credential (never key material); the store logs TOFU decisions through {@link
 * org.slf4j.Logger} "io.edhoc.credentials".
 */
public final class PeerStore implements CredentialResolver, PskResolver {
  private static final Logger LOG = LoggerFactory.getLogger("io.edhoc.credentials");
  private static final int MAX_LEARNED_CHAINS = 1024;

  private final Clock clock;
  private final PkixValidator pkix;
  private final boolean tofu;
  private final Path tofuDirectory;
  private final boolean requireKeyUsage;
  private final List<CcsCredential> pinnedCcs = new CopyOnWriteArrayList<>();
  private final List<X509Credential> pinnedCerts = new CopyOnWriteArrayList<>();
  private final List<List<byte[]>> knownChains = new CopyOnWriteArrayList<>();
  private final Map<String, List<byte[]>> learnedChains = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<byte[]>> e) {
      return size() > MAX_LEARNED_CHAINS;
    }
  };
  private final List<PskCredential> psks = new CopyOnWriteArrayList<>();

  private PeerStore(Builder b) {
    this.clock = b.clock;
    this.pkix = (b.pkix != null ? b.pkix : PkixValidator.builder().build()).withClock(b.clock);
    this.tofu = b.tofu;
    this.tofuDirectory = b.tofuDirectory;
    this.requireKeyUsage = b.requireKeyUsage;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Policy and environment of a store. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private PkixValidator pkix;
    private boolean tofu;
    private Path tofuDirectory;
    private boolean requireKeyUsage;

    private Builder() {}

    /** The time used for exp/nbf, certificate validity and CRLs (also given to the PKIX validator). */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    /** Trust anchors, intermediates and CRLs for x5chain / x5t (default: none, so no chain is accepted). */
    public Builder pkix(PkixValidator v) {
      this.pkix = v;
      return this;
    }

    /** Trust on first use for CCS by value (default off). */
    public Builder trustOnFirstUse(boolean on) {
      this.tofu = on;
      return this;
    }

    /** Where CCS accepted on first use are written (one file per CCS); null keeps them in memory only. */
    public Builder tofuDirectory(Path dir) {
      this.tofuDirectory = dir;
      return this;
    }

    /** Rejects pinned certificates without a key usage extension (default false). */
    public Builder requireKeyUsage(boolean r) {
      this.requireKeyUsage = r;
      return this;
    }

    public PeerStore build() {
      return new PeerStore(this);
    }
  }

  /** Pins a peer credential (CCS or X.509): trusted as it is, without PKIX. */
  public PeerStore pin(Credential c) {
    if (c instanceof CcsCredential) {
      pinnedCcs.add((CcsCredential) c);
    } else if (c instanceof X509Credential) {
      pinnedCerts.add((X509Credential) c);
    } else {
      throw new IllegalArgumentException("cannot pin " + c.getClass().getSimpleName());
    }
    return this;
  }

  /**
   * A peer's certificate chain (leaf first) that x5t may reference; it is trusted only through
   * PKIX validation against the trust anchors, at each use.
   */
  public PeerStore addChain(List<byte[]> chain) throws CredentialException {
    X509Credential.parseChain(chain);
    List<byte[]> copy = new ArrayList<>();
    for (byte[] c : chain) {
      copy.add(c.clone());
    }
    knownChains.add(List.copyOf(copy));
    return this;
  }

  public PeerStore addPsk(PskCredential p) {
    psks.add(Objects.requireNonNull(p));
    return this;
  }

  /** The pinned credentials (CCS, including those accepted on first use, and certificates). */
  public List<Credential> pinned() {
    List<Credential> r = new ArrayList<>(pinnedCcs);
    r.addAll(pinnedCerts);
    return r;
  }

  public PkixValidator pkix() {
    return pkix;
  }

  public boolean trustOnFirstUse() {
    return tofu;
  }

  @Override
  public Credential resolve(IdCred id) throws CredentialException {
    return resolve(id, CredentialUsage.ANY);
  }

  @Override
  public Credential resolve(IdCred id, CredentialUsage usage) throws CredentialException {
    Objects.requireNonNull(usage, "usage");
    switch (id.kind()) {
      case KID:
        return byKid(id, usage);
      case X5T:
        return byX5t(id, usage);
      case KCCS:
        return byCcsValue(id.valueBytes(), usage);
      case X5CHAIN:
        return byX5chain(id.x5chain(), usage);
      case KCWT:
        throw new CredentialException(CredentialException.Reason.REJECTED, "kcwt (CWT by value) is not supported by this store");
      default:
        throw new CredentialException(CredentialException.Reason.UNKNOWN, "ID_CRED form " + id.kind() + " is not supported");
    }
  }

  private Credential byKid(IdCred id, CredentialUsage usage) throws CredentialException {
    byte[] kid = id.kid();
    CredentialException wrongType = null;
    for (CcsCredential c : pinnedCcs) {
      if (Arrays.equals(c.kid(), kid)) {
        try {
          usage.checkKeyType(c);
        } catch (CredentialException e) {
          wrongType = e;
          continue;
        }
        c.checkValidity(clock.instant());
        return c;
      }
    }
    if (wrongType != null) {
      throw wrongType;
    }
    throw new CredentialException(CredentialException.Reason.UNKNOWN, "no credential with " + id);
  }

  private Credential byX5t(IdCred id, CredentialUsage usage) throws CredentialException {
    long alg = id.x5tAlgorithm();
    if (alg != CoseLabels.ALG_SHA256_64 && alg != CoseLabels.ALG_SHA256) {
      throw new CredentialException(CredentialException.Reason.UNKNOWN, "x5t hash algorithm " + alg + " is not supported (-15 and -16 are)");
    }
    byte[] hash = id.x5tHash();
    for (X509Credential c : pinnedCerts) {
      if (MessageDigest.isEqual(X509Credential.x5tHash(alg, c.der()), hash)) {
        c.checkValidity(clock.instant());
        c.checkKeyUsage(usage, requireKeyUsage);
        return c.withX5tAlgorithm(alg);
      }
    }
    List<List<byte[]>> candidates = new ArrayList<>(knownChains);
    synchronized (learnedChains) {
      candidates.addAll(learnedChains.values());
    }
    for (List<byte[]> chain : candidates) {
      if (MessageDigest.isEqual(X509Credential.x5tHash(alg, chain.get(0)), hash)) {
        return pkix.validate(chain, usage).withX5tAlgorithm(alg);
      }
    }
    throw new CredentialException(CredentialException.Reason.UNKNOWN, "no certificate with " + id);
  }

  private Credential byCcsValue(byte[] ccs, CredentialUsage usage) throws CredentialException {
    CcsCredential received = CcsCredential.parse(ccs);
    usage.checkKeyType(received);
    received.checkValidity(clock.instant());
    synchronized (this) {
      for (CcsCredential p : pinnedCcs) {
        if (p.publicKey().equals(received.publicKey())) {
          p.checkValidity(clock.instant());
          return received;
        }
      }
      for (CcsCredential p : pinnedCcs) {
        boolean sameSub = p.subject() != null && p.subject().equals(received.subject());
        boolean sameKid = p.kid() != null && Arrays.equals(p.kid(), received.kid());
        if (sameSub || sameKid) {
          throw new CredentialException(
              CredentialException.Reason.REJECTED,
              "CCS by value conflicts with a pinned credential (" + (sameSub ? "sub " + p.subject() : IdCred.kid(p.kid()).toString())
                  + " is pinned to another key): " + received.describe());
        }
      }
      if (!tofu) {
        throw new CredentialException(
            CredentialException.Reason.REJECTED, "CCS by value is not pinned and trust-on-first-use is off: " + received.describe());
      }
      pinnedCcs.add(received);
      LOG.info("trust on first use: pinned {}", received.describe());
      persist(received);
      return received;
    }
  }

  private void persist(CcsCredential c) {
    if (tofuDirectory == null) {
      return;
    }
    try {
      byte[] raw = c.cred();
      String name = "tofu-" + Hex.encode(Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(raw), 8)) + ".ccs";
      Files.createDirectories(tofuDirectory);
      Path tmp = Files.createTempFile(tofuDirectory, ".tofu", ".tmp");
      Files.write(tmp, raw);
      Files.move(tmp, tofuDirectory.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      LOG.warn("trust on first use: could not write {} to {}: {}", c.describe(), tofuDirectory, e.toString());
    }
  }

  private Credential byX5chain(List<byte[]> chain, CredentialUsage usage) throws CredentialException {
    X509Credential received = X509Credential.parseChain(chain);
    for (X509Credential p : pinnedCerts) {
      if (Arrays.equals(p.der(), received.der())) {
        received.checkValidity(clock.instant());
        received.checkKeyUsage(usage, requireKeyUsage);
        return received;
      }
    }
    if (!pkix.hasTrustAnchors()) {
      throw new CredentialException(
          CredentialException.Reason.REJECTED, "certificate by value is not pinned and no trust anchors are configured: " + received.describe());
    }
    X509Credential ok = pkix.validate(chain, usage);
    synchronized (learnedChains) {
      learnedChains.put(Hex.encode(X509Credential.x5tHash(CoseLabels.ALG_SHA256, ok.der())), ok.chain());
    }
    return ok;
  }

  @Override
  public PskCredential resolvePsk(IdCred id) throws CredentialException {
    for (PskCredential p : psks) {
      if (p.idCredPsk().equals(id) && !p.isDestroyed()) {
        return p;
      }
    }
    throw new CredentialException(CredentialException.Reason.UNKNOWN, "no PSK with ID_CRED_PSK " + id);
  }

  /** Every PSK entry with this ID_CRED_PSK, in the order they were added. */
  @Override
  public List<PskCredential> resolvePsks(IdCred id) throws CredentialException {
    List<PskCredential> r = new ArrayList<>();
    for (PskCredential p : psks) {
      if (p.idCredPsk().equals(id) && !p.isDestroyed()) {
        r.add(p);
      }
    }
    if (r.isEmpty()) {
      throw new CredentialException(CredentialException.Reason.UNKNOWN, "no PSK with ID_CRED_PSK " + id);
    }
    return r;
  }

  @Override
  public String toString() {
    return "PeerStore[" + pinnedCcs.size() + " CCS, " + pinnedCerts.size() + " certificates, " + knownChains.size() + " chains, " + psks.size()
        + " PSKs, " + (pkix.hasTrustAnchors() ? pkix.trustAnchors().size() + " trust anchors" : "no trust anchors") + ", TOFU "
        + (tofu ? "on" : "off") + "]";
  }
}
