package io.edhoc;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborType;
import io.edhoc.cbor.CborWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The EDHOC error message, RFC 9528 section 6: (ERR_CODE: int, ERR_INFO: any). */
public final class ErrorMessage {
  public static final int UNSPECIFIED = 1;
  public static final int WRONG_SELECTED_CIPHER_SUITE = 2;
  public static final int UNKNOWN_CREDENTIAL_REFERENCED = 3;

  private final int code;
  private final String diagnostic;
  private final List<Integer> suitesR;
  private final byte[] encoded;

  private ErrorMessage(int code, String diagnostic, List<Integer> suitesR, byte[] encoded) {
    this.code = code;
    this.diagnostic = diagnostic;
    this.suitesR = suitesR;
    this.encoded = encoded;
  }

  /** ERR_CODE 1 with a diagnostic text (English, short, no secrets). */
  public static byte[] unspecified(String diagnostic) {
    return new CborWriter().writeInt(UNSPECIFIED).writeText(diagnostic).toByteArray();
  }

  /** ERR_CODE 2 with SUITES_R: an int for one suite, else an array. */
  public static byte[] wrongSelectedCipherSuite(List<Integer> suitesR) {
    CborWriter w = new CborWriter().writeInt(WRONG_SELECTED_CIPHER_SUITE);
    writeSuites(w, suitesR);
    return w.toByteArray();
  }

  /** ERR_CODE 3 with ERR_INFO true. */
  public static byte[] unknownCredentialReferenced() {
    return new CborWriter().writeInt(UNKNOWN_CREDENTIAL_REFERENCED).writeBoolean(true).toByteArray();
  }

  static void writeSuites(CborWriter w, List<Integer> suites) {
    if (suites.size() == 1) {
      w.writeInt(suites.get(0));
    } else {
      w.writeArrayHeader(suites.size());
      for (int s : suites) {
        w.writeInt(s);
      }
    }
  }

  /** Reads suites: an int, or an array of at least two ints (RFC 9528 section 5.2.1). */
  static List<Integer> readSuites(CborReader r, String what) throws CborException {
    List<Integer> out = new ArrayList<>();
    if (r.peekType() == CborType.ARRAY) {
      int n = r.readArrayHeader();
      if (n < 2) {
        throw new CborException(what + " array must have at least two elements (one suite is an int)");
      }
      for (int i = 0; i < n; i++) {
        out.add(r.readInt(-65536, 65535, what + " element"));
      }
    } else {
      out.add(r.readInt(-65536, 65535, what));
    }
    return Collections.unmodifiableList(out);
  }

  /** True if the message starts with an int, i.e. it is an error message and not message_2/3/4. */
  public static boolean isErrorMessage(byte[] message) {
    try {
      return message.length > 0 && new CborReader(message).peekType().isInteger();
    } catch (CborException e) {
      return false;
    }
  }

  public static ErrorMessage parse(byte[] message) throws CborException {
    CborReader r = new CborReader(message);
    long code = r.readInt();
    if (code < Integer.MIN_VALUE || code > Integer.MAX_VALUE) {
      throw new CborException("ERR_CODE out of range");
    }
    String diagnostic = null;
    List<Integer> suites = List.of();
    if (code == UNSPECIFIED) {
      diagnostic = r.readText();
    } else if (code == WRONG_SELECTED_CIPHER_SUITE) {
      suites = readSuites(r, "SUITES_R");
    } else if (code == UNKNOWN_CREDENTIAL_REFERENCED) {
      if (!r.readBoolean()) {
        throw new CborException("ERR_INFO of ERR_CODE 3 must be true");
      }
    } else {
      r.skipItem();
    }
    r.expectEnd("error message");
    return new ErrorMessage((int) code, diagnostic, suites, message.clone());
  }

  public int code() {
    return code;
  }

  public String diagnostic() {
    return diagnostic;
  }

  public List<Integer> suitesR() {
    return suitesR;
  }

  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public String toString() {
    switch (code) {
      case UNSPECIFIED:
        return "ERR_CODE 1 (" + (diagnostic.length() > 80 ? diagnostic.substring(0, 80) + "..." : diagnostic).replaceAll("[\\p{Cntrl}]", "?") + ")";
      case WRONG_SELECTED_CIPHER_SUITE:
        return "ERR_CODE 2 (SUITES_R " + suitesR + ")";
      case UNKNOWN_CREDENTIAL_REFERENCED:
        return "ERR_CODE 3";
      default:
        return "ERR_CODE " + code;
    }
  }
}
