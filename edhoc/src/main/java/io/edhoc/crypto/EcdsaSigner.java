package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;

/**
 * ES256 / ES384 (RFC 9053 section 2.1): ECDSA on Bouncy Castle's custom P-256 / P-384 curves, the
 * message hashed with the JDK's SHA-2, signatures as raw r || s. Signing is deterministic (RFC
 * 6979, HMAC-DRBG nonce). Validated public keys are kept in a small LRU cache: BC attaches its
 * precomputed multiplication table to the point, so a cached key verifies about twice as fast.
 */
final class EcdsaSigner implements Signer {
  private final SignatureAlgorithm algorithm;
  private final EcCurve ec;
  private final String digestName;
  private final BoundedCache<ECPublicKeyParameters> keys = new BoundedCache<>(64);

  EcdsaSigner(SignatureAlgorithm algorithm) {
    this.algorithm = algorithm;
    switch (algorithm) {
      case ES256:
        ec = EcCurve.P256;
        digestName = "SHA-256";
        break;
      case ES384:
        ec = EcCurve.P384;
        digestName = "SHA-384";
        break;
      default:
        throw new IllegalArgumentException("not ECDSA: " + algorithm);
    }
  }

  @Override
  public SignatureAlgorithm algorithm() {
    return algorithm;
  }

  @Override
  public CoseCurve curve() {
    return ec.cose;
  }

  private byte[] digest(byte[] message) {
    try {
      return MessageDigest.getInstance(digestName).digest(message);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(digestName + " missing from the JDK", e);
    }
  }

  @Override
  public byte[] sign(CosePrivateKey key, byte[] message) throws CryptoException {
    if (key == null || key.curve() != ec.cose || message == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "need a " + ec.cose + " private key and a message");
    }
    byte[] db = key.exportSecret();
    BigInteger d;
    try {
      d = ec.scalar(db);
    } finally {
      Arrays.fill(db, (byte) 0);
    }
    if (d == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "private scalar out of range");
    }
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(ec.len == 32 ? new SHA256Digest() : new SHA384Digest()));
    signer.init(true, new ECPrivateKeyParameters(d, ec.domain));
    BigInteger[] rs = signer.generateSignature(digest(message));
    byte[] sig = new byte[2 * ec.len];
    System.arraycopy(ec.encode(rs[0]), 0, sig, 0, ec.len);
    System.arraycopy(ec.encode(rs[1]), 0, sig, ec.len, ec.len);
    return sig;
  }

  /**
   * Verifies r || s. A key without y is read as y = false (sign bit 0, RFC 9528 section 3.7 /
   * Appendix B: 0x02 || x).
   */
  @Override
  public boolean verify(CosePublicKey key, byte[] message, byte[] signature) {
    if (key == null || key.curve() != ec.cose || message == null || signature == null || signature.length != 2 * ec.len) {
      return false;
    }
    try {
      byte[] x = key.x();
      byte[] y = key.y();
      byte[] cacheKey;
      if (y == null) {
        cacheKey = x;
      } else {
        cacheKey = new byte[2 * ec.len];
        System.arraycopy(x, 0, cacheKey, 0, ec.len);
        System.arraycopy(y, 0, cacheKey, ec.len, ec.len);
      }
      ECPublicKeyParameters pub = keys.get(cacheKey, b -> parse(x, y));
      if (pub == null) {
        return false;
      }
      BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, ec.len));
      BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, ec.len, 2 * ec.len));
      ECDSASigner verifier = new ECDSASigner();
      verifier.init(false, pub);
      // ECDSASigner rejects r, s outside [1, n-1].
      return verifier.verifySignature(digest(message), r, s);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private ECPublicKeyParameters parse(byte[] x, byte[] y) {
    ECPoint q = y == null ? ec.decodeCompact(x) : ec.decodeXY(x, y);
    if (q == null) {
      return null;
    }
    try {
      return new ECPublicKeyParameters(q, ec.domain);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** For tests: number of cached parsed keys. */
  int cachedKeys() {
    return keys.size();
  }
}
