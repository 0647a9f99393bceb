package io.edhoc.cose;

import io.edhoc.cbor.CborWriter;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc7748.X448;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.bouncycastle.math.ec.rfc8032.Ed448;
import org.bouncycastle.util.BigIntegers;

/**
 * COSE_Key maps (RFC 9052 section 7, RFC 9053 section 7) and the key arithmetic behind them:
 * public key from private key, key generation, deterministic encoding. Messages of the
 * exceptions thrown here name the field and the problem, never a key value.
 */
public final class CoseKeys {
  private CoseKeys() {}

  /** A COSE_Key that is not well-formed or not supported. */
  public static final class CoseKeyException extends Exception {
    private static final long serialVersionUID = 1L;

    public CoseKeyException(String message) {
      super(message);
    }
  }

  /** Reads the public part of a decoded COSE_Key map (OKP or EC2). */
  public static CosePublicKey publicKey(Map<?, ?> key) throws CoseKeyException {
    Object kty = key.get((long) CoseLabels.KEY_KTY);
    Object crv = key.get((long) CoseLabels.KEY_CRV);
    Object x = key.get((long) CoseLabels.KEY_X);
    Object y = key.get((long) CoseLabels.KEY_Y);
    if (!(kty instanceof Long)) {
      throw new CoseKeyException("COSE_Key kty (1) is missing or not an integer");
    }
    CoseKeyType type = CoseKeyType.fromCoseId((Long) kty);
    if (type == null || type == CoseKeyType.SYMMETRIC) {
      throw new CoseKeyException("COSE_Key kty " + kty + " is not an asymmetric key type (OKP 1 or EC2 2)");
    }
    if (!(crv instanceof Long)) {
      throw new CoseKeyException("COSE_Key crv (-1) is missing or not an integer");
    }
    CoseCurve curve = CoseCurve.fromCoseId((Long) crv);
    if (curve == null || curve.keyType() != type) {
      throw new CoseKeyException("COSE_Key kty " + kty + " / crv " + crv + " not supported");
    }
    if (!(x instanceof byte[])) {
      throw new CoseKeyException("COSE_Key x (-2) is missing or not a byte string");
    }
    if (((byte[]) x).length != curve.coordinateLength()) {
      throw new CoseKeyException("COSE_Key x (-2) must be " + curve.coordinateLength() + " bytes for " + curve);
    }
    byte[] yb = null;
    if (type == CoseKeyType.EC2) {
      if (!(y instanceof byte[])) {
        throw new CoseKeyException("EC2 COSE_Key needs y (-3) as a byte string");
      }
      yb = (byte[]) y;
      if (yb.length != curve.coordinateLength()) {
        throw new CoseKeyException("COSE_Key y (-3) must be " + curve.coordinateLength() + " bytes for " + curve);
      }
      X9ECParameters p = ecParameters(curve);
      try {
        p.getCurve().validatePoint(new BigInteger(1, (byte[]) x), new BigInteger(1, yb));
      } catch (IllegalArgumentException e) {
        throw new CoseKeyException("COSE_Key x/y is not a point on " + curve);
      }
    } else if (y != null) {
      throw new CoseKeyException("OKP COSE_Key must not have y (-3)");
    }
    return new CosePublicKey(curve, (byte[]) x, yb);
  }

  /**
   * Reads a private COSE_Key (with d, -4). When the map also has x (and y), they must match the
   * public key computed from d; the returned key always carries its public key.
   */
  public static CosePrivateKey privateKey(Map<?, ?> key) throws CoseKeyException {
    Object kty = key.get((long) CoseLabels.KEY_KTY);
    Object crv = key.get((long) CoseLabels.KEY_CRV);
    Object d = key.get((long) CoseLabels.KEY_D);
    if (!(kty instanceof Long) || !(crv instanceof Long)) {
      throw new CoseKeyException("COSE_Key kty (1) and crv (-1) must be integers");
    }
    CoseKeyType type = CoseKeyType.fromCoseId((Long) kty);
    CoseCurve curve = CoseCurve.fromCoseId((Long) crv);
    if (type == null || curve == null || curve.keyType() != type) {
      throw new CoseKeyException("COSE_Key kty " + kty + " / crv " + crv + " not supported");
    }
    if (!(d instanceof byte[])) {
      throw new CoseKeyException("COSE_Key has no private key d (-4) as a byte string");
    }
    byte[] secret = (byte[]) d;
    if (secret.length != curve.coordinateLength()) {
      throw new CoseKeyException("COSE_Key d (-4) must be " + curve.coordinateLength() + " bytes for " + curve);
    }
    CosePublicKey derived = derivePublicKey(curve, secret);
    if (key.containsKey((long) CoseLabels.KEY_X)) {
      CosePublicKey given = publicKey(key);
      if (!given.equals(derived)) {
        throw new CoseKeyException("COSE_Key x/y do not match the private key d");
      }
    }
    return new CosePrivateKey(curve, secret, derived);
  }

