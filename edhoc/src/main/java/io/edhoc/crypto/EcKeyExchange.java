package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECPoint;

/**
 * ECDH on P-256 / P-384 with EDHOC compact (x-only) public keys, on Bouncy Castle's custom curves.
 */
final class EcKeyExchange implements KeyExchange {
  private static final org.bouncycastle.math.ec.ECMultiplier LADDER = new org.bouncycastle.math.ec.ECConstantTimeMultiplier();

  private final EcCurve ec;

  EcKeyExchange(EcCurve ec) {
    this.ec = ec;
  }

  @Override
  public CoseCurve curve() {
    return ec.cose;
  }

  @Override
  public CosePrivateKey generate(SecureRandom random) {
    BigInteger d = ec.randomScalar(random);
    ECPoint q = ec.multiplyBase(d);
    CosePublicKey pub = new CosePublicKey(ec.cose, q.getAffineXCoord().getEncoded(), q.getAffineYCoord().getEncoded());
    byte[] db = ec.encode(d);
    try {
      return new CosePrivateKey(ec.cose, db, pub);
    } finally {
      Arrays.fill(db, (byte) 0);
    }
  }

  @Override
  public byte[] agree(CosePrivateKey own, byte[] peerCompactPublicKey) throws CryptoException {
    if (own == null || own.curve() != ec.cose) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "private key is not on " + ec.cose);
    }
    ECPoint peer = ec.decodeCompact(peerCompactPublicKey);
    if (peer == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY,
          "peer public key is not a valid " + ec.cose + " x-coordinate: " + ec.compactFailure(peerCompactPublicKey));
    }
    byte[] db = own.exportSecret();
    BigInteger d;
    try {
      d = ec.scalar(db);
    } finally {
      Arrays.fill(db, (byte) 0);
    }
    if (d == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "private scalar out of range");
    }
    ECPoint s;
    try {
      // a constant-time multiplier (fixed window, table look-ups by masking), because the scalar
      // may be a long-term static DH key (methods 1-3), where wNAF's data-dependent timing leaks
      s = LADDER.multiply(peer, d).normalize();
    } catch (RuntimeException e) {
      throw new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY, "ECDH failed");
    }
    if (s.isInfinity()) {
      throw new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY, "ECDH result is the point at infinity");
    }
    return s.getAffineXCoord().getEncoded();
  }
}
