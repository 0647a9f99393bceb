package io.edhoc.bench;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import io.edhoc.crypto.CryptoChoice;
import io.edhoc.crypto.DefaultCrypto;
import io.edhoc.crypto.KeyExchange;
import io.edhoc.crypto.SignatureAlgorithm;
import io.edhoc.crypto.Signer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The public-key primitives of suites 0-3 through {@link DefaultCrypto} on each library
 * ({@code lib}: bouncycastle or conscrypt), exactly as the handshake calls them: compact peer
 * keys, COSE signatures (raw r || s), credential keys kept in their parsed form. Run: see
 * docs/performance.md, "Primitives".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProviderBench {
  @Param({"bouncycastle", "conscrypt"})
  public String lib;

  /** More peer keys than the 64-entry caches hold, so that every ECDH parses its peer key. */
  private static final int PEERS = 256;

  private final SecureRandom random = new SecureRandom();
  private final byte[] msg = new byte[100];
  private KeyExchange p256;
  private CosePrivateKey p256Own;
  private byte[][] p256Peers;
  private KeyExchange x25519;
  private CosePrivateKey x25519Own;
  private byte[][] x25519Peers;
  private Signer es256;
  private CosePrivateKey es256Key;
  private byte[] es256Sig;
  private Signer ed25519;
  private CosePrivateKey edKey;
  private byte[] edSig;
  private int next;

  @Setup
  public void setup() throws Exception {
    DefaultCrypto c = DefaultCrypto.of(CryptoChoice.parse(lib));
    random.nextBytes(msg);
    p256 = c.keyExchange(CoseCurve.P_256);
    p256Own = p256.generate(random);
    p256Peers = new byte[PEERS][];
    x25519 = c.keyExchange(CoseCurve.X25519);
    x25519Own = x25519.generate(random);
    x25519Peers = new byte[PEERS][];
    for (int i = 0; i < PEERS; i++) {
      p256Peers[i] = p256.generate(random).publicKey().x();
      x25519Peers[i] = x25519.generate(random).publicKey().x();
    }
    es256 = c.signer(SignatureAlgorithm.ES256, CoseCurve.P_256);
    es256Key = p256.generate(random);
    es256Sig = es256.sign(es256Key, msg);
    ed25519 = c.signer(SignatureAlgorithm.EDDSA, CoseCurve.ED25519);
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    byte[] pk = new byte[32];
    Ed25519.generatePublicKey(seed, 0, pk, 0);
    edKey = new CosePrivateKey(CoseCurve.ED25519, seed, new CosePublicKey(CoseCurve.ED25519, pk, null));
    edSig = ed25519.sign(edKey, msg);
  }

  private int nextPeer() {
    next = (next + 1) & (PEERS - 1);
    return next;
  }

  @Benchmark
  public CosePrivateKey p256Keygen() {
    return p256.generate(random);
  }

  /** A fresh peer x every call: decompression and validation included (as for G_X / G_Y). */
  @Benchmark
  public byte[] p256Ecdh() throws Exception {
    return p256.agree(p256Own, p256Peers[nextPeer()]);
  }

  /** The same peer x every call (a static key, or G_X used a second time for G_RX). */
  @Benchmark
  public byte[] p256EcdhKnownPeer() throws Exception {
    return p256.agree(p256Own, p256Peers[0]);
  }

  @Benchmark
  public CosePrivateKey x25519Keygen() {
    return x25519.generate(random);
  }

  @Benchmark
  public byte[] x25519Dh() throws Exception {
    return x25519.agree(x25519Own, x25519Peers[nextPeer()]);
  }

  @Benchmark
  public byte[] es256Sign() throws Exception {
    return es256.sign(es256Key, msg);
  }

  @Benchmark
  public boolean es256Verify() {
    return es256.verify(es256Key.publicKey(), msg, es256Sig);
  }

  @Benchmark
  public byte[] ed25519Sign() throws Exception {
    return ed25519.sign(edKey, msg);
  }

  @Benchmark
  public boolean ed25519Verify() {
    return ed25519.verify(edKey.publicKey(), msg, edSig);
  }
}
