package io.edhoc.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Round trips, single-bit tampering, and hostile inputs that must never escape as RuntimeException;
 * once per public-key library (the Conscrypt run is skipped where its native library does not load).
 */
@ParameterizedClass(name = "crypto {0}")
@EnumSource(value = CryptoChoice.class, names = {"BOUNCYCASTLE", "CONSCRYPT"})
class TamperAndRobustnessTest {
  private static final SecureRandom RANDOM = DefaultCrypto.get().random();

  @Parameter
  CryptoChoice choice;

  private DefaultCrypto crypto;

  @BeforeEach
  void selectProvider() {
    Assumptions.assumeTrue(choice != CryptoChoice.CONSCRYPT || DefaultCrypto.conscryptAvailable(), "Conscrypt not available here");
    crypto = DefaultCrypto.of(choice);
  }

  private boolean onConscrypt() {
    return choice == CryptoChoice.CONSCRYPT;
  }
  private static final byte[] MSG = "EDHOC message to be signed".getBytes(StandardCharsets.US_ASCII);

  private static void assertReason(ThrowingRunnable r, CryptoException.Reason reason) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static byte[] flip(byte[] b, int bit) {
    byte[] c = b.clone();
    c[bit / 8] ^= (byte) (1 << (bit % 8));
    return c;
  }

  // ------------------------------------------------------------------ AEAD

  @ParameterizedTest
  @EnumSource(AeadAlgorithm.class)
  void aeadRoundTripAndEveryBitFlipRejected(AeadAlgorithm alg) throws Exception {
    Aead a = crypto.aead(alg);
    byte[] key = new byte[alg.keyLength()];
    byte[] iv = new byte[alg.ivLength()];
    RANDOM.nextBytes(key);
    RANDOM.nextBytes(iv);
    byte[] aad = "aad".getBytes(StandardCharsets.US_ASCII);
    byte[] pt = "plaintext of twenty-nine bytes".getBytes(StandardCharsets.US_ASCII);
    byte[] ct = a.encrypt(key, iv, aad, pt);
    assertThat(ct).hasSize(pt.length + alg.tagLength());
    assertThat(a.decrypt(key, iv, aad, ct)).isEqualTo(pt);
    assertThat(a.decrypt(key, iv, null, a.encrypt(key, iv, null, new byte[0]))).isEmpty();
    for (int bit = 0; bit < ct.length * 8; bit++) {
      byte[] bad = flip(ct, bit);
      assertReason(() -> a.decrypt(key, iv, aad, bad), CryptoException.Reason.AUTHENTICATION_FAILED);
    }
    for (int bit = 0; bit < aad.length * 8; bit += 3) {
      byte[] badAad = flip(aad, bit);
      assertReason(() -> a.decrypt(key, iv, badAad, ct), CryptoException.Reason.AUTHENTICATION_FAILED);
    }
    assertReason(() -> a.decrypt(key, flip(iv, 5), aad, ct), CryptoException.Reason.AUTHENTICATION_FAILED);
    assertReason(() -> a.decrypt(flip(key, 9), iv, aad, ct), CryptoException.Reason.AUTHENTICATION_FAILED);
    assertReason(() -> a.decrypt(key, iv, aad, Arrays.copyOf(ct, ct.length - 1)), CryptoException.Reason.AUTHENTICATION_FAILED);
    assertReason(() -> a.decrypt(key, iv, aad, new byte[alg.tagLength() - 1]), CryptoException.Reason.AUTHENTICATION_FAILED);
    assertReason(() -> a.decrypt(key, iv, aad, null), CryptoException.Reason.AUTHENTICATION_FAILED);
    // lengths
    assertReason(() -> a.encrypt(new byte[alg.keyLength() + 1], iv, aad, pt), CryptoException.Reason.INVALID_PARAMETERS);
    assertReason(() -> a.encrypt(null, iv, aad, pt), CryptoException.Reason.INVALID_PARAMETERS);
    assertReason(() -> a.encrypt(key, new byte[alg.ivLength() - 1], aad, pt), CryptoException.Reason.INVALID_PARAMETERS);
    assertReason(() -> a.decrypt(key, new byte[alg.ivLength() + 1], aad, ct), CryptoException.Reason.INVALID_PARAMETERS);
    assertReason(() -> a.encrypt(key, iv, aad, null), CryptoException.Reason.INVALID_PARAMETERS);
    // same key and nonce twice is the caller's business, but must not fail (JDK GCM refuses on one instance)
    assertThat(a.encrypt(key, iv, aad, pt)).isEqualTo(ct);
  }

