package io.edhoc.crypto;

import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.bouncycastle.crypto.macs.KMAC;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * SHAKE256 as the EDHOC hash (suite 25), Bouncy Castle (JDK 17 has no public SHAKE/KMAC): hash() =
 * SHAKE256 with 64 bytes of output; EDHOC_Extract(salt, IKM) = KMAC256(salt, IKM, 512, "");
 * EDHOC_Expand(PRK, info, length) = KMAC256(PRK, info, 8 * length, "") (RFC 9528 sections 4.1.1,
 * 4.1.2). KMAC is used with a fixed output length (right_encode(L) is absorbed), not as KMACXOF.
 */
final class ShakeHash implements EdhocHash {
  private static final byte[] EMPTY = new byte[0];

  @Override
  public HashAlgorithm algorithm() {
    return HashAlgorithm.SHAKE256;
  }

  @Override
  public byte[] hash(byte[] data) {
    SHAKEDigest d = new SHAKEDigest(256);
    byte[] in = data == null ? EMPTY : data;
    d.update(in, 0, in.length);
    byte[] out = new byte[64];
    d.doFinal(out, 0, out.length);
    return out;
  }

  @Override
  public byte[] hash(byte[]... parts) {
    SHAKEDigest d = new SHAKEDigest(256);
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[64];
    d.doFinal(out, 0, out.length);
    return out;
  }

  @Override
  public byte[] extract(byte[] salt, byte[] ikm) {
    return kmac256(salt == null ? EMPTY : salt, ikm == null ? EMPTY : ikm, 64);
  }

  @Override
  public byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 0 || length > Integer.MAX_VALUE / 8) {
      throw new IllegalArgumentException("bad output length");
    }
    if (prk == null) {
      throw new IllegalArgumentException("PRK is null");
    }
    return kmac256(prk, info == null ? EMPTY : info, length);
  }

  /** KMAC256(key, data, 8 * length bits, customization ""). */
  static byte[] kmac256(byte[] key, byte[] data, int length) {
    return kmac256(key, data, length, EMPTY);
  }

  static byte[] kmac256(byte[] key, byte[] data, int length, byte[] customization) {
    KMAC kmac = new KMAC(256, customization);
    kmac.init(new KeyParameter(key));
    kmac.update(data, 0, data.length);
    byte[] out = new byte[length];
    kmac.doFinal(out, 0, length);
    return out;
  }
}
