package io.edhoc.cbor;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes CBOR items and CBOR sequences in deterministic (preferred, shortest-form, definite
 * length) encoding, RFC 8949 section 4.2.1. Bytes written are exactly the bytes that enter
 * transcripts and MACs, so there is no map sorting here: callers write map entries in the order
 * the specification prints them.
 *
 * <p>The bytes go into a plain array (not a {@code ByteArrayOutputStream}, whose every
 * {@code write} is a synchronized call: measurable in the handshake profile). Callers that know
 * the size pass it as the initial capacity; otherwise the array doubles. Not thread-safe: a writer
 * belongs to one call.
 */
public final class CborWriter {
  /** The bytes written so far: {@code buf[0 .. count)}; the array grows by doubling. */
  private byte[] buf;
  private int count;

  public CborWriter() {
    this(64);
  }

  /**
   * A writer whose first array has {@code initialCapacity} bytes. A caller that passes the exact
   * size of what it writes (see {@link #headLength}) gets that array back from {@link #finish()}
   * without a copy.
   */
  public CborWriter(int initialCapacity) {
    if (initialCapacity < 0) {
      throw new IllegalArgumentException("negative initial capacity");
    }
    buf = new byte[Math.max(initialCapacity, 1)];
  }

  /**
   * The length of an item's head (RFC 8949 section 3) whose argument is {@code value}: 1, 2, 3,
   * 5 or 9 bytes. For an integer item pass its value (a negative one is encoded as -1 - value);
   * for a byte or text string, its length.
   */
  public static int headLength(long value) {
    long v = value < 0 ? -1 - value : value;
    return v < 24 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v < 0x100000000L ? 5 : 9;
  }

  private void ensure(int extra) {
    requireOpen();
    int need = count + extra;
    if (need < 0) {
      throw new OutOfMemoryError("CBOR item too large");
    }
    if (need > buf.length) {
      int grown = buf.length << 1;
      buf = Arrays.copyOf(buf, grown - need < 0 || grown < 0 ? need : grown);
    }
  }

  private void write(int b) {
    ensure(1);
    buf[count++] = (byte) b;
  }

  private void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  private void head(int majorType, long value) {
    int mt = majorType << 5;
    if (value < 0) {
      throw new IllegalArgumentException("negative length/argument");
    }
    if (value < 24) {
      write(mt | (int) value);
    } else if (value < 0x100) {
      write(mt | 24);
      write((int) value);
    } else if (value < 0x10000) {
      write(mt | 25);
      write((int) (value >>> 8));
      write((int) value);
    } else if (value < 0x100000000L) {
      write(mt | 26);
      for (int s = 24; s >= 0; s -= 8) {
        write((int) (value >>> s));
      }
    } else {
      write(mt | 27);
      for (int s = 56; s >= 0; s -= 8) {
        write((int) (value >>> s));
      }
    }
  }

  /** An integer, major type 0 or 1. */
  public CborWriter writeInt(long value) {
    if (value >= 0) {
      head(0, value);
    } else {
      head(1, -1 - value);
    }
    return this;
  }

  public CborWriter writeBigInt(BigInteger value) {
    if (value.bitLength() > 64) {
      throw new IllegalArgumentException("integer does not fit in 64 bits");
    }
    if (value.signum() >= 0) {
      writeUnsigned64(value);
    } else {
      BigInteger n = BigInteger.ONE.negate().subtract(value);
      headBig(1, n);
    }
    return this;
  }

  private void writeUnsigned64(BigInteger v) {
    headBig(0, v);
  }

  private void headBig(int mt, BigInteger v) {
    if (v.bitLength() < 64) {
      head(mt, v.longValue());
    } else {
      write((mt << 5) | 27);
      long l = v.longValue();
      for (int s = 56; s >= 0; s -= 8) {
        write((int) (l >>> s));
      }
    }
  }

  public CborWriter writeBytes(byte[] value) {
    head(2, value.length);
    write(value, 0, value.length);
    return this;
  }

  public CborWriter writeText(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    head(3, utf8.length);
    write(utf8, 0, utf8.length);
    return this;
  }

  public CborWriter writeArrayHeader(int size) {
    head(4, size);
    return this;
  }

  public CborWriter writeMapHeader(int size) {
    head(5, size);
    return this;
  }

