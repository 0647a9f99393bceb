package io.edhoc.cbor;

/** Lower-case hexadecimal, for tests, vectors and diagnostics of non-secret values only. */
public final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  public static String encode(byte[] b) {
    char[] c = new char[b.length * 2];
    for (int i = 0; i < b.length; i++) {
      c[2 * i] = DIGITS[(b[i] >>> 4) & 0xf];
      c[2 * i + 1] = DIGITS[b[i] & 0xf];
    }
    return new String(c);
  }

  /** Decodes hex, ignoring white space; throws IllegalArgumentException on anything else. */
  public static byte[] decode(String s) {
    String t = s.replaceAll("\\s+", "");
    if (t.length() % 2 != 0) {
      throw new IllegalArgumentException("odd number of hex digits");
    }
    byte[] r = new byte[t.length() / 2];
    for (int i = 0; i < r.length; i++) {
      int hi = Character.digit(t.charAt(2 * i), 16);
      int lo = Character.digit(t.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("not a hex digit at " + (2 * i));
      }
      r[i] = (byte) ((hi << 4) | lo);
    }
    return r;
  }
}
