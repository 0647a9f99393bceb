package io.edhoc;

import java.security.MessageDigest;
import java.util.Arrays;

/** Wiping and constant-time comparison of secret byte arrays. */
final class Secrets {
  private Secrets() {}

  static void wipe(byte[]... arrays) {
    for (byte[] a : arrays) {
      if (a != null) {
        Arrays.fill(a, (byte) 0);
      }
    }
  }

  /** Constant-time equality (for MACs). */
  static boolean equal(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }
}
