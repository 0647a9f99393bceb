package io.edhoc.bench;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import io.edhoc.crypto.Aead;
import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.DefaultCrypto;
import io.edhoc.crypto.EdhocHash;
import io.edhoc.crypto.HashAlgorithm;
import io.edhoc.crypto.KeyExchange;
import io.edhoc.crypto.SignatureAlgorithm;
import io.edhoc.crypto.Signer;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import java.security.interfaces.ECPublicKey;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Each primitive as {@link DefaultCrypto} does it ("chosen_") next to the alternative it was
 * measured against ("alt_"): Bouncy Castle vs the JDK's own providers. Inputs are EDHOC-sized
 * (100-byte messages, 32-byte keys). Run: see docs/performance.md, "Primitives".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CryptoBench {
  private static final DefaultCrypto CRYPTO = DefaultCrypto.get();

  private final SecureRandom random = new SecureRandom();
  private final byte[] msg = new byte[100];
  private final byte[] key16 = new byte[16];
  private final byte[] key32 = new byte[32];
  private final byte[] iv12 = new byte[12];
  private final byte[] iv13 = new byte[13];
  private final byte[] aad = new byte[40];

  // P-256
  private KeyExchange p256;
  private CosePrivateKey p256Own;
  private byte[] p256PeerX;
  private KeyPairGenerator jdkEcGen;
  private KeyPair jdkEcOwn;
  private KeyPair jdkEcPeer;
  private ECParameterSpec jdkP256;
  private KeyFactory jdkEcFactory;

  // X25519
  private KeyExchange x25519;
  private CosePrivateKey x25519Own;
  private byte[] x25519Peer;
  private KeyPairGenerator jdkXGen;
  private KeyPair jdkXOwn;
  private byte[] jdkXPeerU;
  private KeyFactory jdkXFactory;

  // ES256
  private Signer es256;
  private CosePrivateKey es256Key;
  private byte[] es256Sig;
  private ECDomainParameters bcP256;
  private PrivateKey jdkEsPriv;
  private PublicKey jdkEsPub;
  private byte[] jdkEsSig;

  // Ed25519
  private Signer ed25519;
  private CosePrivateKey edKey;
  private byte[] edSig;
  private PrivateKey jdkEdPriv;
  private PublicKey jdkEdPub;

  // hash, AEAD
  private EdhocHash sha256;
  private Aead ccm;
  private byte[] ccmCt;
  private Aead gcm;
  private Aead chacha;

  @Setup
  public void setup() throws Exception {
    random.nextBytes(msg);
    random.nextBytes(key16);
    random.nextBytes(key32);
    random.nextBytes(iv12);
    random.nextBytes(iv13);
    random.nextBytes(aad);

    p256 = CRYPTO.keyExchange(CoseCurve.P_256);
    p256Own = p256.generate(random);
    p256PeerX = p256.generate(random).publicKey().x();
    jdkEcGen = KeyPairGenerator.getInstance("EC", "SunEC");
    jdkEcGen.initialize(new ECGenParameterSpec("secp256r1"));
    jdkEcOwn = jdkEcGen.generateKeyPair();
    jdkEcPeer = jdkEcGen.generateKeyPair();
    jdkP256 = ((ECPublicKey) jdkEcOwn.getPublic()).getParams();
    jdkEcFactory = KeyFactory.getInstance("EC", "SunEC");

    x25519 = CRYPTO.keyExchange(CoseCurve.X25519);
    x25519Own = x25519.generate(random);
    x25519Peer = x25519.generate(random).publicKey().x();
    jdkXGen = KeyPairGenerator.getInstance("X25519", "SunEC");
    jdkXOwn = jdkXGen.generateKeyPair();
    jdkXPeerU = x25519Peer;
    jdkXFactory = KeyFactory.getInstance("XDH", "SunEC");

    es256 = CRYPTO.signer(SignatureAlgorithm.ES256, CoseCurve.P_256);
    es256Key = p256.generate(random);
    es256Sig = es256.sign(es256Key, msg);
    X9ECParameters x9 = CustomNamedCurves.getByName("secp256r1");
    bcP256 = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
    KeyPair esPair = jdkEcGen.generateKeyPair();
    jdkEsPriv = esPair.getPrivate();
    jdkEsPub = esPair.getPublic();
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format", "SunEC");
    s.initSign(jdkEsPriv);
    s.update(msg);
    jdkEsSig = s.sign();

    ed25519 = CRYPTO.signer(SignatureAlgorithm.EDDSA, CoseCurve.ED25519);
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    byte[] pk = new byte[32];
    Ed25519.generatePublicKey(seed, 0, pk, 0);
    edKey = new CosePrivateKey(CoseCurve.ED25519, seed, new CosePublicKey(CoseCurve.ED25519, pk, null));
    edSig = ed25519.sign(edKey, msg);
    KeyPair edPair = KeyPairGenerator.getInstance("Ed25519", "SunEC").generateKeyPair();
    jdkEdPriv = edPair.getPrivate();
    jdkEdPub = edPair.getPublic();

    sha256 = CRYPTO.hash(HashAlgorithm.SHA_256);
    ccm = CRYPTO.aead(AeadAlgorithm.AES_CCM_16_64_128);
    ccmCt = ccm.encrypt(key16, iv13, aad, msg);
    if (!java.util.Arrays.equals(JdkCcm.encrypt(key16, iv13, aad, msg, 8), ccmCt)) {
      throw new IllegalStateException("JdkCcm disagrees with the provider's AES-CCM");
    }
    gcm = CRYPTO.aead(AeadAlgorithm.A128GCM);
    chacha = CRYPTO.aead(AeadAlgorithm.CHACHA20_POLY1305);
  }

  // ---------------------------------------------------------------- P-256 keygen / ECDH

  @Benchmark
  public CosePrivateKey p256Keygen_chosen_bc() {
    return p256.generate(random);
  }

  @Benchmark
  public KeyPair p256Keygen_alt_jdk() {
    return jdkEcGen.generateKeyPair();
  }

  /** Includes decoding the peer's x-only key (square root) and validation. */
  @Benchmark
  public byte[] p256Ecdh_chosen_bc() throws Exception {
    return p256.agree(p256Own, p256PeerX);
  }

  /** JDK with an already uncompressed peer point (the JDK cannot decompress), key object built per call. */
  @Benchmark
  public byte[] p256Ecdh_alt_jdk() throws Exception {
    ECPoint w = ((ECPublicKey) jdkEcPeer.getPublic()).getW();
    PublicKey peer = jdkEcFactory.generatePublic(new ECPublicKeySpec(w, jdkP256));
    KeyAgreement ka = KeyAgreement.getInstance("ECDH", "SunEC");
    ka.init(jdkEcOwn.getPrivate());
    ka.doPhase(peer, true);
    return ka.generateSecret();
  }

  // ---------------------------------------------------------------- X25519

  @Benchmark
  public CosePrivateKey x25519Keygen_chosen_bc() {
    return x25519.generate(random);
  }

  @Benchmark
  public KeyPair x25519Keygen_alt_jdk() {
    return jdkXGen.generateKeyPair();
  }

  @Benchmark
  public byte[] x25519Dh_chosen_bc() throws Exception {
    return x25519.agree(x25519Own, x25519Peer);
  }

  @Benchmark
  public byte[] x25519Dh_alt_jdk() throws Exception {
    byte[] u = new byte[32];
    for (int i = 0; i < 32; i++) {
      u[i] = jdkXPeerU[31 - i];
    }
    PublicKey peer = jdkXFactory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, u)));
    KeyAgreement ka = KeyAgreement.getInstance("XDH", "SunEC");
    ka.init(jdkXOwn.getPrivate());
    ka.doPhase(peer, true);
    return ka.generateSecret();
  }

  // ---------------------------------------------------------------- ES256

  @Benchmark
  public byte[] es256Sign_chosen_bc() throws Exception {
    return es256.sign(es256Key, msg);
  }

  @Benchmark
  public byte[] es256Sign_alt_jdk() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format", "SunEC");
    s.initSign(jdkEsPriv);
    s.update(msg);
    return s.sign();
  }

  /** Cached parsed key (the provider's LRU). */
  @Benchmark
  public boolean es256Verify_chosen_bc_cached() {
    return es256.verify(es256Key.publicKey(), msg, es256Sig);
  }

  /** Same BC code, but the public key is parsed and validated on every call (no cache). */
  @Benchmark
  public boolean es256Verify_alt_bc_uncached() throws Exception {
    CosePublicKey k = es256Key.publicKey();
    org.bouncycastle.math.ec.ECPoint q = bcP256.getCurve().createPoint(new BigInteger(1, k.x()), new BigInteger(1, k.y()));
    ECDSASigner v = new ECDSASigner();
    v.init(false, new ECPublicKeyParameters(q, bcP256));
    byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(msg);
    return v.verifySignature(h, new BigInteger(1, java.util.Arrays.copyOf(es256Sig, 32)), new BigInteger(1, java.util.Arrays.copyOfRange(es256Sig, 32, 64)));
  }

  @Benchmark
  public boolean es256Verify_alt_jdk() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format", "SunEC");
    s.initVerify(jdkEsPub);
    s.update(msg);
    return s.verify(jdkEsSig);
  }

  // ---------------------------------------------------------------- Ed25519

  @Benchmark
  public byte[] ed25519Sign_chosen_bc() throws Exception {
    return ed25519.sign(edKey, msg);
  }

  @Benchmark
  public byte[] ed25519Sign_alt_jdk() throws Exception {
    Signature s = Signature.getInstance("Ed25519", "SunEC");
    s.initSign(jdkEdPriv);
    s.update(msg);
    return s.sign();
  }

  @Benchmark
  public boolean ed25519Verify_chosen_bc_cached() {
    return ed25519.verify(edKey.publicKey(), msg, edSig);
  }

  /** BC low-level with the raw key (decompressed on every call). */
  @Benchmark
  public boolean ed25519Verify_alt_bc_uncached() {
    return Ed25519.verify(edSig, 0, edKey.publicKey().x(), 0, msg, 0, msg.length);
  }

  @Benchmark
  public boolean ed25519Verify_alt_jdk() throws Exception {
    Signature s = Signature.getInstance("Ed25519", "SunEC");
    s.initVerify(jdkEdPub);
    s.update(msg);
    return s.verify(edSig);
  }

  // ---------------------------------------------------------------- SHA-256, HMAC, HKDF

  @Benchmark
  public byte[] sha256_chosen_jdk() {
    return sha256.hash(msg);
  }

  @Benchmark
  public byte[] sha256_alt_bc() {
    SHA256Digest d = new SHA256Digest();
    d.update(msg, 0, msg.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  /** HMAC-SHA-256 = EDHOC_Extract for SHA-256 suites. */
  @Benchmark
  public byte[] hmacSha256_chosen_jdk() {
    return sha256.extract(key32, msg);
  }

  @Benchmark
  public byte[] hmacSha256_alt_jdkThreadLocalMac() throws Exception {
    Mac m = TL_MAC.get();
    m.init(new SecretKeySpec(key32, "HmacSHA256"));
    return m.doFinal(msg);
  }

  private static final ThreadLocal<Mac> TL_MAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256", "SunJCE");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  });

  @Benchmark
  public byte[] hmacSha256_alt_bc() {
    HMac h = new HMac(new SHA256Digest());
    h.init(new KeyParameter(key32));
    h.update(msg, 0, msg.length);
    byte[] out = new byte[32];
    h.doFinal(out, 0);
    return out;
  }

  /** EDHOC_Expand to 64 bytes (two HMAC blocks), as for a key + IV derivation. */
  @Benchmark
  public byte[] hkdfExpand64_chosen_jdk() {
    return sha256.expand(key32, aad, 64);
  }

  @Benchmark
  public byte[] hkdfExpand64_alt_bc() {
    HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
    g.init(HKDFParameters.skipExtractParameters(key32, aad));
    byte[] out = new byte[64];
    g.generateBytes(out, 0, 64);
    return out;
  }

  // ---------------------------------------------------------------- AEAD

  /** The provider's AES-CCM: JdkAesCcm since issue 11 (Bouncy Castle's side by side: AeadCcmBench). */
  @Benchmark
  public byte[] aesCcm16_64_128Encrypt_chosen_jdkAesCcm() throws Exception {
    return ccm.encrypt(key16, iv13, aad, msg);
  }

  @Benchmark
  public byte[] aesCcm16_64_128Decrypt_chosen_jdkAesCcm() throws Exception {
    return ccm.decrypt(key16, iv13, aad, ccmCt);
  }

  /** CCM composed from the JDK's AES (CBC-MAC via AES/CBC, payload via AES/CTR), AES-NI. */
  @Benchmark
  public byte[] aesCcm16_64_128Encrypt_alt_jdkAes() throws Exception {
    return JdkCcm.encrypt(key16, iv13, aad, msg, 8);
  }

  @Benchmark
  public byte[] a128gcmEncrypt_chosen_jdk() throws Exception {
    return gcm.encrypt(key16, iv12, aad, msg);
  }

  @Benchmark
  public byte[] a128gcmEncrypt_alt_bc() throws Exception {
    GCMBlockCipher c = (GCMBlockCipher) GCMBlockCipher.newInstance(AESEngine.newInstance());
    c.init(true, new AEADParameters(new KeyParameter(key16), 128, iv12, aad));
    byte[] out = new byte[c.getOutputSize(msg.length)];
    int n = c.processBytes(msg, 0, msg.length, out, 0);
    c.doFinal(out, n);
    return out;
  }

  @Benchmark
  public byte[] chacha20Poly1305Encrypt_chosen() throws Exception {
    return chacha.encrypt(key32, iv12, aad, msg);
  }

  @Benchmark
  public byte[] chacha20Poly1305Encrypt_bc() throws Exception {
    ChaCha20Poly1305 c = new ChaCha20Poly1305();
    c.init(true, new AEADParameters(new KeyParameter(key32), 128, iv12, aad));
    byte[] out = new byte[c.getOutputSize(msg.length)];
    int n = c.processBytes(msg, 0, msg.length, out, 0);
    c.doFinal(out, n);
    return out;
  }

  @Benchmark
  public byte[] chacha20Poly1305Encrypt_jdk() throws Exception {
    Cipher c = Cipher.getInstance("ChaCha20-Poly1305", "SunJCE");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key32, "ChaCha20"), new IvParameterSpec(iv12));
    c.updateAAD(aad);
    return c.doFinal(msg);
  }

  // ---------------------------------------------------------------- the other suites' curves (chosen only)

  @State(Scope.Benchmark)
  public static class Others {
    KeyExchange p384;
    CosePrivateKey p384Own;
    byte[] p384Peer;
    KeyExchange x448;
    CosePrivateKey x448Own;
    byte[] x448Peer;
    EdhocHash shake;
    byte[] msg = new byte[100];

    @Setup
    public void setup() {
      SecureRandom r = new SecureRandom();
      p384 = CRYPTO.keyExchange(CoseCurve.P_384);
      p384Own = p384.generate(r);
      p384Peer = p384.generate(r).publicKey().x();
      x448 = CRYPTO.keyExchange(CoseCurve.X448);
      x448Own = x448.generate(r);
      x448Peer = x448.generate(r).publicKey().x();
      shake = CRYPTO.hash(HashAlgorithm.SHAKE256);
    }
  }

  @Benchmark
  public byte[] p384Ecdh_chosen_bc(Others o) throws Exception {
    return o.p384.agree(o.p384Own, o.p384Peer);
  }

  @Benchmark
  public byte[] x448Dh_chosen_bc(Others o) throws Exception {
    return o.x448.agree(o.x448Own, o.x448Peer);
  }

  @Benchmark
  public byte[] shake256Extract_chosen_bc(Others o) {
    return o.shake.extract(o.msg, o.msg);
  }
}
