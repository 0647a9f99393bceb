package io.edhoc.crypto;

import java.util.HexFormat;

final class Hex {
  private Hex() {}

  static byte[] decode(String s) {
    return HexFormat.of().parseHex(s.replaceAll("\\s", "").toLowerCase());
  }

  static String encode(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
