package io.edhoc.cbor;

/** A simple value other than false, true and null in a decoded value tree. */
public record CborSimple(int value) {}
