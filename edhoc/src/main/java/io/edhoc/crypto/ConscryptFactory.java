package io.edhoc.crypto;

import java.security.Provider;

/**
 * Makes the Conscrypt-backed primitives. {@link DefaultCrypto} calls it only after {@link
 * ConscryptSupport} found Conscrypt usable, so the classes that name {@code org.conscrypt} types
 * are never loaded when the jar is absent. Returns null where a primitive cannot be set up (that
 * primitive then stays on Bouncy Castle).
 */
final class ConscryptFactory {
  private ConscryptFactory() {}

  static KeyExchange x25519(Provider p) {
    try {
      return new ConscryptXdhKeyExchange(p);
    } catch (LinkageError | RuntimeException e) {
      return null;
    }
  }

  /** The shared P-256 support (an opaque Object to DefaultCrypto), or null. */
  static Object p256(Provider p) {
    try {
      return new ConscryptP256(p);
    } catch (LinkageError | RuntimeException e) {
      return null;
    }
  }

  static KeyExchange ecdh(Object p256) {
    return new ConscryptEcKeyExchange((ConscryptP256) p256);
  }

  static Signer es256(Object p256) {
    return new ConscryptEcdsaSigner((ConscryptP256) p256);
  }

  static Signer ed25519(Provider p) {
    try {
      return new ConscryptEdDsaSigner(p);
    } catch (LinkageError | RuntimeException e) {
      return null;
    }
  }
}
