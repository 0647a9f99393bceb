package io.edhoc.credentials;

/**
 * Finds and validates the peer's credential from a received ID_CRED_x. The EDHOC core calls it
 * while processing message_2 (initiator) or message_3 (responder), before verifying
 * Signature_or_MAC. By-reference forms are looked up; by-value forms are accepted only under the
 * resolver's policy (pinning, trust on first use, PKIX validation).
 *
 * <p>The core should call {@link #resolve(IdCred, CredentialUsage)} with the usage the method
 * asks of the peer (signature or static DH), so that X.509 key usage is checked against it.
 */
@FunctionalInterface
public interface CredentialResolver {
  /** Resolves without stating the usage; equivalent to {@code resolve(idCred, CredentialUsage.ANY)} for the stores of this module. */
  Credential resolve(IdCred idCred) throws CredentialException;

  /**
   * Resolves for a stated usage. The default calls {@link #resolve(IdCred)} and then checks that
   * the key type can serve the usage (WRONG_KEY_TYPE otherwise); the stores of this module also
   * check X.509 key usage (digitalSignature / keyAgreement). A resolver that returns null (not
   * known) gets null back, as from {@link #resolve(IdCred)}.
   */
  default Credential resolve(IdCred idCred, CredentialUsage usage) throws CredentialException {
    Credential c = resolve(idCred);
    if (c != null) {
      usage.checkKeyType(c);
    }
    return c;
  }
}
