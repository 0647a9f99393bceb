package io.edhoc.cbor;

/** Malformed, non-deterministic or unexpected CBOR. The message names the problem, never the content. */
public class CborException extends Exception {
  private static final long serialVersionUID = 1L;

  public CborException(String message) {
    super(message);
  }
}
