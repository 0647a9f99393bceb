package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * ES256 on BoringSSL. Signatures leave BoringSSL as DER and COSE wants raw r || s (RFC 9053
 * section 2.1), so both directions are converted here.
 *
 * <p>Not RFC 6979: BoringSSL draws the nonce from its RNG with a hash of the private key and the
 * digest mixed in as additional input, so a broken or repeated RNG output still gives distinct
 * nonces for distinct messages; see docs/security.md, "ECDSA nonces", for why that is kept and what
 * deterministic signing would cost.
 */
final class ConscryptEcdsaSigner implements Signer {
  private static final int LEN = 32;

  private final ConscryptP256 p256;
  private final BoundedCache<PublicKey> keys = new BoundedCache<>(64);

  ConscryptEcdsaSigner(ConscryptP256 p256) {
    this.p256 = p256;
  }

  @Override
  public SignatureAlgorithm algorithm() {
    return SignatureAlgorithm.ES256;
  }

  @Override
  public CoseCurve curve() {
    return CoseCurve.P_256;
  }

  @Override
  public byte[] sign(CosePrivateKey key, byte[] message) throws CryptoException {
    if (key == null || key.curve() != CoseCurve.P_256 || message == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "need a " + CoseCurve.P_256 + " private key and a message");
    }
    PrivateKey d = p256.privateKey(key);
    if (d == null) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "private scalar out of range");
    }
    try {
      Signature s = Signature.getInstance("SHA256withECDSA", p256.provider);
      s.initSign(d);
      s.update(message);
      byte[] raw = derToRaw(s.sign(), LEN);
      if (raw == null) {
        throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "unexpected signature encoding from BoringSSL");
      }
      return raw;
    } catch (GeneralSecurityException e) {
      throw new CryptoException(CryptoException.Reason.INVALID_PARAMETERS, "ES256 signing failed");
    }
  }

  /** Verifies r || s; a key without y is read as 0x02 || x, as on the Bouncy Castle path. */
  @Override
  public boolean verify(CosePublicKey key, byte[] message, byte[] signature) {
    if (key == null || key.curve() != CoseCurve.P_256 || message == null || signature == null || signature.length != 2 * LEN) {
      return false;
    }
    try {
      byte[] x = key.x();
      byte[] y = key.y();
      byte[] cacheKey;
      if (y == null) {
        cacheKey = x;
      } else {
        cacheKey = new byte[2 * LEN];
        System.arraycopy(x, 0, cacheKey, 0, LEN);
        System.arraycopy(y, 0, cacheKey, LEN, LEN);
      }
      PublicKey pub = keys.get(cacheKey, b -> y == null ? p256.fromX(x) : p256.fromXY(x, y));
      if (pub == null) {
        return false;
      }
      Signature s = Signature.getInstance("SHA256withECDSA", p256.provider);
      s.initVerify(pub);
      s.update(message);
      // BoringSSL rejects r or s outside [1, n-1]
      return s.verify(rawToDer(signature, LEN));
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  long privateKeyParses() {
    return p256.privateKeyParses.sum();
  }

  int cachedKeys() {
    return keys.size();
  }

  // ---- DER <-> raw r || s ----

  /**
   * SEQUENCE { INTEGER r, INTEGER s } from raw r || s (each len bytes, big-endian), with minimal
   * INTEGER encodings (no superfluous leading zeros, a 0x00 where the top bit is set).
   */
  static byte[] rawToDer(byte[] raw, int len) {
    byte[] r = integer(raw, 0, len);
    byte[] s = integer(raw, len, len);
    int body = r.length + s.length;
    byte[] out;
    int o;
    if (body < 128) {
      out = new byte[2 + body];
      out[0] = 0x30;
      out[1] = (byte) body;
      o = 2;
    } else {
      out = new byte[3 + body];
      out[0] = 0x30;
      out[1] = (byte) 0x81;
      out[2] = (byte) body;
      o = 3;
    }
    System.arraycopy(r, 0, out, o, r.length);
    System.arraycopy(s, 0, out, o + r.length, s.length);
    return out;
  }

  private static byte[] integer(byte[] raw, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end - 1 && raw[i] == 0) {
      i++;
    }
    boolean pad = (raw[i] & 0x80) != 0;
    int n = end - i + (pad ? 1 : 0);
    byte[] out = new byte[2 + n];
    out[0] = 0x02;
    out[1] = (byte) n;
    System.arraycopy(raw, i, out, 2 + (pad ? 1 : 0), end - i);
    return out;
  }

  /** Raw r || s (each len bytes) from BoringSSL's DER signature; null if it is not the expected shape. */
  static byte[] derToRaw(byte[] der, int len) {
    if (der == null || der.length < 8 || der[0] != 0x30) {
      return null;
    }
    int o;
    int body;
    if ((der[1] & 0x80) == 0) {
      body = der[1];
      o = 2;
    } else if (der[1] == (byte) 0x81) {
      body = der[2] & 0xff;
      o = 3;
    } else {
      return null;
    }
    if (o + body != der.length) {
      return null;
    }
    byte[] out = new byte[2 * len];
    for (int k = 0; k < 2; k++) {
      if (o + 2 > der.length || der[o] != 0x02) {
        return null;
      }
      int n = der[o + 1] & 0xff;
      int start = o + 2;
      if (n == 0 || n > 127 || start + n > der.length) {
        return null;
      }
      int from = start;
      int cnt = n;
      while (cnt > len && der[from] == 0) {
        from++;
        cnt--;
      }
      if (cnt > len) {
        return null;
      }
      System.arraycopy(der, from, out, k * len + (len - cnt), cnt);
      o = start + n;
    }
    return o == der.length ? out : null;
  }
}
