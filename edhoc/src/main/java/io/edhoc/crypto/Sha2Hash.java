package io.edhoc.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;

/**
 * SHA-256 / SHA-384 with HMAC and HKDF (RFC 2104, RFC 5869) on the JDK's MessageDigest (intrinsified, about
 * 5x faster than Bouncy Castle's Java code for EDHOC's short inputs).
 *
 * <p>Each call works on its own MessageDigests, cloned from a prototype made once here rather than
 * looked up with {@code getInstance} (a provider service look-up and a reflective constructor per
 * call). The prototype is never updated: it holds no input and no key, and cloning only reads it,
 * so one shared instance is safe from any number of threads. When a provider's digest cannot be
 * cloned, each call falls back to {@code getInstance}. HMAC (for HKDF) is RFC 2104 written on
 * those digests (see {@link #hmacKey}).
 */
final class Sha2Hash implements EdhocHash {
  private static final Provider SUN = Security.getProvider("SUN");

  private final HashAlgorithm algorithm;
  private final String digestName;
  /** The hash's block size B (RFC 2104): 64 bytes for SHA-256, 128 for SHA-384. */
  private final int blockLength;
  private final int len;
  /** Never updated or initialised; only cloned (null: not cloneable, use getInstance). */
  private final MessageDigest digestPrototype;

  Sha2Hash(HashAlgorithm algorithm) {
    this.algorithm = algorithm;
    switch (algorithm) {
      case SHA_256:
        digestName = "SHA-256";
        blockLength = 64;
        break;
      case SHA_384:
        digestName = "SHA-384";
        blockLength = 128;
        break;
      default:
        throw new IllegalArgumentException("not SHA-2: " + algorithm);
    }
    this.len = algorithm.length();
    this.digestPrototype = cloneable(newDigest());
  }

  private MessageDigest newDigest() {
    try {
      return SUN != null ? MessageDigest.getInstance(digestName, SUN) : MessageDigest.getInstance(digestName);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(digestName + " missing from the JDK", e);
    }
  }

  private static MessageDigest cloneable(MessageDigest prototype) {
    try {
      prototype.clone();
      return prototype;
    } catch (CloneNotSupportedException e) {
      return null;
    }
  }

  /** A fresh, unshared MessageDigest in its initial state. */
  private MessageDigest digest() {
    if (digestPrototype != null) {
      try {
        return (MessageDigest) digestPrototype.clone();
      } catch (CloneNotSupportedException e) {
        // checked in the constructor; fall through
      }
    }
    return newDigest();
  }

  @Override
  public HashAlgorithm algorithm() {
    return algorithm;
  }

  @Override
  public byte[] hash(byte[] data) {
    return digest().digest(data);
  }

  /**
   * HMAC (RFC 2104) keyed with key, as two digests that have absorbed K XOR ipad and K XOR opad:
   * {@code [inner, outer]}. A key longer than the block is hashed first; shorter keys (an empty
   * salt included: RFC 5869 reads it as HashLen zeros, the same HMAC) are zero-padded. Written on
   * MessageDigest rather than javax.crypto.Mac: Mac's set-up (key object, provider checks, and a
   * compression spent re-absorbing K XOR ipad after every doFinal) was most of an HKDF call's cost
   * in the handshake profile; here each HMAC costs the compressions RFC 2104 needs. The padded
   * key block is wiped before return; the two digests hold key-dependent state and are reset by
   * the callers (digest() and reset() clear a JDK digest's state and buffer).
   */
  private MessageDigest[] hmacKey(byte[] key) {
    byte[] k = key.length > blockLength ? digest().digest(key) : key;
    byte[] pad = new byte[blockLength];
    try {
      for (int i = 0; i < k.length; i++) {
        pad[i] = (byte) (k[i] ^ 0x36);
      }
      for (int i = k.length; i < blockLength; i++) {
        pad[i] = 0x36;
      }
      MessageDigest inner = digest();
      inner.update(pad);
      for (int i = 0; i < blockLength; i++) {
        pad[i] ^= 0x36 ^ 0x5c;
      }
      MessageDigest outer = digest();
      outer.update(pad);
      return new MessageDigest[] {inner, outer};
    } finally {
      Arrays.fill(pad, (byte) 0);
      if (k != key) {
        Arrays.fill(k, (byte) 0);
      }
    }
  }

  /**
   * A copy of the keyed digests for one more HMAC with the same key: clones (the JDK's digests),
   * or, for a digest that cannot be cloned, the key absorbed again.
   */
  private MessageDigest[] copy(MessageDigest[] keyed, byte[] key) {
    if (digestPrototype != null) {
      try {
        return new MessageDigest[] {(MessageDigest) keyed[0].clone(), (MessageDigest) keyed[1].clone()};
      } catch (CloneNotSupportedException e) {
        // not expected: the prototype cloned; fall through
      }
    }
    return hmacKey(key);
  }

  @Override
  public byte[] extract(byte[] salt, byte[] ikm) {
    MessageDigest[] h = hmacKey(salt == null ? new byte[0] : salt);
    byte[] inner = h[0].digest(ikm == null ? new byte[0] : ikm);
    h[1].update(inner);
    Arrays.fill(inner, (byte) 0);
    return h[1].digest();
  }

  @Override
  public byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 0 || length > 255 * len) {
      throw new IllegalArgumentException("HKDF-Expand length must be 0.." + 255 * len);
    }
    if (prk == null) {
      throw new IllegalArgumentException("PRK is null");
    }
    byte[] in = info == null ? new byte[0] : info;
    byte[] okm = new byte[length];
    if (length == 0) {
      return okm;
    }
    MessageDigest[] h = hmacKey(prk);
    byte[] t = new byte[0];
    int off = 0;
    try {
      for (int i = 1; off < length; i++) {
        boolean last = off + len >= length;
        // T(i) = HMAC(PRK, T(i-1) | info | i); the keyed digests are copied unless this is the last block
        MessageDigest[] use = last ? h : copy(h, prk);
        MessageDigest inner = use[0];
        MessageDigest outer = use[1];
        inner.update(t);
        inner.update(in);
        inner.update((byte) i);
        byte[] innerHash = inner.digest();
        outer.update(innerHash);
        Arrays.fill(innerHash, (byte) 0);
        byte[] next = outer.digest();
        Arrays.fill(t, (byte) 0);
        t = next;
        int n = Math.min(len, length - off);
        System.arraycopy(t, 0, okm, off, n);
        off += n;
      }
    } finally {
      Arrays.fill(t, (byte) 0);
      h[0].reset();
      h[1].reset();
    }
    return okm;
  }
}
