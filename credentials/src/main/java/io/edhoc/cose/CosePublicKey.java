package io.edhoc.cose;

import java.util.Arrays;
import java.util.Objects;

/**
 * A public key on a {@link CoseCurve}: x (the u-coordinate or encoded point for OKP) and, for EC2
 * keys, y when known. Immutable; accessors return copies.
 */
public final class CosePublicKey {
  private final CoseCurve curve;
  private final byte[] x;
  private final byte[] y;

  public CosePublicKey(CoseCurve curve, byte[] x, byte[] y) {
    this.curve = Objects.requireNonNull(curve, "curve");
    if (x == null || x.length != curve.coordinateLength()) {
      throw new IllegalArgumentException("x must be " + curve.coordinateLength() + " bytes for " + curve);
    }
    if (y != null && (curve.keyType() != CoseKeyType.EC2 || y.length != curve.coordinateLength())) {
      throw new IllegalArgumentException("bad y for " + curve);
    }
    this.x = x.clone();
    this.y = y == null ? null : y.clone();
  }

  public CoseCurve curve() {
    return curve;
  }

  public byte[] x() {
    return x.clone();
  }

  /** y for EC2 keys when known; null otherwise. */
  public byte[] y() {
    return y == null ? null : y.clone();
  }

  public boolean hasY() {
    return y != null;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CosePublicKey)) {
      return false;
    }
    CosePublicKey k = (CosePublicKey) o;
    return curve == k.curve && Arrays.equals(x, k.x) && Arrays.equals(y, k.y);
  }

  @Override
  public int hashCode() {
    return curve.hashCode() * 31 + Arrays.hashCode(x);
  }

  @Override
  public String toString() {
    return "CosePublicKey[" + curve + "]";
  }
}
