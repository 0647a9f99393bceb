package io.edhoc.bench;

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
import io.edhoc.crypto.DefaultCrypto;
import io.edhoc.crypto.KeyExchange;
import io.edhoc.crypto.Signer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * A full in-process EDHOC handshake (initiator and responder in one thread, message_1 to
 * message_3, no message_4, CCS credentials by kid) next to its public-key floor: exactly the
 * key generations, ECDH, signatures and verifications that handshake does, through the same
 * {@link DefaultCrypto} (per {@code crypto}: bouncycastle or conscrypt). The ratio handshake /
 * floor is the protocol's own overhead (CBOR, HKDF, AEAD, transcript hashes, credential lookup).
 * Run: see docs/performance.md, "Handshake".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandshakeBench {
  @Param({"0", "2"})
  public int suite;

  @Param({"0", "3"})
  public int method;

  @Param({"bouncycastle", "conscrypt"})
  public String crypto;

  private DefaultCrypto provider;

  private EdhocConfig initiator;
  private EdhocConfig responder;

  // the floor's inputs: the same static keys as the handshake's credentials
  private KeyExchange dh;
  private Signer signer;
  private SecureRandom random;
  private CosePrivateKey keyI;
  private CosePrivateKey keyR;
  private byte[] toBeSigned2;
  private byte[] toBeSigned3;

  static CosePrivateKey key(DefaultCrypto provider, CoseCurve curve, SecureRandom random) {
    if (curve.use().agrees()) {
      return provider.keyExchange(curve).generate(random);
    }
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    byte[] pk = new byte[32];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pk, 0);
    return new CosePrivateKey(curve, seed, new CosePublicKey(curve, pk, null));
  }

  @Setup
  public void setup() throws Exception {
    CipherSuite s = CipherSuite.fromId(suite);
    Method m = Method.fromId(method);
    provider = DefaultCrypto.of(io.edhoc.crypto.CryptoChoice.parse(crypto));
    random = provider.random();
    keyI = key(provider, m.initiatorSigns() ? s.signatureCurve() : s.dhCurve(), random);
    keyR = key(provider, m.responderSigns() ? s.signatureCurve() : s.dhCurve(), random);
    CcsCredential credI = CcsCredential.create("initiator", keyI.publicKey(), new byte[] {0x0a}, null, null);
    CcsCredential credR = CcsCredential.create("responder", keyR.publicKey(), new byte[] {0x0b}, null, null);
    initiator = EdhocConfig.builder().suites(s).methods(m).credential(OwnCredential.byReference(credI, keyI))
        .peers(new InMemoryCredentialStore().add(credR)).crypto(provider).build();
    responder = EdhocConfig.builder().suites(s).methods(m).credential(OwnCredential.byReference(credR, keyR))
        .peers(new InMemoryCredentialStore().add(credI)).crypto(provider).build();
    dh = provider.keyExchange(s.dhCurve());
    signer = provider.signer(s.signatureAlgorithm(), s.signatureCurve());
    // Sig_structure sizes as in the handshake: "Signature1", ID_CRED, << TH, CRED, EAD >>, MAC
    toBeSigned2 = new byte[48 + credR.cred().length + 32];
    toBeSigned3 = new byte[48 + credI.cred().length + 32];
    random.nextBytes(toBeSigned2);
    random.nextBytes(toBeSigned3);
  }

  @Benchmark
  public void handshake(Blackhole bh) throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(initiator).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(responder).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    EdhocSession sr = w3.readMessage3(w4.message3()).complete();
    EdhocSession si = w4.complete();
    bh.consume(si);
    bh.consume(sr);
  }

  /**
   * The handshake's public-key operations only. Method 0: two ephemeral key pairs, G_XY on both
   * sides, a signature and a verification each way. Method 3: two ephemeral key pairs, G_XY, G_RX
   * and G_IY on both sides.
   */
  @Benchmark
  public void publicKeyFloor(Blackhole bh) throws Exception {
    CosePrivateKey x = dh.generate(random);
    CosePrivateKey y = dh.generate(random);
    byte[] gX = x.publicKey().x();
    byte[] gY = y.publicKey().x();
    bh.consume(dh.agree(y, gX)); // responder G_XY
    if (method == 0) {
      byte[] sig2 = signer.sign(keyR, toBeSigned2);
      bh.consume(dh.agree(x, gY)); // initiator G_XY
      bh.consume(signer.verify(keyR.publicKey(), toBeSigned2, sig2));
      byte[] sig3 = signer.sign(keyI, toBeSigned3);
      bh.consume(signer.verify(keyI.publicKey(), toBeSigned3, sig3));
    } else {
      bh.consume(dh.agree(keyR, gX)); // responder G_RX
      bh.consume(dh.agree(x, gY)); // initiator G_XY
      bh.consume(dh.agree(x, keyR.publicKey().x())); // initiator G_RX
      bh.consume(dh.agree(keyI, gY)); // initiator G_IY
      bh.consume(dh.agree(y, keyI.publicKey().x())); // responder G_IY
    }
  }
}
