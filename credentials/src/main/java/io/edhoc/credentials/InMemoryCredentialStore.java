package io.edhoc.credentials;

import io.edhoc.cose.CoseLabels;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The simplest resolver: a list of known peer credentials. By reference, kid and x5t are matched
 * against the stored credentials; by value, a credential is accepted only when the same CRED_x is
 * stored (pinned). Richer policies (trust on first use, PKIX) are in the stores of this module.
 */
public final class InMemoryCredentialStore implements CredentialResolver {
  private final List<Credential> known = new CopyOnWriteArrayList<>();

  public InMemoryCredentialStore add(Credential c) {
    known.add(c);
    return this;
  }

  public List<Credential> credentials() {
    return List.copyOf(known);
  }

  @Override
  public Credential resolve(IdCred id) throws CredentialException {
    switch (id.kind()) {
      case KID:
        for (Credential c : known) {
          if (c instanceof CcsCredential && Arrays.equals(((CcsCredential) c).kid(), id.kid())) {
            return c;
          }
        }
        throw new CredentialException(CredentialException.Reason.UNKNOWN, "no credential with " + id);
      case X5T:
        if (id.x5tAlgorithm() != CoseLabels.ALG_SHA256_64 && id.x5tAlgorithm() != CoseLabels.ALG_SHA256) {
          throw new CredentialException(CredentialException.Reason.UNKNOWN, "x5t hash algorithm " + id.x5tAlgorithm() + " not supported");
        }
        for (Credential c : known) {
          if (c instanceof X509Credential
              && MessageDigestEquality.equal(X509Credential.x5tHash(id.x5tAlgorithm(), ((X509Credential) c).der()), id.x5tHash())) {
            return c;
          }
        }
        throw new CredentialException(CredentialException.Reason.UNKNOWN, "no certificate with " + id);
      case KCCS:
        {
          byte[] ccs = id.valueBytes();
          for (Credential c : known) {
            if (Arrays.equals(c.cred(), ccs)) {
              return c;
            }
          }
          CcsCredential.parse(ccs); // MALFORMED beats REJECTED
          throw new CredentialException(CredentialException.Reason.REJECTED, "CCS by value is not pinned");
        }
      case X5CHAIN:
        {
          byte[] leaf = id.x5chain().get(0);
          for (Credential c : known) {
            if (c instanceof X509Credential && Arrays.equals(((X509Credential) c).der(), leaf)) {
              return c;
            }
          }
          X509Credential.parse(leaf);
          throw new CredentialException(CredentialException.Reason.REJECTED, "certificate by value is not pinned");
        }
      default:
        throw new CredentialException(CredentialException.Reason.UNKNOWN, "ID_CRED form " + id.kind() + " not supported by this store");
    }
  }

  /** Constant-time comparison of two public hashes (cheap, and avoids a timing question). */
  static final class MessageDigestEquality {
    static boolean equal(byte[] a, byte[] b) {
      return java.security.MessageDigest.isEqual(a, b);
    }
  }
}
