package io.edhoc.cbor;

/** A tagged item in a decoded value tree. */
public record CborTag(long tag, Object content) {}
