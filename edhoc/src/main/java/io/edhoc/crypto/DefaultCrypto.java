package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;

/**
 * The default crypto provider: per primitive the fastest implementation that passes the
 * Wycheproof vectors (see docs/performance.md, "Primitives").
 *
 * <ul>
 *   <li>X25519 / X448: Bouncy Castle {@code math.ec.rfc7748}; all-zero results rejected.
 *   <li>P-256 / P-384 ECDH: Bouncy Castle custom curves, x-only keys decoded as 0x02 || x.
 *   <li>Ed25519 / Ed448: Bouncy Castle {@code math.ec.rfc8032}, pure, empty context.
 *   <li>ES256 / ES384: Bouncy Castle ECDSA on the custom curves, deterministic (RFC 6979)
 *       signing, JDK SHA-2 for the message digest, cached parsed public keys.
 *   <li>AES-CCM: Bouncy Castle (the JDK has none). A128GCM / A256GCM: JDK SunJCE.
 *       ChaCha20-Poly1305: JDK SunJCE.
 *   <li>SHA-256 / SHA-384 and HKDF: JDK. SHAKE256 / KMAC256: Bouncy Castle.
 *   <li>random(): JDK {@code DRBG} (NIST SP 800-90A Hash_DRBG, SHA-256, 256-bit strength, seeded
 *       and reseeded from the OS entropy source); thread-safe.
 * </ul>
 *
 * All instances are stateless or thread-safe and shared.
 */
public final class DefaultCrypto implements CryptoProvider {
  private static final DefaultCrypto INSTANCE = new DefaultCrypto();

  /** ChaCha20-Poly1305 from the JDK (SunJCE) rather than Bouncy Castle: faster in the JMH run (2.2 vs 7.5 us per 100 B). */
  static final boolean JDK_CHACHA = true;

  private final Map<AeadAlgorithm, Aead> aeads = new EnumMap<>(AeadAlgorithm.class);
  private final Map<HashAlgorithm, EdhocHash> hashes = new EnumMap<>(HashAlgorithm.class);
  private final Map<CoseCurve, KeyExchange> keyExchanges = new EnumMap<>(CoseCurve.class);
  private final Signer ed25519 = new EdDsaSigner(CoseCurve.ED25519);
  private final Signer ed448 = new EdDsaSigner(CoseCurve.ED448);
  private final Signer es256 = new EcdsaSigner(SignatureAlgorithm.ES256);
  private final Signer es384 = new EcdsaSigner(SignatureAlgorithm.ES384);
  private final SecureRandom random = newRandom();

  private DefaultCrypto() {
    aeads.put(AeadAlgorithm.AES_CCM_16_64_128, new BcAead(AeadAlgorithm.AES_CCM_16_64_128));
    aeads.put(AeadAlgorithm.AES_CCM_16_128_128, new BcAead(AeadAlgorithm.AES_CCM_16_128_128));
    aeads.put(AeadAlgorithm.A128GCM, new JdkAead(AeadAlgorithm.A128GCM));
    aeads.put(AeadAlgorithm.A256GCM, new JdkAead(AeadAlgorithm.A256GCM));
    aeads.put(AeadAlgorithm.CHACHA20_POLY1305,
        JDK_CHACHA ? new JdkAead(AeadAlgorithm.CHACHA20_POLY1305) : new BcAead(AeadAlgorithm.CHACHA20_POLY1305));
    hashes.put(HashAlgorithm.SHA_256, new Sha2Hash(HashAlgorithm.SHA_256));
    hashes.put(HashAlgorithm.SHA_384, new Sha2Hash(HashAlgorithm.SHA_384));
    hashes.put(HashAlgorithm.SHAKE256, new ShakeHash());
    keyExchanges.put(CoseCurve.X25519, new XdhKeyExchange(CoseCurve.X25519));
    keyExchanges.put(CoseCurve.X448, new XdhKeyExchange(CoseCurve.X448));
    keyExchanges.put(CoseCurve.P_256, new EcKeyExchange(EcCurve.P256));
    keyExchanges.put(CoseCurve.P_384, new EcKeyExchange(EcCurve.P384));
  }

  /** The shared instance. */
  public static DefaultCrypto get() {
    return INSTANCE;
  }

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG",
          DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, "io.edhoc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  @Override
  public Aead aead(AeadAlgorithm algorithm) {
    Aead a = aeads.get(algorithm);
    if (a == null) {
      throw new IllegalArgumentException("unsupported AEAD " + algorithm);
    }
    return a;
  }

  @Override
  public EdhocHash hash(HashAlgorithm algorithm) {
    EdhocHash h = hashes.get(algorithm);
    if (h == null) {
      throw new IllegalArgumentException("unsupported hash " + algorithm);
    }
    return h;
  }

  @Override
  public KeyExchange keyExchange(CoseCurve curve) {
    KeyExchange k = keyExchanges.get(curve);
    if (k == null) {
      throw new IllegalArgumentException("no key exchange on " + curve);
    }
    return k;
  }

  @Override
  public Signer signer(SignatureAlgorithm algorithm, CoseCurve curve) {
    if (algorithm == SignatureAlgorithm.EDDSA && curve == CoseCurve.ED25519) {
      return ed25519;
    }
    if (algorithm == SignatureAlgorithm.EDDSA && curve == CoseCurve.ED448) {
      return ed448;
    }
    if (algorithm == SignatureAlgorithm.ES256 && curve == CoseCurve.P_256) {
      return es256;
    }
    if (algorithm == SignatureAlgorithm.ES384 && curve == CoseCurve.P_384) {
      return es384;
    }
    throw new IllegalArgumentException("unsupported signature " + algorithm + " on " + curve);
  }

  @Override
  public SecureRandom random() {
    return random;
  }
}
