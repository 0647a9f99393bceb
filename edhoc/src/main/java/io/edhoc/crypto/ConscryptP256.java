package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.KeyAgreement;
import javax.security.auth.DestroyFailedException;
import javax.security.auth.Destroyable;

/**
 * P-256 keys for BoringSSL (through a Conscrypt provider object), shared by ECDH and ES256.
 *
 * <p>EDHOC's compact keys (x only, RFC 9528 section 3.7) go to BoringSSL as a compressed point
 * 0x02 || x inside a SubjectPublicKeyInfo: BoringSSL computes y (the square root) and rejects an
 * x that is not below p or has no point on the curve. That is cheaper than decompressing in Java
 * and handing over x and y (measured: 13.7 µs vs 17.2 µs). A compressed point cannot encode the
 * point at infinity and P-256 has cofactor 1, so a key BoringSSL accepts is a valid public key.
 *
 * <p>Private keys are kept with the {@link CosePrivateKey} ({@link CosePrivateKey#providerForm})
 * as a {@link NativeKey}: an ephemeral key with the BoringSSL key it was generated as; a key given
 * as bytes (a credential's, or an ephemeral key back from the session store) as PKCS#8, which
 * BoringSSL parses once per key agreement initialised with it (the agreements are then reused,
 * see {@link #agree}) and once into Conscrypt's key object if the key signs.
 */
final class ConscryptP256 {
  /** DER SubjectPublicKeyInfo prefixes for id-ecPublicKey / prime256v1 with a compressed or uncompressed point. */
  private static final byte[] SPKI_COMPRESSED = hex("3039301306072a8648ce3d020106082a8648ce3d030107032200");
  private static final byte[] SPKI_UNCOMPRESSED = hex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
  /**
   * DER PrivateKeyInfo (RFC 5208) for id-ecPublicKey / prime256v1 around an ECPrivateKey (RFC 5915,
   * version 1, no optional fields) up to its 32-byte privateKey octets.
   */
  private static final byte[] PKCS8_PREFIX = hex("3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420");
  private static final int LEN = 32;

  /** The token under which BoringSSL EC keys are kept with a CosePrivateKey. */
  private final Object owner = new Object();
  final Provider provider;
  /** Private keys parsed into BoringSSL form, by a key agreement's init or for a signature (for tests: once per credential key and thread, never per handshake). */
  final java.util.concurrent.atomic.LongAdder privateKeyParses = new java.util.concurrent.atomic.LongAdder();
  /** ECDH key agreements initialised (for tests: once per ephemeral key and once per static key and thread). */
  final java.util.concurrent.atomic.LongAdder agreementInits = new java.util.concurrent.atomic.LongAdder();

  /**
   * Initialised generators, reused: initialising one per key gave BoringSSL a new EC_GROUP per
   * handshake, a finalizable native reference that survives a young collection (see
   * {@link #generate}). A JCA generator is not thread-safe, so each call takes one from this pool
   * (or makes one when all are in use) and returns it: no lock around the key generation, and the
   * pool never holds more generators than threads have generated keys at the same time.
   */
  private final java.util.concurrent.ConcurrentLinkedQueue<KeyPairGenerator> generators = new java.util.concurrent.ConcurrentLinkedQueue<>();

  ConscryptP256(Provider provider) {
    this.provider = provider;
    try {
      KeyPairGenerator g = newGenerator();
      g.generateKeyPair(); // fails here, not in a handshake, where P-256 is missing
      generators.add(g);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalStateException("Conscrypt offers no P-256 key generation", e);
    }
  }

  /** Generators idle in the pool (for tests: at most the number of threads that generated at once). */
  int idleGenerators() {
    return generators.size();
  }

