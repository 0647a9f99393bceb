package io.edhoc.credentials;

import java.util.List;

/**
 * Finds the PSK entry named by a received ID_CRED_PSK (method 4, responder processing message_3).
 * An unknown ID_CRED_PSK is a CredentialException with reason UNKNOWN (ERR_CODE 3).
 */
@FunctionalInterface
public interface PskResolver {
  PskCredential resolvePsk(IdCred idCredPsk) throws CredentialException;

  /**
   * Every candidate entry for a received ID_CRED_PSK, in the order to try them
   * (draft-ietf-lake-edhoc-psk section 3.1.1: one ID_CRED_PSK may name several PSKs; the
   * Responder tries each and fails only when all fail). The default wraps {@link
   * #resolvePsk(IdCred)}: one candidate, or none when it returns null. An empty list or a
   * CredentialException with reason UNKNOWN means the ID_CRED_PSK is unknown (ERR_CODE 3).
   */
  default List<PskCredential> resolvePsks(IdCred idCredPsk) throws CredentialException {
    PskCredential one = resolvePsk(idCredPsk);
    return one == null ? List.of() : List.of(one);
  }
}
