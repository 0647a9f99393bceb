package io.edhoc;

/** Why a handshake step failed: a stable category for logs and metrics, never secret. */
public enum Failure {
  /** Not a well-formed EDHOC message (CBOR, field types, lengths). */
  MALFORMED_MESSAGE,
  /** The peer's method is not accepted by this endpoint. */
  UNSUPPORTED_METHOD,
  /** Cipher suite negotiation: the selected suite is not acceptable (ERR_CODE 2). */
  WRONG_SELECTED_SUITE,
  /** The peer's ephemeral or static DH public key is invalid. */
  INVALID_PUBLIC_KEY,
  /** A referenced credential is not known (ERR_CODE 3). */
  UNKNOWN_CREDENTIAL,
  /** The peer's credential is known or sent by value but not accepted. */
  CREDENTIAL_REJECTED,
  /** Signature_or_MAC_2/3 did not verify. */
  AUTHENTICATION_FAILED,
  /** CIPHERTEXT_3/4 did not decrypt. */
  DECRYPTION_FAILED,
  /** A critical EAD item that is not understood, or EAD the application refused. */
  EAD_REJECTED,
  /** No own credential fits the method and suite. */
  NO_CREDENTIAL,
  /** The peer sent an EDHOC error message. */
  PEER_ERROR,
  /** A local failure (crypto provider, configuration). */
  INTERNAL
}