  // ------------------------------------------------------------------ signatures

  private static final Object[][] SIGNERS = {
    {SignatureAlgorithm.EDDSA, CoseCurve.ED25519},
    {SignatureAlgorithm.EDDSA, CoseCurve.ED448},
    {SignatureAlgorithm.ES256, CoseCurve.P_256},
    {SignatureAlgorithm.ES384, CoseCurve.P_384},
  };

  private CosePrivateKey signingKey(CoseCurve curve) {
    if (curve == CoseCurve.ED25519 || curve == CoseCurve.ED448) {
      byte[] seed = new byte[curve.coordinateLength()];
      RANDOM.nextBytes(seed);
      byte[] pk = new byte[curve.coordinateLength()];
      if (curve == CoseCurve.ED25519) {
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pk, 0);
      } else {
        org.bouncycastle.math.ec.rfc8032.Ed448.generatePublicKey(seed, 0, pk, 0);
      }
      return new CosePrivateKey(curve, seed, new CosePublicKey(curve, pk, null));
    }
    // EC2: the key exchange generates keys of the same shape (scalar, x, y)
    return crypto.keyExchange(curve).generate(RANDOM);
  }

  @Test
  void signaturesRoundTripAndTampering() throws Exception {
    for (Object[] s : SIGNERS) {
      SignatureAlgorithm alg = (SignatureAlgorithm) s[0];
      CoseCurve curve = (CoseCurve) s[1];
      Signer signer = crypto.signer(alg, curve);
      assertThat(signer.algorithm()).isEqualTo(alg);
      assertThat(signer.curve()).isEqualTo(curve);
      CosePrivateKey key = signingKey(curve);
      CosePublicKey pub = key.publicKey();
      byte[] sig = signer.sign(key, MSG);
      int expectedLength = curve == CoseCurve.ED25519 ? 64 : curve == CoseCurve.ED448 ? 114 : 2 * curve.coordinateLength();
      assertThat(sig).as(curve.toString()).hasSize(expectedLength);
      assertThat(signer.verify(pub, MSG, sig)).as(curve.toString()).isTrue();
      if (alg == SignatureAlgorithm.ES256 && onConscrypt()) {
        // BoringSSL's hedged nonce (RNG output mixed with key and digest): a fresh signature each time, both valid
        byte[] again = signer.sign(key, MSG);
        assertThat(again).isNotEqualTo(sig);
        assertThat(signer.verify(pub, MSG, again)).isTrue();
      } else {
        // deterministic: EdDSA by definition, ECDSA on Bouncy Castle by RFC 6979
        assertThat(signer.sign(key, MSG)).isEqualTo(sig);
      }
      for (int bit = 0; bit < sig.length * 8; bit++) {
        assertThat(signer.verify(pub, MSG, flip(sig, bit))).as(curve + " sig bit " + bit).isFalse();
      }
      for (int bit = 0; bit < MSG.length * 8; bit += 7) {
        assertThat(signer.verify(pub, flip(MSG, bit), sig)).isFalse();
      }
      byte[] x = pub.x();
      for (int bit = 0; bit < x.length * 8; bit++) {
        CosePublicKey badKey = new CosePublicKey(curve, flip(x, bit), pub.y());
        assertThat(signer.verify(badKey, MSG, sig)).as(curve + " key bit " + bit).isFalse();
      }
      if (pub.hasY()) {
        byte[] y = pub.y();
        for (int bit = 0; bit < y.length * 8; bit++) {
          assertThat(signer.verify(new CosePublicKey(curve, x, flip(y, bit)), MSG, sig)).isFalse();
        }
        // off-curve / out-of-range coordinates
        byte[] ff = new byte[x.length];
        Arrays.fill(ff, (byte) 0xff);
        assertThat(signer.verify(new CosePublicKey(curve, ff, ff), MSG, sig)).isFalse();
        assertThat(signer.verify(new CosePublicKey(curve, new byte[x.length], new byte[x.length]), MSG, sig)).isFalse();
      }
      // wrong lengths, garbage, nulls
      assertThat(signer.verify(pub, MSG, Arrays.copyOf(sig, sig.length + 1))).isFalse();
      assertThat(signer.verify(pub, MSG, Arrays.copyOf(sig, sig.length - 1))).isFalse();
      assertThat(signer.verify(pub, MSG, new byte[0])).isFalse();
      assertThat(signer.verify(pub, MSG, new byte[sig.length])).isFalse();
      assertThat(signer.verify(pub, MSG, null)).isFalse();
      assertThat(signer.verify(pub, null, sig)).isFalse();
      assertThat(signer.verify(null, MSG, sig)).isFalse();
      Random r = new Random(1);
      for (int i = 0; i < 300; i++) {
        byte[] gx = new byte[x.length];
        byte[] gs = new byte[sig.length];
        r.nextBytes(gx);
        r.nextBytes(gs);
        assertThat(signer.verify(new CosePublicKey(curve, gx, null), MSG, gs)).isFalse();
        assertThat(signer.verify(pub, MSG, gs)).isFalse();
      }
    }
  }

  @Test
  void ecdsaRejectsOutOfRangeAndHighS() throws Exception {
    Signer signer = crypto.signer(SignatureAlgorithm.ES256, CoseCurve.P_256);
    CosePrivateKey key = signingKey(CoseCurve.P_256);
    byte[] sig = signer.sign(key, MSG);
    BigInteger n = new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
    BigInteger r = new BigInteger(1, Arrays.copyOf(sig, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    // (r, n - s) is also a valid ECDSA signature (malleability is inherent to ECDSA); (r + n) is not
    byte[] rPlusN = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, r.add(n).mod(BigInteger.ONE.shiftLeft(256)));
    byte[] bad = sig.clone();
    System.arraycopy(rPlusN, 0, bad, 0, 32);
    if (r.add(n).bitLength() <= 256) {
      assertThat(signer.verify(key.publicKey(), MSG, bad)).isFalse();
    }
    byte[] sPlusN = sig.clone();
    if (s.add(n).bitLength() <= 256) {
      System.arraycopy(org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, s.add(n)), 0, sPlusN, 32, 32);
      assertThat(signer.verify(key.publicKey(), MSG, sPlusN)).isFalse();
    }
  }

  @Test
  void ecdsaKeyWithoutYIsReadAsEvenY() throws Exception {
    Signer signer = crypto.signer(SignatureAlgorithm.ES256, CoseCurve.P_256);
    for (int i = 0; i < 8; i++) {
      CosePrivateKey key = signingKey(CoseCurve.P_256);
      byte[] sig = signer.sign(key, MSG);
      byte[] y = key.publicKey().y();
      boolean evenY = (y[y.length - 1] & 1) == 0;
      assertThat(signer.verify(new CosePublicKey(CoseCurve.P_256, key.publicKey().x(), null), MSG, sig)).isEqualTo(evenY);
    }
  }

  @Test
  void signWithWrongKeyTypeIsInvalidParameters() {
    CosePrivateKey x25519 = crypto.keyExchange(CoseCurve.X25519).generate(RANDOM);
    assertReason(() -> crypto.signer(SignatureAlgorithm.EDDSA, CoseCurve.ED25519).sign(x25519, MSG), CryptoException.Reason.INVALID_PARAMETERS);
    assertReason(() -> crypto.signer(SignatureAlgorithm.ES256, CoseCurve.P_256).sign(x25519, MSG), CryptoException.Reason.INVALID_PARAMETERS);
    CosePrivateKey zero = new CosePrivateKey(CoseCurve.P_256, new byte[32], null);
    assertReason(() -> crypto.signer(SignatureAlgorithm.ES256, CoseCurve.P_256).sign(zero, MSG), CryptoException.Reason.INVALID_PARAMETERS);
  }

  // ------------------------------------------------------------------ key exchange

  @ParameterizedTest
  @EnumSource(value = CoseCurve.class, names = {"X25519", "X448", "P_256", "P_384"})
  void keyExchangeAgreesAndRejectsHostileKeys(CoseCurve curve) throws Exception {
    KeyExchange kx = crypto.keyExchange(curve);
    assertThat(kx.curve()).isEqualTo(curve);
    CosePrivateKey a = kx.generate(RANDOM);
    CosePrivateKey b = kx.generate(RANDOM);
    assertThat(a.publicKey().x()).hasSize(curve.coordinateLength());
    assertThat(a.publicKey().hasY()).isEqualTo(curve == CoseCurve.P_256 || curve == CoseCurve.P_384);
    byte[] ab = kx.agree(a, b.publicKey().x());
    byte[] ba = kx.agree(b, a.publicKey().x());
    assertThat(ab).hasSize(curve.coordinateLength()).isEqualTo(ba);
    int len = curve.coordinateLength();
    // wrong lengths, null, all-zero, all-ones, random garbage: CryptoException(INVALID_PUBLIC_KEY) or a result; never a RuntimeException
    for (byte[] bad : new byte[][] {null, new byte[0], new byte[len - 1], new byte[len + 1]}) {
      assertReason(() -> kx.agree(a, bad), CryptoException.Reason.INVALID_PUBLIC_KEY);
    }
    if (curve == CoseCurve.X25519 || curve == CoseCurve.X448) {
      // u = 0 gives an all-zero result. (For P-256/P-384, x = 0 is a valid point.)
      assertReason(() -> kx.agree(a, new byte[len]), CryptoException.Reason.INVALID_PUBLIC_KEY);
    } else {
      assertThat(kx.agree(a, new byte[len])).hasSize(len);
    }
    byte[] ff = new byte[len];
    Arrays.fill(ff, (byte) 0xff);
    if (curve == CoseCurve.P_256 || curve == CoseCurve.P_384) {
      assertReason(() -> kx.agree(a, ff), CryptoException.Reason.INVALID_PUBLIC_KEY); // x >= p
      BigInteger p = curve == CoseCurve.P_256
          ? new BigInteger("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16)
          : BigInteger.ONE.shiftLeft(384).subtract(BigInteger.ONE.shiftLeft(128)).subtract(BigInteger.ONE.shiftLeft(96)).add(BigInteger.ONE.shiftLeft(32)).subtract(BigInteger.ONE);
      byte[] pBytes = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(len, p);
      assertReason(() -> kx.agree(a, pBytes), CryptoException.Reason.INVALID_PUBLIC_KEY);
      // x + p encodes the same residue but is not canonical: must be rejected, not reduced
      byte[] x = a.publicKey().x();
      BigInteger xPlusP = new BigInteger(1, x).add(p);
      if (xPlusP.bitLength() <= 8 * len) {
        byte[] alias = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(len, xPlusP);
        assertReason(() -> kx.agree(b, alias), CryptoException.Reason.INVALID_PUBLIC_KEY);
      }
    }
    Random r = new Random(curve.ordinal());
    int rejected = 0;
    for (int i = 0; i < 500; i++) {
      byte[] g = new byte[r.nextInt(4) == 0 ? r.nextInt(2 * len + 2) : len];
      r.nextBytes(g);
      try {
        assertThat(kx.agree(a, g)).hasSize(len);
      } catch (CryptoException e) {
        assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_PUBLIC_KEY);
        if (g.length > 0) {
          assertThat(e.getMessage()).doesNotContain(Hex.encode(g));
        }
        rejected++;
      }
    }
    if (curve == CoseCurve.P_256 || curve == CoseCurve.P_384) {
      assertThat(rejected).as("about half of random x have no point").isBetween(150, 450);
    }
    // private key on another curve
    CosePrivateKey other = crypto.keyExchange(curve == CoseCurve.X25519 ? CoseCurve.P_256 : CoseCurve.X25519).generate(RANDOM);
    assertReason(() -> kx.agree(other, b.publicKey().x()), CryptoException.Reason.INVALID_PARAMETERS);
  }

  @Test
  void x25519LowOrderPointsRejected() {
    KeyExchange kx = crypto.keyExchange(CoseCurve.X25519);
    CosePrivateKey a = kx.generate(RANDOM);
    // u = 0, u = 1 and u = p - 1 are low order
    byte[] one = new byte[32];
    one[0] = 1;
    byte[] pMinus1 = Hex.decode("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    for (byte[] u : new byte[][] {new byte[32], one, pMinus1}) {
      assertReason(() -> kx.agree(a, u), CryptoException.Reason.INVALID_PUBLIC_KEY);
    }
  }

  // ------------------------------------------------------------------ HKDF

  @Test
  void hkdfLimitsAndEmptySalt() {
    for (HashAlgorithm alg : new HashAlgorithm[] {HashAlgorithm.SHA_256, HashAlgorithm.SHA_384}) {
      EdhocHash h = crypto.hash(alg);
      assertThat(h.length()).isEqualTo(alg.length());
      byte[] ikm = "ikm".getBytes(StandardCharsets.US_ASCII);
      assertThat(h.extract(new byte[0], ikm)).isEqualTo(h.extract(new byte[alg.length()], ikm));
      byte[] prk = h.extract(null, ikm);
      assertThat(h.expand(prk, new byte[0], 255 * alg.length())).hasSize(255 * alg.length());
      assertThatThrownBy(() -> h.expand(prk, new byte[0], 255 * alg.length() + 1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> h.expand(prk, new byte[0], -1)).isInstanceOf(IllegalArgumentException.class);
      assertThat(h.expand(prk, new byte[0], 0)).isEmpty();
      // prefix property of HKDF-Expand
      assertThat(h.expand(prk, ikm, 10)).isEqualTo(Arrays.copyOf(h.expand(prk, ikm, 100), 10));
      assertThat(h.hash(new byte[0])).hasSize(alg.length());
    }
  }

  // ------------------------------------------------------------------ provider

  @Test
  void providerIsASingletonAndRejectsUnsupportedCombinations() {
    assertThat(DefaultCrypto.of(choice)).isSameAs(crypto);
    assertThat(crypto.random()).isNotNull();
    assertThatThrownBy(() -> crypto.keyExchange(CoseCurve.ED25519)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> crypto.signer(SignatureAlgorithm.ES256, CoseCurve.P_384)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> crypto.signer(SignatureAlgorithm.EDDSA, CoseCurve.X25519)).isInstanceOf(IllegalArgumentException.class);
    for (HashAlgorithm h : HashAlgorithm.values()) {
      assertThat(crypto.hash(h).algorithm()).isEqualTo(h);
    }
    for (AeadAlgorithm a : AeadAlgorithm.values()) {
      assertThat(crypto.aead(a).algorithm()).isEqualTo(a);
    }
  }

  @Test
  void concurrentUseIsSafe() throws Exception {
    Signer es256 = crypto.signer(SignatureAlgorithm.ES256, CoseCurve.P_256);
    Signer ed = crypto.signer(SignatureAlgorithm.EDDSA, CoseCurve.ED25519);
    List<CosePrivateKey> ecKeys = new ArrayList<>();
    List<CosePrivateKey> edKeys = new ArrayList<>();
    for (int i = 0; i < 80; i++) { // more keys than the caches hold: exercises eviction
      ecKeys.add(signingKey(CoseCurve.P_256));
      edKeys.add(signingKey(CoseCurve.ED25519));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        final int seed = t;
        results.add(pool.submit(() -> {
          Random r = new Random(seed);
          for (int i = 0; i < 150; i++) {
            CosePrivateKey k = ecKeys.get(r.nextInt(ecKeys.size()));
            CosePrivateKey e = edKeys.get(r.nextInt(edKeys.size()));
            byte[] m = new byte[r.nextInt(50)];
            r.nextBytes(m);
            if (!es256.verify(k.publicKey(), m, es256.sign(k, m)) || !ed.verify(e.publicKey(), m, ed.sign(e, m))) {
              return false;
            }
            if (es256.verify(k.publicKey(), flip(m.length == 0 ? new byte[1] : m, 0), es256.sign(k, m))) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    if (onConscrypt()) {
      assertThat(((ConscryptEcdsaSigner) es256).cachedKeys()).isBetween(1, 64);
      assertThat(((ConscryptEdDsaSigner) ed).cachedKeys()).isBetween(1, 64);
    } else {
      assertThat(((EcdsaSigner) es256).cachedKeys()).isBetween(1, 64);
      assertThat(((EdDsaSigner) ed).cachedKeys()).isBetween(1, 64);
    }
  }
}
