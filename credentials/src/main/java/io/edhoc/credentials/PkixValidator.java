package io.edhoc.credentials;

import java.io.ByteArrayInputStream;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * PKIX validation (RFC 5280) of an X.509 chain received as x5chain or referenced by x5t, with
 * the JDK's "PKIX" CertPathValidator (which verifies Ed25519, Ed448, ECDSA P-256 and P-384
 * signatures on JDK 17): signatures up to a configured trust anchor, validity at the injected
 * clock's time, basic constraints and path length, CA key usage, optional CRLs, and then the
 * leaf's key usage for the EDHOC method.
 *
 * <p>Every rejection is a {@link CredentialException} with reason REJECTED (MALFORMED for
 * unparsable certificates) whose message starts with the cause: "certificate expired",
 * "certificate not yet valid", "unknown root", "missing intermediate", "intermediate is not a CA",
 * "path length constraint exceeded", "signature invalid", "certificate revoked", "revocation
 * status unknown", "key usage lacks digitalSignature", "key usage lacks keyAgreement",
 * "x5chain out of order", "no trust anchors configured".
 *
 * <p>Thread-safe and immutable.
 */
public final class PkixValidator {
  private final List<X509Certificate> anchorCerts;
  private final Set<TrustAnchor> anchors;
  private final List<X509Certificate> intermediates;
  private final List<X509CRL> crls;
  private final Clock clock;
  private final boolean requireKeyUsage;

  private PkixValidator(Builder b) {
    this.anchorCerts = List.copyOf(b.anchors);
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate c : anchorCerts) {
      a.add(new TrustAnchor(c, null));
    }
    this.anchors = Collections.unmodifiableSet(a);
    this.intermediates = List.copyOf(b.intermediates);
    this.crls = List.copyOf(b.crls);
    this.clock = b.clock;
    this.requireKeyUsage = b.requireKeyUsage;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures a validator. */
  public static final class Builder {
    private final List<X509Certificate> anchors = new ArrayList<>();
    private final List<X509Certificate> intermediates = new ArrayList<>();
    private final List<X509CRL> crls = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private boolean requireKeyUsage;

    private Builder() {}

    /** A trust anchor (usually a self-signed root) as DER. */
    public Builder trustAnchor(byte[] der) throws CredentialException {
      anchors.add(toX509(der, "trust anchor"));
      return this;
    }

    public Builder trustAnchor(X509Certificate c) {
      anchors.add(Objects.requireNonNull(c));
      return this;
    }

    /** An intermediate CA certificate the peer may leave out of its x5chain. Not trusted by itself. */
    public Builder intermediate(byte[] der) throws CredentialException {
      intermediates.add(toX509(der, "intermediate"));
      return this;
    }

