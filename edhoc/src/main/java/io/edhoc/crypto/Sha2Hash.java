package io.edhoc.crypto;

import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;

/**
 * SHA-256 / SHA-384 with HMAC and HKDF (RFC 2104, RFC 5869) on the JDK's MessageDigest (intrinsified, about
 * 5x faster than Bouncy Castle's Java code for EDHOC's short inputs).
 *
 * <p>Each thread works on MessageDigests of its own, made once per thread and reset after every
 * call, rather than digests looked up with {@code getInstance} per call (a provider service
 * look-up and a reflective constructor) or cloned per call: a clone of the JDK's SHA-2 is an
 * object, its state, its message schedule and its buffer (about 450 bytes for SHA-256), three to
 * four of them per HMAC, and a served handshake ran about twenty HMACs, most of the responder's
 * garbage (docs/performance.md, "Overload: 2x by bench's own clock"). Now a call allocates its
 * result and nothing else.
 * HMAC is RFC 2104 written on those digests (see {@link #key}).
 *
 * <p>Secrets: the digests hold key-dependent state only during a call; every call ends by resetting
 * them (the JDK's reset zeroes a digest's state, schedule and buffer) and zeroing the padded key and
 * intermediate blocks, also when it fails. Not reentrant on one thread, which nothing here needs:
 * no call makes another.
 */
final class Sha2Hash implements EdhocHash {
  private static final Provider SUN = Security.getProvider("SUN");

  private final HashAlgorithm algorithm;
  private final String digestName;
  /** The hash's block size B (RFC 2104): 64 bytes for SHA-256, 128 for SHA-384. */
  private final int blockLength;
  private final int len;
  private final ThreadLocal<Work> work;

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
    newDigest(); // fail here, not on first use, if the JDK lacks it
    this.work = ThreadLocal.withInitial(Work::new);
  }

  private MessageDigest newDigest() {
    try {
      return SUN != null ? MessageDigest.getInstance(digestName, SUN) : MessageDigest.getInstance(digestName);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(digestName + " missing from the JDK", e);
    }
  }

  /** One thread's digests and scratch blocks, clean between calls. */
  private final class Work {
    /** Plain hashing, and keys longer than a block. */
    final MessageDigest plain = newDigest();
    /** HMAC's inner and outer hash, keyed by {@link #key} at the start of each HMAC. */
    final MessageDigest inner = newDigest();
    final MessageDigest outer = newDigest();
    /** K XOR ipad, then K XOR opad. */
    final byte[] pad = new byte[blockLength];
    /** The inner hash of an HMAC. */
    final byte[] innerHash = new byte[len];
    /** HKDF-Expand's T(i-1). */
    final byte[] t = new byte[len];

    /** Ends a call: no key-dependent state stays behind. */
    void clear() {
      plain.reset();
      inner.reset();
      outer.reset();
      Arrays.fill(pad, (byte) 0);
      Arrays.fill(innerHash, (byte) 0);
      Arrays.fill(t, (byte) 0);
    }
  }

  @Override
  public HashAlgorithm algorithm() {
    return algorithm;
  }

  @Override
  public byte[] hash(byte[] data) {
    MessageDigest d = work.get().plain;
    try {
      return d.digest(data);
    } finally {
      d.reset();
    }
  }

  /**
   * Starts an HMAC (RFC 2104) keyed with {@code key}: {@code w.inner} absorbs K XOR ipad and
   * {@code w.outer} K XOR opad. A key longer than the block is hashed first; shorter keys (an empty
   * salt included: RFC 5869 reads it as HashLen zeros, the same HMAC) are zero-padded.
   */
  private void key(Work w, byte[] key) {
    byte[] k = key.length > blockLength ? w.plain.digest(key) : key;
    try {
      byte[] pad = w.pad;
      for (int i = 0; i < k.length; i++) {
        pad[i] = (byte) (k[i] ^ 0x36);
      }
      Arrays.fill(pad, k.length, blockLength, (byte) 0x36);
      w.inner.update(pad);
      for (int i = 0; i < blockLength; i++) {
        pad[i] ^= 0x36 ^ 0x5c;
      }
      w.outer.update(pad);
      Arrays.fill(pad, (byte) 0);
    } finally {
      if (k != key) {
        Arrays.fill(k, (byte) 0);
      }
    }
  }

  /** Finishes an HMAC whose message {@code w.inner} has absorbed: the tag goes to {@code out}. */
  private void finish(Work w, byte[] out) throws DigestException {
    w.inner.digest(w.innerHash, 0, len);
    w.outer.update(w.innerHash, 0, len);
    w.outer.digest(out, 0, len);
  }

  @Override
  public byte[] hash(byte[]... parts) {
    MessageDigest d = work.get().plain;
    try {
      for (byte[] p : parts) {
        d.update(p);
      }
      return d.digest();
    } finally {
      d.reset();
    }
  }

  @Override
  public byte[] extract(byte[] salt, byte[] ikm) {
    Work w = work.get();
    try {
      key(w, salt == null ? new byte[0] : salt);
      if (ikm != null) {
        w.inner.update(ikm);
      }
      byte[] prk = new byte[len];
      finish(w, prk);
      return prk;
    } catch (DigestException e) {
      throw new IllegalStateException(digestName, e);
    } finally {
      w.clear();
    }
  }

  @Override
  public byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 0 || length > 255 * len) {
      throw new IllegalArgumentException("HKDF-Expand length must be 0.." + 255 * len);
    }
    if (prk == null) {
      throw new IllegalArgumentException("PRK is null");
    }
    byte[] okm = new byte[length];
    if (length == 0) {
      return okm;
    }
    Work w = work.get();
    try {
      for (int i = 1, off = 0; off < length; i++) {
        // T(i) = HMAC(PRK, T(i-1) | info | i), T(0) empty; keyed again per block (two compressions)
        // instead of copying the keyed digests: most of EDHOC's expansions are one block
        key(w, prk);
        if (i > 1) {
          w.inner.update(w.t, 0, len);
        }
        if (info != null) {
          w.inner.update(info);
        }
        w.inner.update((byte) i);
        finish(w, w.t);
        int n = Math.min(len, length - off);
        System.arraycopy(w.t, 0, okm, off, n);
        off += n;
      }
      return okm;
    } catch (DigestException e) {
      throw new IllegalStateException(digestName, e);
    } finally {
      w.clear();
    }
  }
}
