package io.edhoc.credentials;

/**
 * Finds and validates the peer's credential from a received ID_CRED_x. The EDHOC core calls it
 * while processing message_2 (initiator) or message_3 (responder), before verifying
 * Signature_or_MAC. By-reference forms are looked up; by-value forms are accepted only under the
 * resolver's policy (pinning, trust on first use, PKIX validation).
 */
@FunctionalInterface
public interface CredentialResolver {
  Credential resolve(IdCred idCred) throws CredentialException;
}
