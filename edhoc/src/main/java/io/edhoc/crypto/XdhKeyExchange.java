package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc7748.X448;

/** X25519 / X448 (RFC 7748) with Bouncy Castle's low-level implementation. */
final class XdhKeyExchange implements KeyExchange {
  private final CoseCurve curve;
  private final int len;

  XdhKeyExchange(CoseCurve curve) {
    if (curve != CoseCurve.X25519 && curve != CoseCurve.X448) {
      throw new IllegalArgumentException("not an XDH curve: " + curve);
    }
    this.curve = curve;
    this.len = curve.coordinateLength();
  }

  @Override
  public CoseCurve curve() {
    return curve;
  }

  @Override
  public CosePrivateKey generate(SecureRandom random) {
    byte[] k = new byte[len];
    byte[] u = new byte[len];
    try {
      if (curve == CoseCurve.X25519) {
        X25519.generatePrivateKey(random, k);
        X25519.generatePublicKey(k, 0, u, 0);
      } else {
        X448.generatePrivateKey(random, k);
        X448.generatePublicKey(k, 0, u, 0);
      }
      return new CosePrivateKey(curve, k, new CosePublicKey(curve, u, null));
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  @Override
  public byte[] agree(CosePrivateKey own, byte[] peer) throws CryptoException {
    if (own == null || own.curve() != curve) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "private key is not on " + curve);
    }
    if (peer == null || peer.length != len) {
      throw new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY, "peer public key must be " + len + " bytes");
    }
    byte[] k = own.exportSecret();
    byte[] out = new byte[len];
    boolean nonZero;
    try {
      nonZero = curve == CoseCurve.X25519
          ? X25519.calculateAgreement(k, 0, peer, 0, out, 0)
          : X448.calculateAgreement(k, 0, peer, 0, out, 0);
    } catch (RuntimeException e) {
      nonZero = false;
    } finally {
      Arrays.fill(k, (byte) 0);
    }
    if (!nonZero) {
      Arrays.fill(out, (byte) 0);
      // RFC 9528 section 9.2 / RFC 7748 section 6: the all-zero check MUST be done.
      throw new CryptoException(CryptoException.Reason.INVALID_PUBLIC_KEY, "all-zero shared secret (low-order peer key)");
    }
    return out;
  }
}