  /** The public key for a private key (seed for Ed25519/Ed448, scalar otherwise). */
  public static CosePublicKey derivePublicKey(CoseCurve curve, byte[] d) throws CoseKeyException {
    if (d.length != curve.coordinateLength()) {
      throw new CoseKeyException("private key must be " + curve.coordinateLength() + " bytes for " + curve);
    }
    byte[] pub;
    switch (curve) {
      case X25519:
        pub = new byte[X25519.POINT_SIZE];
        X25519.scalarMultBase(d, 0, pub, 0);
        return new CosePublicKey(curve, pub, null);
      case X448:
        pub = new byte[X448.POINT_SIZE];
        X448.scalarMultBase(d, 0, pub, 0);
        return new CosePublicKey(curve, pub, null);
      case ED25519:
        pub = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(d, 0, pub, 0);
        return new CosePublicKey(curve, pub, null);
      case ED448:
        pub = new byte[Ed448.PUBLIC_KEY_SIZE];
        Ed448.generatePublicKey(d, 0, pub, 0);
        return new CosePublicKey(curve, pub, null);
      case P_256:
      case P_384:
        {
          X9ECParameters p = ecParameters(curve);
          BigInteger s = new BigInteger(1, d);
          if (s.signum() == 0 || s.compareTo(p.getN()) >= 0) {
            throw new CoseKeyException("EC private scalar out of range for " + curve);
          }
          ECPoint q = p.getG().multiply(s).normalize();
          int n = curve.coordinateLength();
          return new CosePublicKey(
              curve,
              BigIntegers.asUnsignedByteArray(n, q.getAffineXCoord().toBigInteger()),
              BigIntegers.asUnsignedByteArray(n, q.getAffineYCoord().toBigInteger()));
        }
      default:
        throw new CoseKeyException("unsupported curve " + curve);
    }
  }

  /** A fresh private key on a curve, with its public key. */
  public static CosePrivateKey generate(CoseCurve curve, SecureRandom random) {
    byte[] d = new byte[curve.coordinateLength()];
    try {
      switch (curve) {
        case X25519:
          X25519.generatePrivateKey(random, d);
          break;
        case X448:
          X448.generatePrivateKey(random, d);
          break;
        case ED25519:
          Ed25519.generatePrivateKey(random, d);
          break;
        case ED448:
          Ed448.generatePrivateKey(random, d);
          break;
        default:
          {
            X9ECParameters p = ecParameters(curve);
            BigInteger s = BigIntegers.createRandomInRange(BigInteger.ONE, p.getN().subtract(BigInteger.ONE), random);
            byte[] b = BigIntegers.asUnsignedByteArray(d.length, s);
            System.arraycopy(b, 0, d, 0, d.length);
            Arrays.fill(b, (byte) 0);
          }
      }
      return new CosePrivateKey(curve, d, derivePublicKey(curve, d));
    } catch (CoseKeyException e) {
      throw new IllegalStateException("generated key rejected: " + e.getMessage());
    } finally {
      Arrays.fill(d, (byte) 0);
    }
  }

  /** Bouncy Castle's fast (custom) parameters of P-256 / P-384. */
  public static X9ECParameters ecParameters(CoseCurve curve) {
    switch (curve) {
      case P_256:
        return CustomNamedCurves.getByName("secp256r1");
      case P_384:
        return CustomNamedCurves.getByName("secp384r1");
      default:
        throw new IllegalArgumentException(curve + " is not a short-Weierstrass curve");
    }
  }

  /** Writes a public COSE_Key in the order RFC 9529 prints it: {1: kty, 2: kid, -1: crv, -2: x, -3: y}. */
  public static CborWriter writePublic(CborWriter w, CosePublicKey pk, byte[] kid) {
    boolean ec2 = pk.curve().keyType() == CoseKeyType.EC2;
    if (ec2 && !pk.hasY()) {
      throw new IllegalArgumentException("EC2 public key without y cannot be written as a COSE_Key");
    }
    int n = 3 + (kid != null ? 1 : 0) + (ec2 ? 1 : 0);
    w.writeMapHeader(n).writeInt(CoseLabels.KEY_KTY).writeInt(pk.curve().keyType().coseId());
    if (kid != null) {
      w.writeInt(CoseLabels.KEY_KID).writeBytes(kid);
    }
    w.writeInt(CoseLabels.KEY_CRV).writeInt(pk.curve().coseId()).writeInt(CoseLabels.KEY_X).writeBytes(pk.x());
    if (ec2) {
      w.writeInt(CoseLabels.KEY_Y).writeBytes(pk.y());
    }
    return w;
  }

  /** A public COSE_Key, encoded. */
  public static byte[] encodePublic(CosePublicKey pk, byte[] kid) {
    return writePublic(new CborWriter(), pk, kid).toByteArray();
  }

  /**
   * A private COSE_Key {1: kty, 2: kid, -1: crv, -2: x, (-3: y), -4: d}. The result holds the
   * secret: the caller wipes it after writing it out.
   */
  public static byte[] encodePrivate(CosePrivateKey sk, byte[] kid) {
    CosePublicKey pk = sk.publicKey();
    if (pk == null) {
      throw new IllegalArgumentException("private key without its public key");
    }
    boolean ec2 = pk.curve().keyType() == CoseKeyType.EC2;
    int n = 4 + (kid != null ? 1 : 0) + (ec2 ? 1 : 0);
    CborWriter w = new CborWriter().writeMapHeader(n).writeInt(CoseLabels.KEY_KTY).writeInt(pk.curve().keyType().coseId());
    if (kid != null) {
      w.writeInt(CoseLabels.KEY_KID).writeBytes(kid);
    }
    w.writeInt(CoseLabels.KEY_CRV).writeInt(pk.curve().coseId()).writeInt(CoseLabels.KEY_X).writeBytes(pk.x());
    if (ec2) {
      w.writeInt(CoseLabels.KEY_Y).writeBytes(pk.y());
    }
    byte[] d = sk.exportSecret();
    w.writeInt(CoseLabels.KEY_D).writeBytes(d);
    Arrays.fill(d, (byte) 0);
    return w.toByteArray();
  }
}
