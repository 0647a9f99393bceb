package io.edhoc;

import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.PskCredential;

/**
 * What a completed session authenticated with, kept for resumption (draft-ietf-lake-edhoc-psk
 * section 6: a resumption PSK stays associated with the original ID_CRED_I, ID_CRED_R, CRED_I and
 * CRED_R). For methods 0-3 the ID_CRED_x and CRED_x of the exchange; for method 4 the PSK entry
 * used, its CRED_I / CRED_R, and ID_CRED_PSK in place of both ID_CRED_x. Package-private: CRED_x of
 * a PSK entry may contain the PSK.
 */
final class SessionCredentials {
  final IdCred idCredI;
  final IdCred idCredR;
  final byte[] credI;
  final byte[] credR;
  final PskCredential psk;

  SessionCredentials(IdCred idCredI, IdCred idCredR, byte[] credI, byte[] credR, PskCredential psk) {
    this.idCredI = idCredI;
    this.idCredR = idCredR;
    this.credI = credI;
    this.credR = credR;
    this.psk = psk;
  }

  static SessionCredentials ofPsk(PskCredential psk, byte[] credI, byte[] credR) {
    return new SessionCredentials(psk.idCredPsk(), psk.idCredPsk(), credI, credR, psk);
  }
}
