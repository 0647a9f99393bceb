package io.edhoc.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import java.io.File;
import java.math.BigInteger;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The provider choice: what each choice selects, that both libraries interoperate (keys and
 * signatures of one are accepted by the other), that private keys are parsed once per credential,
 * and that the core runs on Bouncy Castle with one log line when Conscrypt is missing.
 */
class CryptoChoiceTest {
  private static final byte[] MSG = "Sig_structure stand-in".getBytes(StandardCharsets.US_ASCII);

  static CosePrivateKey key(CryptoProvider crypto, CoseCurve curve) {
    if (curve.use().agrees()) {
      return crypto.keyExchange(curve).generate(crypto.random());
    }
    byte[] seed = new byte[curve.coordinateLength()];
    crypto.random().nextBytes(seed);
    byte[] pk = new byte[curve.coordinateLength()];
    if (curve == CoseCurve.ED25519) {
      org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pk, 0);
    } else {
      org.bouncycastle.math.ec.rfc8032.Ed448.generatePublicKey(seed, 0, pk, 0);
    }
    return new CosePrivateKey(curve, seed, new CosePublicKey(curve, pk, null));
  }

  /** Initiator and responder configurations for method 3 in {@code s}, CCS credentials by kid with static DH keys ki, kr. */
  static EdhocConfig[] method3(DefaultCrypto cs, CipherSuite s, CosePrivateKey ki, CosePrivateKey kr) {
    CcsCredential credI = CcsCredential.create("i", ki.publicKey(), new byte[] {1}, null, null);
    CcsCredential credR = CcsCredential.create("r", kr.publicKey(), new byte[] {2}, null, null);
    EdhocConfig ic = EdhocConfig.builder().suites(s).methods(Method.STAT_STAT).credential(OwnCredential.byReference(credI, ki))
        .peers(new InMemoryCredentialStore().add(credR)).crypto(cs).build();
    EdhocConfig rc = EdhocConfig.builder().suites(s).methods(Method.STAT_STAT).credential(OwnCredential.byReference(credR, kr))
        .peers(new InMemoryCredentialStore().add(credI)).crypto(cs).build();
    return new EdhocConfig[] {ic, rc};
  }

  private static void assumeConscrypt() {
    Assumptions.assumeTrue(DefaultCrypto.conscryptAvailable(), "Conscrypt not available here");
  }

  @Test
  void parseAcceptsTheThreeNamesAndRejectsOthersClearly() {
    assertThat(CryptoChoice.parse("auto")).isEqualTo(CryptoChoice.AUTO);
    assertThat(CryptoChoice.parse(" Conscrypt ")).isEqualTo(CryptoChoice.CONSCRYPT);
    assertThat(CryptoChoice.parse("BOUNCYCASTLE")).isEqualTo(CryptoChoice.BOUNCYCASTLE);
    assertThat(CryptoChoice.parse("bc")).isEqualTo(CryptoChoice.BOUNCYCASTLE);
    assertThatThrownBy(() -> CryptoChoice.parse("openssl")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("openssl").hasMessageContaining("auto, conscrypt or bouncycastle");
    assertThatThrownBy(() -> CryptoChoice.parse(null)).isInstanceOf(IllegalArgumentException.class);
    for (CryptoChoice c : CryptoChoice.values()) {
      assertThat(CryptoChoice.parse(c.id())).isEqualTo(c);
    }
  }

  @Test
  void eachChoiceSelectsItsLibraryPerPrimitive() {
    DefaultCrypto bc = DefaultCrypto.of(CryptoChoice.BOUNCYCASTLE);
    assertThat(bc.publicKeyLibrary()).isEqualTo(DefaultCrypto.BOUNCYCASTLE);
    assertThat(bc.implementations()).containsEntry("p256", "bouncycastle").containsEntry("x25519", "bouncycastle")
        .containsEntry("ed25519", "bouncycastle").containsEntry("es256", "bouncycastle")
        .containsEntry("aes-gcm", "jdk").containsEntry("aes-ccm", "jdk").doesNotContainValue("conscrypt");
    assertThat(bc.describe()).startsWith("bouncycastle: bouncycastle for x25519, p256, ed25519, es256");
    assertThat(DefaultCrypto.of(CryptoChoice.BOUNCYCASTLE)).isSameAs(bc);
    assertThat(DefaultCrypto.get()).isSameAs(DefaultCrypto.of(CryptoChoice.AUTO));
    if (DefaultCrypto.conscryptAvailable()) {
      DefaultCrypto cs = DefaultCrypto.of(CryptoChoice.CONSCRYPT);
      assertThat(cs.implementations()).containsEntry("p256", "conscrypt").containsEntry("x25519", "conscrypt")
          .containsEntry("ed25519", "conscrypt").containsEntry("es256", "conscrypt")
          .containsEntry("p384", "bouncycastle").containsEntry("x448", "bouncycastle").containsEntry("ed448", "bouncycastle");
      assertThat(cs.describe()).startsWith("conscrypt: conscrypt 2.9.0 (BoringSSL) for x25519, p256, ed25519, es256; bouncycastle for x448");
      assertThat(DefaultCrypto.get().implementations()).isEqualTo(cs.implementations());
      assertThat(DefaultCrypto.get().publicKeyLibrary()).isEqualTo("conscrypt");
      // the provider object is ours: Conscrypt is not installed in the JVM's provider list
      assertThat(java.security.Security.getProvider("Conscrypt")).isNull();
    }
  }

  @Test
  void autoFallsBackToBouncyCastleWithOneLogLineAndConscryptFailsClearly() {
    List<LogRecord> records = new ArrayList<>();
    Handler h = capture(records);
    Logger jul = Logger.getLogger("io.edhoc.crypto");
    jul.addHandler(h);
    try {
      ConscryptSupport.Status missing = ConscryptSupport.Status.unavailable("native library did not load: simulated");
      DefaultCrypto auto = new DefaultCrypto(CryptoChoice.AUTO, missing);
      assertThat(auto.publicKeyLibrary()).isEqualTo("bouncycastle");
      assertThat(auto.implementations()).doesNotContainValue("conscrypt");
      assertThat(auto.describe()).contains("Conscrypt not available: native library did not load: simulated");
      assertThat(records).hasSize(1);
      assertThat(records.get(0).getMessage()).contains("Conscrypt (BoringSSL) is not available (native library did not load: simulated)")
          .contains("use Bouncy Castle");
      assertThatThrownBy(() -> new DefaultCrypto(CryptoChoice.CONSCRYPT, missing)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'conscrypt' requested").hasMessageContaining("simulated");
      records.clear();
      new DefaultCrypto(CryptoChoice.BOUNCYCASTLE, missing);
      assertThat(records).as("an explicit bouncycastle choice is not worth a log line").isEmpty();
    } finally {
      jul.removeHandler(h);
    }
  }

  private static Handler capture(List<LogRecord> into) {
    return new Handler() {
      @Override
      public void publish(LogRecord r) {
        synchronized (into) {
          into.add(r);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  /** A consumer who excludes the Conscrypt jar: the class path without it, in its own class loader. */
  @Test
  void withoutTheConscryptJarTheCoreRunsOnBouncyCastle() throws Exception {
    List<URL> urls = new ArrayList<>();
    boolean dropped = false;
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.contains("conscrypt")) {
        dropped = true;
        continue;
      }
      urls.add(new File(e).toURI().toURL());
    }
    assertThat(dropped).as("the test class path has the Conscrypt jar to drop").isTrue();
    List<LogRecord> records = new ArrayList<>();
    Handler h = capture(records);
    Logger jul = Logger.getLogger("io.edhoc.crypto");
    jul.addHandler(h);
    try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> loader.loadClass("org.conscrypt.Conscrypt")).isInstanceOf(ClassNotFoundException.class);
      @SuppressWarnings("unchecked")
      Callable<String> probe = (Callable<String>) loader.loadClass(NoConscryptProbe.class.getName()).getDeclaredConstructor().newInstance();
      String[] out = probe.call().split("\n");
      assertThat(out[0]).isEqualTo("bouncycastle");
      assertThat(out[1]).doesNotContain("conscrypt");
      assertThat(out[2]).contains("'conscrypt' requested").contains("org.conscrypt is not on the class path");
    } finally {
      jul.removeHandler(h);
    }
    assertThat(records).extracting(LogRecord::getMessage)
        .containsExactly("crypto auto: Conscrypt (BoringSSL) is not available (org.conscrypt is not on the class path); EDHOC public-key operations use Bouncy Castle");
  }

  @Test
  void keysAndSignaturesCrossBetweenTheLibraries() throws Exception {
    assumeConscrypt();
    DefaultCrypto bc = DefaultCrypto.of(CryptoChoice.BOUNCYCASTLE);
    DefaultCrypto cs = DefaultCrypto.of(CryptoChoice.CONSCRYPT);
    for (CoseCurve curve : new CoseCurve[] {CoseCurve.P_256, CoseCurve.X25519}) {
      for (int i = 0; i < 20; i++) {
        CosePrivateKey a = bc.keyExchange(curve).generate(bc.random());
        CosePrivateKey b = cs.keyExchange(curve).generate(cs.random());
        byte[] z1 = bc.keyExchange(curve).agree(a, b.publicKey().x());
        byte[] z2 = cs.keyExchange(curve).agree(b, a.publicKey().x());
        byte[] z3 = cs.keyExchange(curve).agree(a, b.publicKey().x());
        byte[] z4 = bc.keyExchange(curve).agree(b, a.publicKey().x());
        assertThat(z2).as(curve.toString()).isEqualTo(z1);
        assertThat(z3).isEqualTo(z1);
        assertThat(z4).isEqualTo(z1);
      }
    }
    for (Object[] sa : new Object[][] {{SignatureAlgorithm.ES256, CoseCurve.P_256}, {SignatureAlgorithm.EDDSA, CoseCurve.ED25519}}) {
      SignatureAlgorithm alg = (SignatureAlgorithm) sa[0];
      CoseCurve curve = (CoseCurve) sa[1];
      for (int i = 0; i < 20; i++) {
        CosePrivateKey k = key(i % 2 == 0 ? bc : cs, curve);
        byte[] sBc = bc.signer(alg, curve).sign(k, MSG);
        byte[] sCs = cs.signer(alg, curve).sign(k, MSG);
        assertThat(cs.signer(alg, curve).verify(k.publicKey(), MSG, sBc)).isTrue();
        assertThat(bc.signer(alg, curve).verify(k.publicKey(), MSG, sCs)).isTrue();
        if (alg == SignatureAlgorithm.EDDSA) {
          assertThat(sCs).as("Ed25519 is deterministic on both").isEqualTo(sBc);
        }
        // a compact P-256 key (x only, even y assumed) verifies the same on both
        if (curve == CoseCurve.P_256) {
          CosePublicKey xOnly = new CosePublicKey(curve, k.publicKey().x(), null);
          assertThat(cs.signer(alg, curve).verify(xOnly, MSG, sBc)).isEqualTo(bc.signer(alg, curve).verify(xOnly, MSG, sBc));
        }
      }
    }
  }

  /**
   * The public key of a P-256 key pair generated by BoringSSL is read from its DER encoding (not
   * through getW(), which costs a finalizable native reference per call): x and y must be d*G, as
   * Bouncy Castle computes it from the scalar alone, for keys with leading zero bytes too.
   */
  @Test
  void conscryptGeneratedP256PublicKeysAreTheScalarTimesTheGenerator() {
    assumeConscrypt();
    DefaultCrypto cs = DefaultCrypto.of(CryptoChoice.CONSCRYPT);
    org.bouncycastle.math.ec.ECPoint g = org.bouncycastle.crypto.ec.CustomNamedCurves.getByName("secp256r1").getG();
    for (int i = 0; i < 200; i++) {
      CosePrivateKey k = cs.keyExchange(CoseCurve.P_256).generate(cs.random());
      byte[] d = k.exportSecret();
      org.bouncycastle.math.ec.ECPoint q = g.multiply(new java.math.BigInteger(1, d)).normalize();
      assertThat(d).hasSize(32);
      assertThat(k.publicKey().x()).as("x of key %d", i).isEqualTo(q.getAffineXCoord().getEncoded());
      assertThat(k.publicKey().y()).as("y of key %d", i).isEqualTo(q.getAffineYCoord().getEncoded());
    }
    assertThatThrownBy(() -> ConscryptP256.publicKeyOf(new byte[91])).isInstanceOf(IllegalStateException.class);
  }

  /** The pooled generators under concurrent use: every key correct and distinct, the pool no larger than the threads. */
  @Test
  void conscryptP256KeysGeneratedConcurrentlyAreCorrectAndThePoolStaysSmall() throws Exception {
    assumeConscrypt();
    ConscryptP256 p256 = new ConscryptP256(ConscryptSupport.status().provider);
    org.bouncycastle.math.ec.ECPoint g = org.bouncycastle.crypto.ec.CustomNamedCurves.getByName("secp256r1").getG();
    int threads = 4;
    java.util.Set<String> xs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 100; i++) {
            CosePrivateKey k = p256.generate(null);
            org.bouncycastle.math.ec.ECPoint q = g.multiply(new java.math.BigInteger(1, k.exportSecret())).normalize();
            assertThat(k.publicKey().x()).isEqualTo(q.getAffineXCoord().getEncoded());
            assertThat(k.publicKey().y()).isEqualTo(q.getAffineYCoord().getEncoded());
            xs.add(java.util.HexFormat.of().formatHex(k.publicKey().x()));
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(xs).hasSize(threads * 100);
    assertThat(p256.idleGenerators()).isBetween(1, threads);
  }

  /** Edge scalars (leading zero bytes, 1, n - 1) become the same BoringSSL key; 0 and n are refused on both. */
  @Test
  void p256PrivateScalarsAtTheEdgesAgreeOnBothLibraries() throws Exception {
    assumeConscrypt();
    DefaultCrypto bc = DefaultCrypto.of(CryptoChoice.BOUNCYCASTLE);
    DefaultCrypto cs = DefaultCrypto.of(CryptoChoice.CONSCRYPT);
    java.math.BigInteger n = new java.math.BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
    CosePrivateKey peer = bc.keyExchange(CoseCurve.P_256).generate(bc.random());
    for (java.math.BigInteger d : new java.math.BigInteger[] {java.math.BigInteger.ONE, java.math.BigInteger.TWO.pow(200).add(java.math.BigInteger.TEN),
        n.subtract(java.math.BigInteger.ONE), n.shiftRight(1)}) {
      // the public key is not consulted by ECDH: the same placeholder on both sides
      CosePrivateKey k = new CosePrivateKey(CoseCurve.P_256, EcCurve.P256.encode(d), peer.publicKey());
      byte[] zBc = bc.keyExchange(CoseCurve.P_256).agree(k, peer.publicKey().x());
      byte[] zCs = cs.keyExchange(CoseCurve.P_256).agree(k, peer.publicKey().x());
      assertThat(zCs).as("d = " + d.toString(16)).isEqualTo(zBc);
    }
    for (java.math.BigInteger d : new java.math.BigInteger[] {java.math.BigInteger.ZERO, n}) {
      CosePrivateKey k = new CosePrivateKey(CoseCurve.P_256, EcCurve.P256.encode(d), peer.publicKey());
      assertThat(outcome(cs.keyExchange(CoseCurve.P_256), k, peer.publicKey().x())).isEqualTo(outcome(bc.keyExchange(CoseCurve.P_256), k, peer.publicKey().x()))
          .doesNotStartWith("shared");
    }
  }

  @Test
  void invalidKeysFailTheSameWayOnBothLibraries() throws Exception {
    assumeConscrypt();
    DefaultCrypto bc = DefaultCrypto.of(CryptoChoice.BOUNCYCASTLE);
    DefaultCrypto cs = DefaultCrypto.of(CryptoChoice.CONSCRYPT);
    Random r = new Random(7);
    for (CoseCurve curve : new CoseCurve[] {CoseCurve.P_256, CoseCurve.X25519}) {
      CosePrivateKey own = bc.keyExchange(curve).generate(bc.random());
      List<byte[]> inputs = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        byte[] g = new byte[i % 10 == 0 ? r.nextInt(70) : 32];
        r.nextBytes(g);
        inputs.add(g);
      }
      for (String hex : io.edhoc.InvalidPublicKeyTestAccess.lowOrderAndInvalid(curve)) {
        inputs.add(Hex.decode(hex));
      }
      for (byte[] g : inputs) {
        String a = outcome(bc.keyExchange(curve), own, g);
        String b = outcome(cs.keyExchange(curve), own, g);
        assertThat(b).as(curve + " " + Hex.encode(g)).isEqualTo(a);
      }
    }
  }

  private static String outcome(KeyExchange kx, CosePrivateKey own, byte[] peer) {
    try {
      return "shared " + Hex.encode(kx.agree(own, peer));
    } catch (CryptoException e) {
      return e.reason().toString();
    }
  }

  /** Counting work: a credential's private key becomes a BoringSSL key once, not once per handshake. */
  @Test
  void credentialKeysAreParsedOncePerKeyNotPerHandshake() throws Exception {
    assumeConscrypt();
    DefaultCrypto cs = DefaultCrypto.of(CryptoChoice.CONSCRYPT);
    ConscryptEcdsaSigner es256 = (ConscryptEcdsaSigner) cs.signer(SignatureAlgorithm.ES256, CoseCurve.P_256);
    ConscryptEdDsaSigner ed = (ConscryptEdDsaSigner) cs.signer(SignatureAlgorithm.EDDSA, CoseCurve.ED25519);
    for (Object[] c : new Object[][] {{CipherSuite.SUITE_2, Method.SIG_SIG}, {CipherSuite.SUITE_2, Method.STAT_STAT}, {CipherSuite.SUITE_0, Method.SIG_SIG}}) {
      CipherSuite s = (CipherSuite) c[0];
      Method m = (Method) c[1];
      CosePrivateKey ki = key(cs, m.initiatorSigns() ? s.signatureCurve() : s.dhCurve());
      CosePrivateKey kr = key(cs, m.responderSigns() ? s.signatureCurve() : s.dhCurve());
      // credential keys as loaded from files: plain bytes, no BoringSSL form yet
      ki = new CosePrivateKey(ki.curve(), ki.exportSecret(), ki.publicKey());
      kr = new CosePrivateKey(kr.curve(), kr.exportSecret(), kr.publicKey());
      CcsCredential credI = CcsCredential.create("i", ki.publicKey(), new byte[] {1}, null, null);
      CcsCredential credR = CcsCredential.create("r", kr.publicKey(), new byte[] {2}, null, null);
      EdhocConfig ic = EdhocConfig.builder().suites(s).methods(m).credential(OwnCredential.byReference(credI, ki))
          .peers(new InMemoryCredentialStore().add(credR)).crypto(cs).build();
      EdhocConfig rc = EdhocConfig.builder().suites(s).methods(m).credential(OwnCredential.byReference(credR, kr))
          .peers(new InMemoryCredentialStore().add(credI)).crypto(cs).build();
      long ecBefore = es256.privateKeyParses();
      long edBefore = ed.privateKeyParses.sum();
      for (int i = 0; i < 25; i++) {
        Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
        Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
        Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
        try (EdhocSession sr = w3.readMessage3(w4.message3()).complete(); EdhocSession si = w4.complete()) {
          assertThat(si.exporter(0, new byte[0], 16)).isEqualTo(sr.exporter(0, new byte[0], 16));
        }
      }
      long parses = (es256.privateKeyParses() - ecBefore) + (ed.privateKeyParses.sum() - edBefore);
      // two credential keys, each parsed once; the 50 ephemeral keys keep the form they were generated in
      assertThat(parses).as("method " + m.id() + " suite " + s.id()).isEqualTo(2);
    }
  }

  /**
   * Counting work: a static DH key (method 3) initialises a BoringSSL key agreement once, not once
   * per handshake (each init costs a finalizable EC_GROUP); every ephemeral key initialises one,
   * used for both of its agreements; the secrets still match on both sides.
   */
  @Test
  void staticDhKeysInitialiseAKeyAgreementOncePerKeyNotPerHandshake() throws Exception {
    assumeConscrypt();
    DefaultCrypto cs = DefaultCrypto.of(CryptoChoice.CONSCRYPT);
    ConscryptEcKeyExchange p256 = (ConscryptEcKeyExchange) cs.keyExchange(CoseCurve.P_256);
    CipherSuite s = CipherSuite.SUITE_2;
    CosePrivateKey ki = key(cs, s.dhCurve());
    CosePrivateKey kr = key(cs, s.dhCurve());
    ki = new CosePrivateKey(ki.curve(), ki.exportSecret(), ki.publicKey());
    kr = new CosePrivateKey(kr.curve(), kr.exportSecret(), kr.publicKey());
    EdhocConfig[] pair = method3(cs, s, ki, kr);
    EdhocConfig ic = pair[0];
    EdhocConfig rc = pair[1];
    long before = p256.agreementInits();
    int handshakes = 25;
    for (int i = 0; i < handshakes; i++) {
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
      Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
      Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
      try (EdhocSession sr = w3.readMessage3(w4.message3()).complete(); EdhocSession si = w4.complete()) {
        assertThat(si.exporter(0, new byte[0], 16)).isEqualTo(sr.exporter(0, new byte[0], 16));
      }
    }
    // one init per ephemeral key and handshake (X for G_XY and G_RX, Y for G_XY and G_IY), one for
    // each static key (R for G_RX, I for G_IY) in all: six inits per handshake without the pool
    assertThat(p256.agreementInits() - before).isEqualTo(2L * handshakes + 2);
    // the static keys, parsed from bytes, went to BoringSSL as PKCS#8 through the agreements'
    // init: no Conscrypt key object (group context, curve parameters, one more native reference)
    assertThat(p256.builtKeyObject(kr)).isFalse();
    assertThat(p256.builtKeyObject(ki)).isFalse();
  }

  /**
   * An ephemeral P-256 key is destroyed after every handshake. Conscrypt's EC private key does not
   * implement destroy(), so calling it threw Destroyable's DestroyFailedException (a stack trace
   * per handshake and role, swallowed by CosePrivateKey): destroying the native form now completes
   * normally and drops the key object, and the agreement still works up to then.
   */
  @Test
  void destroyingAGeneratedP256KeyDropsItsKeyObjectWithoutAnException() throws Exception {
    assumeConscrypt();
    DefaultCrypto cs = DefaultCrypto.of(CryptoChoice.CONSCRYPT);
    ConscryptEcKeyExchange p256 = (ConscryptEcKeyExchange) cs.keyExchange(CoseCurve.P_256);
    CosePrivateKey x = p256.generate(cs.random());
    CosePrivateKey y = p256.generate(cs.random());
    assertThat(p256.agree(x, y.publicKey().x())).isEqualTo(p256.agree(y, x.publicKey().x()));
    ConscryptP256.NativeKey form = p256.nativeForm(x);
    assertThat(form.hasKeyObject()).as("a generated key keeps the key object it was generated as").isTrue();
    form.destroy(); // threw DestroyFailedException before
    assertThat(form.hasKeyObject()).isFalse();
    x.destroy();
    assertThat(x.isDestroyed()).isTrue();
  }

  @Test
  void derAndRawSignatureEncodingsConvertBothWays() {
    Random r = new Random(3);
    for (int i = 0; i < 2000; i++) {
      byte[] raw = new byte[64];
      r.nextBytes(raw);
      // exercise leading zero bytes and top bits
      int z = r.nextInt(6);
      for (int k = 0; k < z; k++) {
        raw[k] = 0;
        raw[32 + (i % 2 == 0 ? k : 0)] = (byte) (i % 3 == 0 ? 0 : raw[32]);
      }
      if (i % 7 == 0) {
        raw[0] = (byte) 0x80;
      }
      BigInteger rr = new BigInteger(1, java.util.Arrays.copyOf(raw, 32));
      BigInteger ss = new BigInteger(1, java.util.Arrays.copyOfRange(raw, 32, 64));
      ASN1EncodableVector v = new ASN1EncodableVector();
      v.add(new ASN1Integer(rr));
      v.add(new ASN1Integer(ss));
      byte[] der;
      try {
        der = new DERSequence(v).getEncoded("DER");
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
      assertThat(ConscryptEcdsaSigner.rawToDer(raw, 32)).isEqualTo(der);
      assertThat(ConscryptEcdsaSigner.derToRaw(der, 32)).isEqualTo(raw);
    }
    assertThat(ConscryptEcdsaSigner.derToRaw(new byte[] {0x30, 0x00}, 32)).isNull();
    assertThat(ConscryptEcdsaSigner.derToRaw(new byte[] {0x31, 6, 2, 1, 1, 2, 1, 1}, 32)).isNull();
    assertThat(ConscryptEcdsaSigner.derToRaw(new byte[] {0x30, 6, 2, 1, 1, 2, 1, 1, 0}, 32)).isNull();
    assertThat(ConscryptEcdsaSigner.derToRaw(new byte[] {0x30, 6, 2, 1, 1, 2, 1, 1}, 32)).hasSize(64);
  }

  @Test
  void implementationsAreReadOnly() {
    Map<String, String> m = DefaultCrypto.get().implementations();
    assertThatThrownBy(() -> m.put("p256", "x")).isInstanceOf(UnsupportedOperationException.class);
  }
}