    /**
     * A CRL (DER). Once any CRL is configured, revocation is checked for every certificate of a
     * path and each issuing CA must have a CRL here ("revocation status unknown" otherwise).
     */
    public Builder crl(byte[] der) throws CredentialException {
      try {
        crls.add((X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der)));
      } catch (CertificateException | java.security.cert.CRLException | ClassCastException e) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "not an X.509 CRL: " + e.getClass().getSimpleName());
      }
      return this;
    }

    public Builder crl(X509CRL crl) {
      crls.add(Objects.requireNonNull(crl));
      return this;
    }

    /** The time of validation (validity of every certificate and CRL); default the system clock. */
    public Builder clock(Clock c) {
      clock = Objects.requireNonNull(c);
      return this;
    }

    /** Rejects a leaf without a key usage extension (default false: absent means any use). */
    public Builder requireKeyUsage(boolean require) {
      requireKeyUsage = require;
      return this;
    }

    public PkixValidator build() {
      return new PkixValidator(this);
    }
  }

  /** The trust anchors' DER encodings. */
  public List<byte[]> trustAnchors() {
    List<byte[]> r = new ArrayList<>();
    for (X509Certificate c : anchorCerts) {
      try {
        r.add(c.getEncoded());
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    return r;
  }

  public boolean hasTrustAnchors() {
    return !anchorCerts.isEmpty();
  }

  /** A copy with another clock. */
  public PkixValidator withClock(Clock c) {
    Builder b = builder().clock(c).requireKeyUsage(requireKeyUsage);
    b.anchors.addAll(anchorCerts);
    b.intermediates.addAll(intermediates);
    b.crls.addAll(crls);
    return b.build();
  }

  static X509Certificate toX509(byte[] der, String what) throws CredentialException {
    try {
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
      if (!Arrays.equals(c.getEncoded(), der)) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, what + " is not a single DER certificate");
      }
      return c;
    } catch (CertificateException | ClassCastException e) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, what + " is not an X.509 certificate: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Validates a chain (leaf first, as in x5chain; the trust anchor may be included or left out)
   * for a usage, and returns the leaf as a credential whose x5chain is the chain as received.
   */
  public X509Credential validate(List<byte[]> chainDer, CredentialUsage usage) throws CredentialException {
    X509Credential leafCred = X509Credential.parseChain(chainDer);
    if (anchors.isEmpty()) {
      throw new CredentialException(CredentialException.Reason.REJECTED, "no trust anchors configured (" + leafCred.describe() + ")");
    }
    List<X509Certificate> chain = new ArrayList<>();
    for (int i = 0; i < chainDer.size(); i++) {
      chain.add(toX509(chainDer.get(i), "certificate " + i + " of the chain"));
    }
    // A trust anchor sent along (usually the root at the end) is not part of the path.
    while (chain.size() > 1 && isAnchor(chain.get(chain.size() - 1))) {
      chain.remove(chain.size() - 1);
    }
    if (chain.size() == 1 && isAnchor(chain.get(0))) {
      throw new CredentialException(CredentialException.Reason.REJECTED, "a trust anchor is not a peer credential (" + leafCred.describe() + ")");
    }
    for (int i = 0; i + 1 < chain.size(); i++) {
      if (!chain.get(i).getIssuerX500Principal().equals(chain.get(i + 1).getSubjectX500Principal())) {
        throw new CredentialException(
            CredentialException.Reason.REJECTED,
            "x5chain out of order: certificate " + i + " (" + name(chain.get(i)) + ") is not issued by certificate " + (i + 1) + " ("
                + name(chain.get(i + 1)) + ")");
      }
    }
    // Complete the path with configured intermediates until an anchor issues its top.
    for (int guard = 0; guard < 16; guard++) {
      X509Certificate top = chain.get(chain.size() - 1);
      X500Principal issuer = top.getIssuerX500Principal();
      if (anchorFor(issuer)) {
        break;
      }
      if (issuer.equals(top.getSubjectX500Principal())) {
        throw new CredentialException(CredentialException.Reason.REJECTED, "unknown root (" + name(top) + " is self-issued and not a trust anchor)");
      }
      X509Certificate next = null;
      for (X509Certificate c : intermediates) {
        if (c.getSubjectX500Principal().equals(issuer) && !chain.contains(c)) {
          next = c;
          break;
        }
      }
      if (next == null) {
        throw new CredentialException(
            CredentialException.Reason.REJECTED,
            "missing intermediate (or unknown root): no certificate for issuer " + issuer.getName() + " of " + name(top)
                + " in the chain, the configured intermediates or the trust anchors");
      }
      chain.add(next);
    }
    checkAnchorPathLength(chain);
    Date at = Date.from(clock.instant());
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      CertPath path = cf.generateCertPath(chain);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setDate(at);
      CertPathValidator validator = CertPathValidator.getInstance("PKIX");
      if (crls.isEmpty()) {
        params.setRevocationEnabled(false);
      } else {
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
        PKIXRevocationChecker rc = (PKIXRevocationChecker) validator.getRevocationChecker();
        rc.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK));
        params.setRevocationEnabled(true);
        params.addCertPathChecker(rc);
      }
      validator.validate(path, params);
    } catch (CertPathValidatorException e) {
      throw new CredentialException(CredentialException.Reason.REJECTED, explain(e, chain), e);
    } catch (CertificateException | NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
      throw new CredentialException(CredentialException.Reason.REJECTED, "PKIX validation could not run: " + e.getClass().getSimpleName());
    }
    leafCred.checkKeyUsage(usage, requireKeyUsage);
    return leafCred;
  }

  /**
   * RFC 5280 path processing starts below the trust anchor and ignores the anchor's own basic
   * constraints; like RFC 5937 this validator enforces the anchor's pathLenConstraint too.
   */
  private void checkAnchorPathLength(List<X509Certificate> chain) throws CredentialException {
    X500Principal issuer = chain.get(chain.size() - 1).getIssuerX500Principal();
    int intermediatesBelowAnchor = 0;
    for (int i = 1; i < chain.size(); i++) {
      if (!chain.get(i).getIssuerX500Principal().equals(chain.get(i).getSubjectX500Principal())) {
        intermediatesBelowAnchor++;
      }
    }
    boolean withinSomeAnchor = false;
    for (X509Certificate a : anchorCerts) {
      if (a.getSubjectX500Principal().equals(issuer)) {
        int limit = a.getBasicConstraints(); // -1: not a CA, Integer.MAX_VALUE: no limit
        if (limit < 0 || intermediatesBelowAnchor <= limit) {
          withinSomeAnchor = true;
        }
      }
    }
    if (!withinSomeAnchor) {
      throw new CredentialException(
          CredentialException.Reason.REJECTED,
          "path length constraint exceeded (trust anchor " + issuer.getName() + " allows fewer than " + intermediatesBelowAnchor + " intermediates)");
    }
  }

  private boolean isAnchor(X509Certificate c) {
    return anchorCerts.contains(c);
  }

  private boolean anchorFor(X500Principal issuer) {
    for (X509Certificate a : anchorCerts) {
      if (a.getSubjectX500Principal().equals(issuer)) {
        return true;
      }
    }
    return false;
  }

  private static String name(X509Certificate c) {
    return c.getSubjectX500Principal().getName();
  }

  private static String explain(CertPathValidatorException e, List<X509Certificate> chain) {
    int i = e.getIndex();
    String who = i >= 0 && i < chain.size() ? " (" + (i == 0 ? "leaf " : "certificate " + i + " ") + name(chain.get(i)) + ")" : "";
    CertPathValidatorException.Reason r = e.getReason();
    if (r == CertPathValidatorException.BasicReason.EXPIRED) {
      return "certificate expired" + who;
    } else if (r == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
      return "certificate not yet valid" + who;
    } else if (r == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
      return "signature invalid" + who;
    } else if (r == CertPathValidatorException.BasicReason.REVOKED) {
      return "certificate revoked" + who;
    } else if (r == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
      return "revocation status unknown" + who + ": no valid CRL from its issuer";
    } else if (r == CertPathValidatorException.BasicReason.ALGORITHM_CONSTRAINED) {
      return "algorithm not allowed" + who;
    } else if (r == PKIXReason.NOT_CA_CERT) {
      return "intermediate is not a CA" + who;
    } else if (r == PKIXReason.PATH_TOO_LONG) {
      return "path length constraint exceeded" + who;
    } else if (r == PKIXReason.INVALID_KEY_USAGE) {
      return "CA key usage lacks keyCertSign" + who;
    } else if (r == PKIXReason.NO_TRUST_ANCHOR) {
      return "unknown root" + who;
    } else if (r == PKIXReason.NAME_CHAINING) {
      return "x5chain out of order" + who;
    } else if (r == PKIXReason.UNRECOGNIZED_CRIT_EXT) {
      return "unrecognized critical extension" + who;
    }
    return "PKIX validation failed" + who + ": " + e.getMessage();
  }
}
