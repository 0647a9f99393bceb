package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.bouncycastle.math.ec.rfc8032.Ed448;

/**
 * Pure EdDSA (RFC 8032) with an empty context: Ed25519 and Ed448, Bouncy Castle low-level. Parsed
 * (decompressed and validated) public keys are kept in a small LRU cache.
 */
final class EdDsaSigner implements Signer {
  private static final byte[] EMPTY_CONTEXT = new byte[0];

  private final CoseCurve curve;
  private final int sigLen;
  private final BoundedCache<Object> keys = new BoundedCache<>(64);

  EdDsaSigner(CoseCurve curve) {
    if (curve != CoseCurve.ED25519 && curve != CoseCurve.ED448) {
      throw new IllegalArgumentException("not an EdDSA curve: " + curve);
    }
    this.curve = curve;
    this.sigLen = curve == CoseCurve.ED25519 ? Ed25519.SIGNATURE_SIZE : Ed448.SIGNATURE_SIZE;
  }

  @Override
  public SignatureAlgorithm algorithm() {
    return SignatureAlgorithm.EDDSA;
  }

  @Override
  public CoseCurve curve() {
    return curve;
  }

  @Override
  public byte[] sign(CosePrivateKey key, byte[] message) throws CryptoException {
    if (key == null || key.curve() != curve || message == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "need a " + curve + " private key and a message");
    }
    byte[] seed = key.exportSecret();
    byte[] sig = new byte[sigLen];
    try {
      // The public key is re-derived from the seed on purpose: passing a caller-supplied public
      // key that does not match the seed would leak the private key.
      if (curve == CoseCurve.ED25519) {
        Ed25519.sign(seed, 0, message, 0, message.length, sig, 0);
      } else {
        Ed448.sign(seed, 0, EMPTY_CONTEXT, message, 0, message.length, sig, 0);
      }
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
    return sig;
  }

  @Override
  public boolean verify(CosePublicKey key, byte[] message, byte[] signature) {
    if (key == null || key.curve() != curve || message == null || signature == null || signature.length != sigLen) {
      return false;
    }
    try {
      Object point = keys.get(key.x(), this::parse);
      if (point == null) {
        return false;
      }
      if (curve == CoseCurve.ED25519) {
        return Ed25519.verify(signature, 0, (Ed25519.PublicPoint) point, message, 0, message.length);
      }
      return Ed448.verify(signature, 0, (Ed448.PublicPoint) point, EMPTY_CONTEXT, message, 0, message.length);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Decompressed point with partial validation (on the curve, canonical encoding); null if bad. */
  private Object parse(byte[] pk) {
    try {
      return curve == CoseCurve.ED25519
          ? Ed25519.validatePublicKeyPartialExport(pk, 0)
          : Ed448.validatePublicKeyPartialExport(pk, 0);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** For tests: number of cached parsed keys. */
  int cachedKeys() {
    return keys.size();
  }
}
