package io.edhoc.credentials;

/**
 * Finds the PSK entry named by a received ID_CRED_PSK (method 4, responder processing message_3).
 * An unknown ID_CRED_PSK is a CredentialException with reason UNKNOWN (ERR_CODE 3).
 */
@FunctionalInterface
public interface PskResolver {
  PskCredential resolvePsk(IdCred idCredPsk) throws CredentialException;
}
