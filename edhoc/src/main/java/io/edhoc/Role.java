package io.edhoc;

/** The two roles of RFC 9528. */
public enum Role {
  INITIATOR,
  RESPONDER
}
