package io.edhoc.cbor;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of CBOR items and CBOR sequences for hostile input.
 *
 * <p>It accepts only deterministic encoding (RFC 8949 section 4.2.1: shortest-form heads, definite
 * lengths), checks every length against the bytes that are actually there before allocating,
 * validates UTF-8, rejects duplicate map keys in value trees and limits nesting. Every failure is
 * a {@link CborException}; no runtime exception escapes for any input.
 */
public final class CborReader {
  /** Deepest nesting of arrays, maps and tags accepted. */
  public static final int MAX_DEPTH = 16;

  private final byte[] data;
  private final int end;
  private int pos;

  public CborReader(byte[] data) {
    this(data, 0, data.length);
  }

  public CborReader(byte[] data, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > data.length) {
      throw new IllegalArgumentException("bad range");
    }
    this.data = data;
    this.pos = offset;
    this.end = offset + length;
  }

  public boolean hasMore() {
    return pos < end;
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return end - pos;
  }

  /** Fails unless every byte was consumed. */
  public void expectEnd(String what) throws CborException {
    if (pos != end) {
      throw new CborException(what + ": " + (end - pos) + " trailing bytes");
    }
  }

  private int initial() throws CborException {
    if (pos >= end) {
      throw new CborException("unexpected end of input");
    }
    return data[pos] & 0xff;
  }

  public CborType peekType() throws CborException {
    int ib = initial();
    int mt = ib >>> 5;
    switch (mt) {
      case 0:
        return CborType.UNSIGNED;
      case 1:
        return CborType.NEGATIVE;
      case 2:
        return CborType.BYTES;
      case 3:
        return CborType.TEXT;
      case 4:
        return CborType.ARRAY;
      case 5:
        return CborType.MAP;
      case 6:
        return CborType.TAG;
      default:
        int ai = ib & 0x1f;
        return (ai >= 25 && ai <= 27) ? CborType.FLOAT : CborType.SIMPLE;
    }
  }

  /** True if the next item is the one-byte simple value {@code true}. */
  public boolean peekIsTrue() throws CborException {
    return hasMore() && initial() == 0xf5;
  }

  /** Reads a head; returns the argument as unsigned 64-bit in a long (may be negative as signed). */
  private long head(int expectedMajor) throws CborException {
    int ib = initial();
    int mt = ib >>> 5;
    if (expectedMajor >= 0 && mt != expectedMajor) {
      throw new CborException("expected major type " + expectedMajor + ", found " + mt);
    }
    int ai = ib & 0x1f;
    pos++;
    if (ai < 24) {
      return ai;
    }
    int n;
    switch (ai) {
      case 24:
        n = 1;
        break;
      case 25:
        n = 2;
        break;
      case 26:
        n = 4;
        break;
      case 27:
        n = 8;
        break;
      case 31:
        throw new CborException("indefinite length is not deterministic encoding");
      default:
        throw new CborException("reserved additional information " + ai);
    }
    if (end - pos < n) {
      throw new CborException("truncated head");
    }
    long v = 0;
    for (int i = 0; i < n; i++) {
      v = (v << 8) | (data[pos++] & 0xff);
    }
    if (mt != 7) {
      boolean shortest =
          (n == 1 && v >= 24)
              || (n == 2 && v > 0xff)
              || (n == 4 && v > 0xffff)
              || (n == 8 && Long.compareUnsigned(v, 0xffffffffL) > 0);
      if (!shortest) {
        throw new CborException("non-shortest encoding of an argument");
      }
    }
    return v;
  }

  /** Reads an integer that fits in a signed 64-bit long. */
  public long readInt() throws CborException {
    int mt = initial() >>> 5;
    if (mt != 0 && mt != 1) {
      throw new CborException("expected an integer, found major type " + mt);
    }
    long v = head(mt);
    if (v < 0) {
      throw new CborException("integer out of range");
    }
    return mt == 0 ? v : -1 - v;
  }

  /** Reads an integer and checks that it lies in [min, max]. */
  public int readInt(int min, int max, String what) throws CborException {
    long v = readInt();
    if (v < min || v > max) {
      throw new CborException(what + " out of range");
    }
    return (int) v;
  }

  private int length(long v) throws CborException {
    if (v < 0 || v > end - pos) {
      throw new CborException("length exceeds the remaining input");
    }
    return (int) v;
  }

  public byte[] readBytes() throws CborException {
    int n = length(head(2));
    byte[] r = Arrays.copyOfRange(data, pos, pos + n);
    pos += n;
    return r;
  }

  public String readText() throws CborException {
    int n = length(head(3));
    String s;
    try {
      s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(data, pos, n))
              .toString();
    } catch (CharacterCodingException e) {
      throw new CborException("invalid UTF-8 in text string");
    }
    pos += n;
    return s;
  }

  /** Array header; the count is checked against the remaining bytes (each item takes one byte at least). */
  public int readArrayHeader() throws CborException {
    return length(head(4));
  }

  public int readMapHeader() throws CborException {
    long n = head(5);
    if (n < 0 || n > (end - pos) / 2) {
      throw new CborException("map size exceeds the remaining input");
    }
    return (int) n;
  }

  /** Reads a tag number; numbers above 2^63 - 1 (which a long cannot hold) are refused. */
  public long readTag() throws CborException {
    long t = head(6);
    if (t < 0) {
      throw new CborException("tag number beyond 2^63 - 1");
    }
    return t;
  }

  public boolean readBoolean() throws CborException {
    int ib = initial();
    if (ib == 0xf4 || ib == 0xf5) {
      pos++;
      return ib == 0xf5;
    }
    throw new CborException("expected a boolean");
  }

  /** Returns the exact encoded bytes of the next item and moves past it. */
  public byte[] readRawItem() throws CborException {
    int start = pos;
    skipItem();
    return Arrays.copyOfRange(data, start, pos);
  }

  public void skipItem() throws CborException {
    skip(0);
  }

  private void skip(int depth) throws CborException {
    if (depth > MAX_DEPTH) {
      throw new CborException("nesting too deep");
    }
    int mt = initial() >>> 5;
    switch (mt) {
      case 0:
      case 1:
        head(mt);
        return;
      case 2:
      case 3:
        {
          if (mt == 3) {
            readText();
          } else {
            int n = length(head(2));
            pos += n;
          }
          return;
        }
      case 4:
        {
          int n = readArrayHeader();
          for (int i = 0; i < n; i++) {
            skip(depth + 1);
          }
          return;
        }
      case 5:
        {
          int n = readMapHeader();
          for (int i = 0; i < 2 * n; i++) {
            skip(depth + 1);
          }
          return;
        }
      case 6:
        readTag();
        skip(depth + 1);
        return;
      default:
        simpleOrFloat();
    }
  }

  private Object simpleOrFloat() throws CborException {
    int ib = initial();
    int ai = ib & 0x1f;
    if (ai < 24) {
      pos++;
      switch (ai) {
        case 20:
          return Boolean.FALSE;
        case 21:
          return Boolean.TRUE;
        case 22:
          return null;
        default:
          return new CborSimple(ai);
      }
    }
    if (ai == 24) {
      if (end - pos < 2) {
        throw new CborException("truncated simple value");
      }
      int v = data[pos + 1] & 0xff;
      if (v < 32) {
        throw new CborException("invalid two-byte simple value");
      }
      pos += 2;
      return new CborSimple(v);
    }
    int n = ai == 25 ? 2 : ai == 26 ? 4 : ai == 27 ? 8 : -1;
    if (n < 0) {
      head(7); // throws: reserved or indefinite
      throw new CborException("invalid simple value");
    }
    if (end - pos < 1 + n) {
      throw new CborException("truncated float");
    }
    pos++;
    long bits = 0;
    for (int i = 0; i < n; i++) {
      bits = (bits << 8) | (data[pos++] & 0xff);
    }
    if (n == 8) {
      return Double.longBitsToDouble(bits);
    } else if (n == 4) {
      return (double) Float.intBitsToFloat((int) bits);
    }
    return (double) halfToFloat((int) bits);
  }

  private static float halfToFloat(int h) {
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    float v =
        exp == 0
            ? mant * 0x1p-24f
            : exp == 31 ? (mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN) : (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
    return (h & 0x8000) != 0 ? -v : v;
  }

  /**
   * Decodes the next item into a value tree: Long (or BigInteger beyond 64-bit signed range),
   * byte[], String, List, Map (insertion order; duplicate keys rejected), Boolean, null,
   * {@link CborTag}, {@link CborSimple} or Double.
   */
  public Object readValue() throws CborException {
    return value(0);
  }

  private Object value(int depth) throws CborException {
    if (depth > MAX_DEPTH) {
      throw new CborException("nesting too deep");
    }
    int mt = initial() >>> 5;
    switch (mt) {
      case 0:
        {
          long v = head(0);
          return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
        }
      case 1:
        {
          long v = head(1);
          return v >= 0 ? (Object) (-1 - v) : BigInteger.ONE.negate().subtract(new BigInteger(Long.toUnsignedString(v)));
        }
      case 2:
        return readBytes();
      case 3:
        return readText();
      case 4:
        {
          int n = readArrayHeader();
          List<Object> l = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            l.add(value(depth + 1));
          }
          return l;
        }
      case 5:
        {
          int n = readMapHeader();
          Map<Object, Object> m = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) {
            Object k = value(depth + 1);
            Object key = k instanceof byte[] ? new ByteKey((byte[]) k) : k;
            if (m.containsKey(key)) {
              throw new CborException("duplicate map key");
            }
            m.put(key, value(depth + 1));
          }
          return m;
        }
      case 6:
        {
          long t = readTag();
          return new CborTag(t, value(depth + 1));
        }
      default:
        return simpleOrFloat();
    }
  }

  /** A byte-string map key with value equality. */
  public record ByteKey(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ByteKey && Arrays.equals(bytes, ((ByteKey) o).bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "h'" + Hex.encode(bytes) + "'";
    }
  }

  /** Decodes exactly one item that spans all of {@code encoded}. */
  public static Object decodeSingle(byte[] encoded, String what) throws CborException {
    CborReader r = new CborReader(encoded);
    Object v = r.readValue();
    r.expectEnd(what);
    return v;
  }

  /** Checks that {@code encoded} is exactly one well-formed, deterministically encoded item. */
  public static void checkSingleItem(byte[] encoded, String what) throws CborException {
    CborReader r = new CborReader(encoded);
    r.skipItem();
    r.expectEnd(what);
  }
}
