package io.edhoc.cbor;

/** The kind of the next item, as far as EDHOC processing distinguishes them. */
public enum CborType {
  UNSIGNED,
  NEGATIVE,
  BYTES,
  TEXT,
  ARRAY,
  MAP,
  TAG,
  SIMPLE,
  FLOAT;

  public boolean isInteger() {
    return this == UNSIGNED || this == NEGATIVE;
  }
}
