package io.edhoc.crypto;

import java.util.Arrays;
import java.util.Random;
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

/**
 * AES-CCM side by side: Bouncy Castle's CCMBlockCipher ({@link BcAead}, {@code impl=bc}) and the
 * CCM composed here on the JDK's AES ({@link JdkAesCcm}, {@code impl=jdk}), with message_3-sized
 * inputs of method 0 / suite 0 (a 67-byte plaintext: ID_CRED_I and a 64-byte signature; a 45-byte
 * Enc_structure as AAD) and a message_2/OSCORE-ish 16-byte payload. Run: docs/performance.md,
 * "AES-CCM".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AeadCcmBench {
  @Param({"bc", "jdk"})
  public String impl;

  @Param({"AES_CCM_16_64_128"})
  public String alg;

  @Param({"67"})
  public int length;

  private Aead aead;
  private byte[] key;
  private byte[] iv;
  private byte[] aad;
  private byte[] msg;
  private byte[] ct;

  @Setup
  public void setup() throws Exception {
    AeadAlgorithm a = AeadAlgorithm.valueOf(alg);
    aead = impl.equals("bc") ? new BcAead(a) : new JdkAesCcm(a);
    Random r = new Random(1);
    key = new byte[16];
    iv = new byte[13];
    aad = new byte[45];
    msg = new byte[length];
    r.nextBytes(key);
    r.nextBytes(iv);
    r.nextBytes(aad);
    r.nextBytes(msg);
    ct = aead.encrypt(key, iv, aad, msg);
    Aead other = impl.equals("bc") ? new JdkAesCcm(a) : new BcAead(a);
    if (!Arrays.equals(ct, other.encrypt(key, iv, aad, msg))) {
      throw new IllegalStateException("the two AES-CCM implementations disagree");
    }
  }

  @Benchmark
  public byte[] encrypt() throws Exception {
    return aead.encrypt(key, iv, aad, msg);
  }

  @Benchmark
  public byte[] decrypt() throws Exception {
    return aead.decrypt(key, iv, aad, ct);
  }
}
