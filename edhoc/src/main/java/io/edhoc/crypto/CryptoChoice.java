package io.edhoc.crypto;

import java.util.Locale;

/**
 * Which library does the public-key work of suites 0-3 (P-256 ECDH and ES256, X25519, Ed25519).
 * The other primitives do not depend on it: P-384, X448, Ed448, AES-CCM and SHAKE256 always run on
 * Bouncy Castle; SHA-2, HMAC/HKDF, AES-GCM and ChaCha20-Poly1305 on the JDK.
 */
public enum CryptoChoice {
  /** Conscrypt (BoringSSL) where its native library loads, else Bouncy Castle with a log line. */
  AUTO,
  /** Conscrypt (BoringSSL); fails when its native library does not load. */
  CONSCRYPT,
  /** Bouncy Castle only (pure Java). */
  BOUNCYCASTLE;

  /** The name used on the command line and in configuration: auto, conscrypt, bouncycastle. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses auto | conscrypt | bouncycastle (case-insensitive); a clear error otherwise. */
  public static CryptoChoice parse(String s) {
    if (s != null) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      for (CryptoChoice c : values()) {
        if (c.id().equals(t)) {
          return c;
        }
      }
      if (t.equals("bc") || t.equals("bouncy-castle")) {
        return BOUNCYCASTLE;
      }
    }
    throw new IllegalArgumentException("unknown crypto provider '" + s + "': use auto, conscrypt or bouncycastle");
  }
}