  private KeyPairGenerator newGenerator() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g;
  }

  /**
   * A fresh key pair from BoringSSL's generator. BoringSSL draws the scalar from its own RNG (the
   * OS entropy source); the SecureRandom argument of the interface is not used on this path.
   *
   * <p>The public key is read from its DER encoding rather than through {@code getW()}: Conscrypt
   * builds a finalizable EC_POINT reference on every {@code getW()} call. Each Java object with a
   * native reference lives until the finalizer thread has run after a collection, so it is copied
   * by a young collection; under load these references were most of what the young pauses
   * copied (docs/performance.md).
   */
  CosePrivateKey generate(SecureRandom ignored) {
    KeyPairGenerator g = generators.poll();
    KeyPair kp;
    try {
      if (g == null) {
        g = newGenerator();
      }
      kp = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 key generation failed", e);
    }
    generators.offer(g);
    CosePublicKey cpub = publicKeyOf(kp.getPublic().getEncoded());
    byte[] d = fixed(((ECPrivateKey) kp.getPrivate()).getS());
    try {
      CosePrivateKey key = new CosePrivateKey(CoseCurve.P_256, d, cpub);
      NativeKey native0 = new NativeKey(kp.getPrivate(), null);
      key.providerForm(owner, s -> native0);
      return key;
    } finally {
      Arrays.fill(d, (byte) 0);
    }
  }

  /** x and y from an uncompressed P-256 SubjectPublicKeyInfo (the only form BoringSSL encodes). */
  static CosePublicKey publicKeyOf(byte[] spki) {
    int at = SPKI_UNCOMPRESSED.length;
    if (spki.length != at + 1 + 2 * LEN || !Arrays.equals(spki, 0, at, SPKI_UNCOMPRESSED, 0, at) || spki[at] != 0x04) {
      throw new IllegalStateException("unexpected encoding of a generated P-256 public key");
    }
    return new CosePublicKey(CoseCurve.P_256, Arrays.copyOfRange(spki, at + 1, at + 1 + LEN), Arrays.copyOfRange(spki, at + 1 + LEN, spki.length));
  }

  /**
   * Conscrypt's object for a P-256 private key (for signatures), or null if the scalar is not in
   * [1, n-1]: a generated key has it from the generator, a parsed key gets it on first use.
   */
  PrivateKey privateKey(CosePrivateKey key) {
    NativeKey k = nativeKey(key);
    return k == null ? null : k.full(this);
  }

  /** The provider form of a P-256 private key with its idle key agreements, or null if the scalar is not in [1, n-1]. */
  NativeKey nativeKey(CosePrivateKey key) {
    return (NativeKey) key.providerForm(owner, d -> {
      byte[] der = pkcs8(d);
      return der == null ? null : new NativeKey(null, new Pkcs8Key(der));
    });
  }

  /**
   * ECDH of {@code own} with a validated peer key. A JCA key agreement stays initialised with its
   * private key after {@code generateSecret}, so each key keeps the agreements it has used and the
   * next agreement with that key takes one of them: Conscrypt builds a finalizable EC_GROUP
   * reference on every {@code init}, which a static key (methods 1-3) would otherwise pay once
   * per handshake (see {@link #generate} on why those references matter). The pool of a key
   * holds at most as many agreements as threads have used the key at the same time.
   *
   * <p>A parsed key goes to {@code init} as PKCS#8 bytes ({@link Pkcs8Key}): Conscrypt then parses
   * it straight into a native key, without the key object, group context and curve parameters
   * (BigIntegers) that its {@code KeyFactory} builds around one: the responder's ephemeral key,
   * parsed again at message_3 after the session store, costs one finalizable reference less.
   *
   * @return the shared secret, or null when BoringSSL refuses
   */
  byte[] agree(NativeKey own, PublicKey peer) {
    KeyAgreement ka = own.agreements.poll();
    try {
      if (ka == null) {
        ka = KeyAgreement.getInstance("ECDH", provider);
        PrivateKey full = own.full;
        if (full != null) {
          ka.init(full);
        } else {
          ka.init(own.pkcs8);
          privateKeyParses.increment();
        }
        agreementInits.increment();
      }
      ka.doPhase(peer, true);
      byte[] z = ka.generateSecret();
      own.agreements.offer(ka); // only after a complete agreement: a failed one is dropped
      return z;
    } catch (GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  /** A P-256 private key in provider form and the key agreements initialised with it, idle. */
  static final class NativeKey implements Destroyable {
    /** Conscrypt's key object: from the generator, or parsed from {@link #pkcs8} on first signature. */
    private volatile PrivateKey full;
    /** The key as PKCS#8 (parsed keys only), wiped on destroy. */
    private final Pkcs8Key pkcs8;
    private final ConcurrentLinkedQueue<KeyAgreement> agreements = new ConcurrentLinkedQueue<>();

    NativeKey(PrivateKey full, Pkcs8Key pkcs8) {
      this.full = full;
      this.pkcs8 = pkcs8;
    }

    /** True once Conscrypt's key object exists (for tests: ECDH alone never builds it for a parsed key). */
    boolean hasKeyObject() {
      return full != null;
    }

    /** Conscrypt's key object, parsed once (null if BoringSSL refuses it). */
    PrivateKey full(ConscryptP256 p256) {
      PrivateKey f = full;
      if (f == null && pkcs8 != null) {
        synchronized (this) {
          f = full;
          if (f == null) {
            f = p256.parsePrivate(pkcs8);
            full = f;
          }
        }
      }
      return f;
    }

    /** Forgets the agreements and wipes the PKCS#8 copy (a native key is freed when collected; BoringSSL keys cannot be wiped from Java). */
    @Override
    public void destroy() {
      agreements.clear();
      if (pkcs8 != null) {
        pkcs8.destroy();
      }
      // Conscrypt's EC private key does not implement destroy(): Destroyable's default throws a
      // DestroyFailedException, whose stack trace cost more than the rest of an ephemeral key's
      // life (the allocation profile of the served responder). Dropping the reference is all Java
      // can do: BoringSSL clears the key when the collected object's native key is freed.
      full = null;
    }
  }

  /**
   * A private key as PKCS#8 bytes only, which Conscrypt accepts wherever it takes a private key
   * (it parses {@link #getEncoded()} itself). Not serializable in practice: the bytes are transient.
   */
  static final class Pkcs8Key implements PrivateKey {
    private static final long serialVersionUID = 1L;
    private final transient byte[] der;
    private volatile boolean destroyed;

    Pkcs8Key(byte[] der) {
      this.der = der;
    }

    @Override
    public String getAlgorithm() {
      return "EC";
    }

    @Override
    public String getFormat() {
      return "PKCS#8";
    }

    /** A copy; null once destroyed. */
    @Override
    public byte[] getEncoded() {
      return destroyed ? null : der.clone();
    }

    @Override
    public void destroy() {
      destroyed = true;
      Arrays.fill(der, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
      return destroyed;
    }

    @Override
    public String toString() {
      return "Pkcs8Key[P-256, secret hidden]";
    }
  }

  /**
   * PKCS#8 with the named curve for a scalar in [1, n-1], or null. BoringSSL parses it as it is;
   * an ECPrivateKeySpec with explicit parameters made Conscrypt look the curve up by printing its
   * numbers as decimal strings (about 10.7 KB of garbage per parse against 1.7 KB).
   */
  private static byte[] pkcs8(byte[] d) {
    BigInteger s = EcCurve.P256.scalar(d);
    if (s == null) {
      return null;
    }
    byte[] der = Arrays.copyOf(PKCS8_PREFIX, PKCS8_PREFIX.length + LEN);
    byte[] scalar = fixed(s); // exactly 32 bytes, whatever length the key was given in
    System.arraycopy(scalar, 0, der, PKCS8_PREFIX.length, LEN);
    Arrays.fill(scalar, (byte) 0);
    return der;
  }

  /** Conscrypt's key object for a PKCS#8 key, or null when BoringSSL refuses it. */
  private PrivateKey parsePrivate(Pkcs8Key key) {
    byte[] der = key.getEncoded();
    if (der == null) {
      return null;
    }
    privateKeyParses.increment();
    try {
      return KeyFactory.getInstance("EC", provider).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      return null;
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** The point 0x02 || x (RFC 9528 Appendix B), validated by BoringSSL; null when x is not a valid P-256 x-coordinate. */
  PublicKey fromX(byte[] x) {
    if (x == null || x.length != LEN) {
      return null;
    }
    byte[] spki = Arrays.copyOf(SPKI_COMPRESSED, SPKI_COMPRESSED.length + 1 + LEN);
    spki[SPKI_COMPRESSED.length] = 0x02;
    System.arraycopy(x, 0, spki, SPKI_COMPRESSED.length + 1, LEN);
    return parsePublic(spki);
  }

  /** The point (x, y), validated by BoringSSL (coordinates below p, on the curve); null when invalid. */
  PublicKey fromXY(byte[] x, byte[] y) {
    if (x == null || y == null || x.length != LEN || y.length != LEN) {
      return null;
    }
    byte[] spki = Arrays.copyOf(SPKI_UNCOMPRESSED, SPKI_UNCOMPRESSED.length + 1 + 2 * LEN);
    spki[SPKI_UNCOMPRESSED.length] = 0x04;
    System.arraycopy(x, 0, spki, SPKI_UNCOMPRESSED.length + 1, LEN);
    System.arraycopy(y, 0, spki, SPKI_UNCOMPRESSED.length + 1 + LEN, LEN);
    return parsePublic(spki);
  }

  private PublicKey parsePublic(byte[] spki) {
    try {
      return KeyFactory.getInstance("EC", provider).generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  static byte[] fixed(BigInteger v) {
    return EcCurve.P256.encode(v);
  }

  private static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}
