package io.edhoc;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborType;
import io.edhoc.cbor.CborWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One EAD item (RFC 9528 section 3.8): ead_label and an optional ead_value. A negative label
 * marks the item critical; label 0 is padding.
 */
public final class EadItem {
  private final int label;
  private final byte[] value;

  public EadItem(int label, byte[] value) {
    this.label = label;
    this.value = value == null ? null : value.clone();
  }

  /**
   * Padding items (label 0, section 3.8.1) that add exactly {@code bytes} bytes (1 to 65538) to
   * an EAD field, with a random ead_value.
   */
  public static List<EadItem> padding(int bytes, java.security.SecureRandom random) {
    if (bytes < 1 || bytes > 65538) {
      throw new IllegalArgumentException("padding must be 1 to 65538 bytes");
    }
    List<EadItem> items = new ArrayList<>();
    int n = bytes;
    // one item adds 1 (label) + bstr head (1, 2 or 3 bytes) + content; lengths a single item
    // cannot hit (26, 259) get a one-byte item first.
    if (n == 26 || n == 259) {
      items.add(new EadItem(0, null));
      n--;
    }
    if (n == 1) {
      items.add(new EadItem(0, null));
      return items;
    }
    int content = n <= 25 ? n - 2 : n <= 258 ? n - 3 : n - 4;
    byte[] v = new byte[content];
    random.nextBytes(v);
    items.add(new EadItem(0, v));
    return items;
  }

  public int label() {
    return label;
  }

  /** The value, or null when the item has none. */
  public byte[] value() {
    return value == null ? null : value.clone();
  }

  public boolean hasValue() {
    return value != null;
  }

  public boolean isCritical() {
    return label < 0;
  }

  public boolean isPadding() {
    return label == 0;
  }

  static byte[] encode(List<EadItem> items) {
    if (items == null || items.isEmpty()) {
      return new byte[0];
    }
    CborWriter w = new CborWriter();
    for (EadItem i : items) {
      w.writeInt(i.label);
      if (i.value != null) {
        w.writeBytes(i.value);
      }
    }
    return w.toByteArray();
  }

  /** Reads EAD items until the end of the reader. */
  static List<EadItem> readAll(CborReader r) throws CborException {
    List<EadItem> items = new ArrayList<>();
    while (r.hasMore()) {
      if (!r.peekType().isInteger()) {
        throw new CborException("EAD item must start with an int label");
      }
      long label = r.readInt();
      if (label < Integer.MIN_VALUE || label > Integer.MAX_VALUE) {
        throw new CborException("ead_label out of range");
      }
      byte[] v = null;
      if (r.hasMore() && r.peekType() == CborType.BYTES) {
        v = r.readBytes();
      }
      items.add(new EadItem((int) label, v));
    }
    return Collections.unmodifiableList(items);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EadItem && ((EadItem) o).label == label && Arrays.equals(((EadItem) o).value, value);
  }

  @Override
  public int hashCode() {
    return label * 31 + Arrays.hashCode(value);
  }

  /** Shows label and value length; EAD values may be sensitive, so not their bytes. */
  @Override
  public String toString() {
    return "EAD(" + label + (value == null ? "" : ", " + value.length + " bytes") + ")";
  }
}
