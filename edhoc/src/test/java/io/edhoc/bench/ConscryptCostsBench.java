package io.edhoc.bench;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
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
 * The costs behind the Conscrypt path's design choices (docs/performance.md): a JCA getInstance
 * with a provider object (done per operation), P-256 point decompression by BoringSSL (compressed
 * SubjectPublicKeyInfo) vs Bouncy Castle's square root plus an uncompressed key, and parsing a
 * private key (why a credential's key is parsed once and kept).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConscryptCostsBench {
  private static final byte[] SPKI_C = hex("3039301306072a8648ce3d020106082a8648ce3d030107032200");
  private static final byte[] SPKI_U = hex("3059301306072a8648ce3d020106082a8648ce3d030107034200");

  private Provider p;
  private KeyFactory kf;
  private byte[] compressed;
  private byte[] c33;
  private X9ECParameters x9;
  private ECPrivateKeySpec privSpec;
  private PrivateKey priv;
  private PublicKey peer;

  @Setup
  public void setup() throws Exception {
    p = org.conscrypt.Conscrypt.newProvider();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p);
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair own = g.generateKeyPair();
    KeyPair other = g.generateKeyPair();
    priv = own.getPrivate();
    peer = other.getPublic();
    kf = KeyFactory.getInstance("EC", p);
    byte[] x = fixed(((ECPublicKey) other.getPublic()).getW().getAffineX());
    compressed = concat(SPKI_C, new byte[] {2}, x);
    c33 = concat(new byte[] {2}, x);
    x9 = CustomNamedCurves.getByName("secp256r1");
    privSpec = new ECPrivateKeySpec(((ECPrivateKey) priv).getS(), ((ECPrivateKey) priv).getParams());
  }

  @Benchmark
  public KeyAgreement getInstanceKeyAgreement() throws Exception {
    return KeyAgreement.getInstance("ECDH", p);
  }

  @Benchmark
  public PublicKey p256DecompressByBoringSsl() throws Exception {
    return kf.generatePublic(new X509EncodedKeySpec(compressed));
  }

  @Benchmark
  public PublicKey p256DecompressByBcThenUncompressed() throws Exception {
    org.bouncycastle.math.ec.ECPoint q = x9.getCurve().decodePoint(c33).normalize();
    if (!q.isValid()) {
      throw new IllegalStateException();
    }
    return kf.generatePublic(new X509EncodedKeySpec(concat(SPKI_U, q.getEncoded(false))));
  }

  @Benchmark
  public PrivateKey p256ParsePrivateKey() throws Exception {
    return kf.generatePrivate(privSpec);
  }

  @Benchmark
  public byte[] p256EcdhParsedKeys() throws Exception {
    KeyAgreement ka = KeyAgreement.getInstance("ECDH", p);
    ka.init(priv);
    ka.doPhase(peer, true);
    return ka.generateSecret();
  }

  private static byte[] fixed(java.math.BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] r = new byte[32];
    int n = Math.min(32, b.length);
    System.arraycopy(b, b.length - n, r, 32 - n, n);
    return r;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] a : parts) {
      n += a.length;
    }
    byte[] r = new byte[n];
    int o = 0;
    for (byte[] a : parts) {
      System.arraycopy(a, 0, r, o, a.length);
      o += a.length;
    }
    return r;
  }

  private static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return Arrays.copyOf(b, b.length);
  }
}