  public CborWriter writeTag(long tag) {
    head(6, tag);
    return this;
  }

  public CborWriter writeBoolean(boolean value) {
    write(value ? 0xf5 : 0xf4);
    return this;
  }

  public CborWriter writeNull() {
    write(0xf6);
    return this;
  }

  /** Appends bytes that already are one or more encoded CBOR items (e.g. CRED_x as received). */
  public CborWriter writeRaw(byte[] encoded) {
    write(encoded, 0, encoded.length);
    return this;
  }

  /** Writes a decoded value tree (see {@link CborReader#readValue()}), maps in insertion order. */
  public CborWriter writeValue(Object v) {
    if (v == null) {
      writeNull();
    } else if (v instanceof Boolean) {
      writeBoolean((Boolean) v);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      writeInt(((Number) v).longValue());
    } else if (v instanceof BigInteger) {
      writeBigInt((BigInteger) v);
    } else if (v instanceof byte[]) {
      writeBytes((byte[]) v);
    } else if (v instanceof String) {
      writeText((String) v);
    } else if (v instanceof java.util.List) {
      java.util.List<?> l = (java.util.List<?>) v;
      writeArrayHeader(l.size());
      for (Object o : l) {
        writeValue(o);
      }
    } else if (v instanceof java.util.Map) {
      java.util.Map<?, ?> m = (java.util.Map<?, ?>) v;
      writeMapHeader(m.size());
      for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
        writeValue(e.getKey());
        writeValue(e.getValue());
      }
    } else if (v instanceof CborTag) {
      CborTag t = (CborTag) v;
      writeTag(t.tag());
      writeValue(t.content());
    } else if (v instanceof CborSimple) {
      int s = ((CborSimple) v).value();
      if (s < 24) {
        write(0xe0 | s);
      } else {
        write(0xf8);
        write(s);
      }
    } else {
      throw new IllegalArgumentException("cannot encode " + v.getClass().getSimpleName());
    }
    return this;
  }

  public int size() {
    return count;
  }

  /** A copy of the bytes written; the writer can go on. */
  public byte[] toByteArray() {
    requireOpen();
    return buf.length == count ? buf.clone() : Arrays.copyOf(buf, count);
  }

  /**
   * The bytes written, and the end of this writer: an array sized exactly (see
   * {@link #headLength} and {@link #CborWriter(int)}) is handed over without a copy, and any
   * later write, {@link #toByteArray()} or {@code finish()} fails.
   */
  public byte[] finish() {
    requireOpen();
    byte[] r = buf.length == count ? buf : Arrays.copyOf(buf, count);
    buf = null;
    return r;
  }

  private void requireOpen() {
    if (buf == null) {
      throw new IllegalStateException("CborWriter already finished");
    }
  }

  /** Encodes a single byte string item. */
  public static byte[] bstr(byte[] value) {
    // one exact-size array (the transcript and message code calls this a dozen times a handshake)
    int n = value.length;
    int h = n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
    byte[] r = new byte[h + n];
    switch (h) {
      case 1:
        r[0] = (byte) (0x40 | n);
        break;
      case 2:
        r[0] = 0x58;
        r[1] = (byte) n;
        break;
      case 3:
        r[0] = 0x59;
        r[1] = (byte) (n >>> 8);
        r[2] = (byte) n;
        break;
      default:
        r[0] = 0x5a;
        r[1] = (byte) (n >>> 24);
        r[2] = (byte) (n >>> 16);
        r[3] = (byte) (n >>> 8);
        r[4] = (byte) n;
    }
    System.arraycopy(value, 0, r, h, n);
    return r;
  }

  /** Encodes a single integer item. */
  public static byte[] integer(long value) {
    return new CborWriter(9).writeInt(value).toByteArray();
  }

  /** Concatenates already-encoded items into one CBOR sequence. */
  public static byte[] sequence(byte[]... encodedItems) {
    int n = 0;
    for (byte[] b : encodedItems) {
      n += b.length;
    }
    byte[] r = new byte[n];
    int p = 0;
    for (byte[] b : encodedItems) {
      System.arraycopy(b, 0, r, p, b.length);
      p += b.length;
    }
    return r;
  }

  @Override
  public String toString() {
    return "CborWriter[" + count + " bytes]";
  }

  static byte[] copy(byte[] b) {
    return Arrays.copyOf(b, b.length);
  }
}
