package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;

/**
 * P-256 / P-384 on Bouncy Castle's custom (fast, special-form field) curve implementations,
 * shared by ECDH and ECDSA.
 */
final class EcCurve {
  static final EcCurve P256 = new EcCurve(CoseCurve.P_256, "secp256r1");
  static final EcCurve P384 = new EcCurve(CoseCurve.P_384, "secp384r1");

  final CoseCurve cose;
  final ECDomainParameters domain;
  final ECCurve curve;
  final BigInteger p;
  final BigInteger n;
  final int len;
  private final FixedPointCombMultiplier baseMultiplier = new FixedPointCombMultiplier();

  private EcCurve(CoseCurve cose, String name) {
    X9ECParameters x9 = CustomNamedCurves.getByName(name);
    this.cose = cose;
    this.domain = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH(), x9.getSeed());
    this.curve = x9.getCurve();
    this.p = curve.getField().getCharacteristic();
    this.n = x9.getN();
    this.len = cose.coordinateLength();
  }

  static EcCurve of(CoseCurve c) {
    switch (c) {
      case P_256:
        return P256;
      case P_384:
        return P384;
      default:
        throw new IllegalArgumentException("not an EC2 curve: " + c);
    }
  }

  /** A scalar uniformly in [1, n-1]. */
  BigInteger randomScalar(SecureRandom random) {
    int bits = n.bitLength();
    while (true) {
      BigInteger d = BigIntegers.createRandomBigInteger(bits, random);
      if (d.signum() > 0 && d.compareTo(n) < 0) {
        return d;
      }
    }
  }

  /** d*G, normalized. */
  ECPoint multiplyBase(BigInteger d) {
    return baseMultiplier.multiply(domain.getG(), d).normalize();
  }

  /** The private scalar from its fixed-length encoding, or null when not in [1, n-1]. */
  BigInteger scalar(byte[] d) {
    if (d == null || d.length != len) {
      return null;
    }
    BigInteger s = new BigInteger(1, d);
    return s.signum() > 0 && s.compareTo(n) < 0 ? s : null;
  }

  /** The fixed-length big-endian encoding of a coordinate or scalar. */
  byte[] encode(BigInteger v) {
    return BigIntegers.asUnsignedByteArray(len, v);
  }

  /**
   * A point from x only (compact representation, RFC 9528 Appendix B: 0x02 || x), or null when x
   * has the wrong length, is not below p, or has no point on the curve. Never throws.
   */
  ECPoint decodeCompact(byte[] x) {
    if (x == null || x.length != len) {
      return null;
    }
    try {
      if (new BigInteger(1, x).compareTo(p) >= 0) {
        return null;
      }
      byte[] enc = new byte[len + 1];
      enc[0] = 0x02;
      System.arraycopy(x, 0, enc, 1, len);
      ECPoint q = curve.decodePoint(enc).normalize();
      return checked(q);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Why {@link #decodeCompact} refuses {@code x} (RFC 9529 section 4.2 keeps these apart: a wrong
   * length, 4.2.2 an x not below p, 4.2.3 an x with no point on the curve), or null if it does not.
   */
  String compactFailure(byte[] x) {
    if (x == null || x.length != len) {
      return "x-coordinate is " + (x == null ? 0 : x.length) + " bytes, not " + len;
    }
    if (new BigInteger(1, x).compareTo(p) >= 0) {
      return "x-coordinate is not below the field prime p";
    }
    return decodeCompact(x) == null ? "no point on the curve has this x-coordinate" : null;
  }

  /** A point from x and y, or null when either is out of range or the point is not on the curve. */
  ECPoint decodeXY(byte[] x, byte[] y) {
    if (x == null || y == null || x.length != len || y.length != len) {
      return null;
    }
    try {
      BigInteger bx = new BigInteger(1, x);
      BigInteger by = new BigInteger(1, y);
      if (bx.compareTo(p) >= 0 || by.compareTo(p) >= 0) {
        return null;
      }
      ECPoint q = curve.createPoint(bx, by);
      return checked(q);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static ECPoint checked(ECPoint q) {
    // Cofactor is 1 for both curves: on-curve and not infinity is full validation.
    if (q == null || q.isInfinity() || !q.isValid()) {
      return null;
    }
    return q;
  }
}
