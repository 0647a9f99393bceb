package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default crypto provider: per primitive the fastest implementation that passes the
 * Wycheproof vectors (see docs/performance.md, "Primitives"), chosen once per instance.
 *
 * <p>The public-key work of suites 0-3 depends on the {@link CryptoChoice}:
 *
 * <ul>
 *   <li>Conscrypt (BoringSSL, through a provider object of our own, never installed in the JVM's
 *       provider list): P-256 ECDH and keygen (compact keys handed over as compressed points,
 *       validated by BoringSSL), ES256 (BoringSSL's hedged nonces, DER converted to r || s),
 *       X25519, Ed25519. Private keys of credentials are parsed once and kept with the key.
 *   <li>Bouncy Castle: X25519 / Ed25519 {@code math.ec.rfc7748 / rfc8032}; P-256 ECDH on the
 *       custom curve with a constant-time multiplier, x-only keys decoded as 0x02 || x; ES256
 *       deterministic (RFC 6979) on the custom curve with JDK SHA-256 and cached parsed keys.
 * </ul>
 *
 * Independent of the choice:
 *
 * <ul>
 *   <li>X448, P-384 ECDH, Ed448, ES384: Bouncy Castle (as above).
 *   <li>AES-CCM: composed here on the JDK's AES ({@link JdkAesCcm}: RFC 3610 over SunJCE's
 *       AES-NI block cipher; the JDK has no CCM mode, and Bouncy Castle's measured slower).
 *       A128GCM / A256GCM, ChaCha20-Poly1305: JDK SunJCE.
 *   <li>SHA-256 / SHA-384 and HKDF: JDK. SHAKE256 / KMAC256: Bouncy Castle.
 *   <li>random(): JDK {@code DRBG} (NIST SP 800-90A Hash_DRBG, SHA-256, 256-bit strength, seeded
 *       and reseeded from the OS entropy source); thread-safe. (BoringSSL's key generation draws
 *       from BoringSSL's own RNG, which is seeded from the OS as well.)
 * </ul>
 *
 * {@link #get()} is {@link CryptoChoice#AUTO}: Conscrypt where its native library loads, else
 * Bouncy Castle, with one log line (System.Logger {@code io.edhoc.crypto}) saying why. All
 * instances are stateless or thread-safe and shared; {@link #implementations()} says which library
 * serves which primitive.
 */
public final class DefaultCrypto implements CryptoProvider {
  private static final System.Logger LOG = System.getLogger("io.edhoc.crypto");
  private static final Map<CryptoChoice, DefaultCrypto> INSTANCES = new EnumMap<>(CryptoChoice.class);

  /** Library names as they appear in {@link #implementations()} and the edhoc_crypto_info metric. */
  public static final String CONSCRYPT = "conscrypt";
  public static final String BOUNCYCASTLE = "bouncycastle";
  public static final String JDK = "jdk";

  /** ChaCha20-Poly1305 from the JDK (SunJCE) rather than Bouncy Castle: faster in the JMH run (2.2 vs 7.5 us per 100 B). */
  static final boolean JDK_CHACHA = true;

  private final CryptoChoice choice;
  private final String conscryptVersion;
  private final String conscryptProblem;
  private final Map<AeadAlgorithm, Aead> aeads = new EnumMap<>(AeadAlgorithm.class);
  private final Map<HashAlgorithm, EdhocHash> hashes = new EnumMap<>(HashAlgorithm.class);
  private final Map<CoseCurve, KeyExchange> keyExchanges = new EnumMap<>(CoseCurve.class);
  private final Map<String, String> implementations = new LinkedHashMap<>();
  private final Signer ed25519;
  private final Signer ed448 = new EdDsaSigner(CoseCurve.ED448);
  private final Signer es256;
  private final Signer es384 = new EcdsaSigner(SignatureAlgorithm.ES384);
  private final SecureRandom random = newRandom();

  DefaultCrypto(CryptoChoice choice, ConscryptSupport.Status conscrypt) {
    this.choice = choice;
    boolean useConscrypt;
    switch (choice) {
      case CONSCRYPT:
        if (!conscrypt.isAvailable()) {
          throw new IllegalStateException("crypto provider 'conscrypt' requested but Conscrypt is not available: " + conscrypt.problem
              + " (use 'auto' or 'bouncycastle')");
        }
        useConscrypt = true;
        break;
      case AUTO:
        useConscrypt = conscrypt.isAvailable();
        if (!useConscrypt) {
          LOG.log(System.Logger.Level.INFO, "crypto auto: Conscrypt (BoringSSL) is not available (" + conscrypt.problem
              + "); EDHOC public-key operations use Bouncy Castle");
        }
        break;
      default:
        useConscrypt = false;
    }
    this.conscryptVersion = useConscrypt ? conscrypt.version : null;
    this.conscryptProblem = conscrypt.problem;
    java.security.Provider cp = useConscrypt ? conscrypt.provider : null;

    KeyExchange x25519 = null;
    if (cp != null && conscrypt.offers("KeyAgreement", "XDH") && conscrypt.offers("KeyPairGenerator", "XDH")) {
      x25519 = ConscryptFactory.x25519(cp);
    }
    keyExchanges.put(CoseCurve.X25519, x25519 != null ? x25519 : new XdhKeyExchange(CoseCurve.X25519));
    keyExchanges.put(CoseCurve.X448, new XdhKeyExchange(CoseCurve.X448));
    Object p256 = null;
    if (cp != null && conscrypt.offers("KeyAgreement", "ECDH") && conscrypt.offers("KeyFactory", "EC")) {
      p256 = ConscryptFactory.p256(cp);
    }
    keyExchanges.put(CoseCurve.P_256, p256 != null ? ConscryptFactory.ecdh(p256) : new EcKeyExchange(EcCurve.P256));
    keyExchanges.put(CoseCurve.P_384, new EcKeyExchange(EcCurve.P384));
    Signer ed = null;
    if (cp != null && conscrypt.offers("Signature", "Ed25519")) {
      ed = ConscryptFactory.ed25519(cp);
    }
    this.ed25519 = ed != null ? ed : new EdDsaSigner(CoseCurve.ED25519);
    this.es256 = p256 != null && conscrypt.offers("Signature", "SHA256withECDSA")
        ? ConscryptFactory.es256(p256) : new EcdsaSigner(SignatureAlgorithm.ES256);

    aeads.put(AeadAlgorithm.AES_CCM_16_64_128, new JdkAesCcm(AeadAlgorithm.AES_CCM_16_64_128));
    aeads.put(AeadAlgorithm.AES_CCM_16_128_128, new JdkAesCcm(AeadAlgorithm.AES_CCM_16_128_128));
    aeads.put(AeadAlgorithm.A128GCM, new JdkAead(AeadAlgorithm.A128GCM));
    aeads.put(AeadAlgorithm.A256GCM, new JdkAead(AeadAlgorithm.A256GCM));
    aeads.put(AeadAlgorithm.CHACHA20_POLY1305,
        JDK_CHACHA ? new JdkAead(AeadAlgorithm.CHACHA20_POLY1305) : new BcAead(AeadAlgorithm.CHACHA20_POLY1305));
    hashes.put(HashAlgorithm.SHA_256, new Sha2Hash(HashAlgorithm.SHA_256));
    hashes.put(HashAlgorithm.SHA_384, new Sha2Hash(HashAlgorithm.SHA_384));
    hashes.put(HashAlgorithm.SHAKE256, new ShakeHash());

    implementations.put("x25519", libraryOf(keyExchanges.get(CoseCurve.X25519)));
    implementations.put("p256", libraryOf(keyExchanges.get(CoseCurve.P_256)));
    implementations.put("ed25519", libraryOf(ed25519));
    implementations.put("es256", libraryOf(es256));
    implementations.put("x448", BOUNCYCASTLE);
    implementations.put("p384", BOUNCYCASTLE);
    implementations.put("ed448", BOUNCYCASTLE);
    implementations.put("es384", BOUNCYCASTLE);
    implementations.put("aes-ccm", JDK);
    implementations.put("aes-gcm", JDK);
    implementations.put("chacha20-poly1305", JDK_CHACHA ? JDK : BOUNCYCASTLE);
    implementations.put("sha2-hmac-hkdf", JDK);
    implementations.put("shake256", BOUNCYCASTLE);
    implementations.put("random", JDK);
  }

  private static String libraryOf(Object primitive) {
    return primitive.getClass().getSimpleName().startsWith("Conscrypt") ? CONSCRYPT : BOUNCYCASTLE;
  }

  /** The shared {@link CryptoChoice#AUTO} instance. */
  public static DefaultCrypto get() {
    return of(CryptoChoice.AUTO);
  }

  /**
   * The shared instance for a choice (made once). {@link CryptoChoice#CONSCRYPT} throws {@link
   * IllegalStateException} with the reason when Conscrypt's native library is not available.
   */
  public static DefaultCrypto of(CryptoChoice choice) {
    synchronized (INSTANCES) {
      DefaultCrypto c = INSTANCES.get(choice);
      if (c == null) {
        c = new DefaultCrypto(choice, ConscryptSupport.status());
        INSTANCES.put(choice, c);
      }
      return c;
    }
  }

  /** True when Conscrypt's native library loads here (what {@link CryptoChoice#AUTO} picks). */
  public static boolean conscryptAvailable() {
    return ConscryptSupport.status().isAvailable();
  }

  /** The choice this instance was made for. */
  public CryptoChoice choice() {
    return choice;
  }

  /**
   * The library of the public-key work of suites 0-3 ({@value #CONSCRYPT} or {@value
   * #BOUNCYCASTLE}): what "auto" resolved to.
   */
  public String publicKeyLibrary() {
    return conscryptVersion != null ? CONSCRYPT : BOUNCYCASTLE;
  }

  /**
   * Primitive to library ({@value #CONSCRYPT}, {@value #BOUNCYCASTLE}, {@value #JDK}), in a fixed
   * order: x25519, p256 (ECDH and key generation), ed25519, es256, x448, p384, ed448, es384,
   * aes-ccm, aes-gcm, chacha20-poly1305, sha2-hmac-hkdf, shake256, random.
   */
  public Map<String, String> implementations() {
    return Collections.unmodifiableMap(implementations);
  }

  /**
   * One line for logs and {@code edhoc --version}, e.g. "auto: conscrypt 2.9.0 (BoringSSL) for
   * x25519, p256, ed25519, es256; bouncycastle for x448, ...; jdk for aes-gcm, ...".
   */
  public String describe() {
    Map<String, List<String>> byLib = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : implementations.entrySet()) {
      byLib.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
    }
    StringBuilder sb = new StringBuilder(choice.id()).append(": ");
    String sep = "";
    for (Map.Entry<String, List<String>> e : byLib.entrySet()) {
      sb.append(sep).append(e.getKey());
      if (e.getKey().equals(CONSCRYPT)) {
        sb.append(' ').append(conscryptVersion).append(" (BoringSSL)");
      }
      sb.append(" for ").append(String.join(", ", e.getValue()));
      sep = "; ";
    }
    if (conscryptVersion == null && choice != CryptoChoice.BOUNCYCASTLE && conscryptProblem != null) {
      sb.append(" (Conscrypt not available: ").append(conscryptProblem).append(')');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "DefaultCrypto[" + describe() + "]";
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
