package io.edhoc.credentials;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborType;
import io.edhoc.cbor.CborWriter;

/**
 * The int-or-bstr rule shared by connection identifiers (RFC 9528 section 3.3.2) and compact
 * kids (section 3.5.3.2): a byte string that is the encoding of a one-byte CBOR int (0x00-0x17,
 * 0x20-0x37) travels as that int; any other byte string as a byte string.
 */
public final class ConnectionIdCodec {
  private ConnectionIdCodec() {}

  public static boolean isOneByteInt(byte b) {
    int v = b & 0xff;
    return v <= 0x17 || (v >= 0x20 && v <= 0x37);
  }

  static byte oneByteIntEncoding(long v) {
    return v >= 0 ? (byte) v : (byte) (0x20 + (-1 - v));
  }

  /** The wire encoding of an identifier given as its byte-string value. */
  public static byte[] encode(byte[] id) {
    if (id.length == 1 && isOneByteInt(id[0])) {
      return new byte[] {id[0]};
    }
    return CborWriter.bstr(id);
  }

  /** Reads an identifier written by {@link #encode(byte[])}; returns its byte-string value. */
  public static byte[] read(CborReader r, String what) throws CborException {
    CborType t = r.peekType();
    if (t.isInteger()) {
      long v = r.readInt();
      if (v < -24 || v > 23) {
        throw new CborException(what + " as int must be a one-byte CBOR int");
      }
      return new byte[] {oneByteIntEncoding(v)};
    }
    if (t == CborType.BYTES) {
      byte[] b = r.readBytes();
      if (b.length == 1 && isOneByteInt(b[0])) {
        throw new CborException(what + " that encodes a one-byte int must be sent as that int");
      }
      return b;
    }
    throw new CborException(what + " must be a byte string or a one-byte int");
  }
}
