package io.edhoc.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link JdkAesCcm}, the AES-CCM composed on the JDK's AES (the default for AES-CCM-16-64-128 and
 * AES-CCM-16-128-128). Every Wycheproof AES-CCM case (all key, nonce and tag sizes: the static
 * entry points take RFC 3610's whole parameter range) including the invalid-tag ones; Bouncy
 * Castle's CCM side by side on random inputs (long AAD and the largest L = 2 payload included);
 * and tag tampering. RFC 3610's packet vectors and the RFC 9529 traces run through {@code
 * DefaultCrypto} in KnownAnswerTest and the vectors module.
 */
class JdkAesCcmTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static byte[] hex(JsonNode t, String field) {
    return Hex.decode(t.get(field).asText());
  }

  /** RFC 3610 section 2: M in {4, 6, ..., 16}, L in 2..8 (nonce 15 - L = 7..13 bytes). */
  private static boolean legal(int nonceBytes, int tagBits) {
    return nonceBytes >= 7 && nonceBytes <= 13 && tagBits % 16 == 0 && tagBits >= 32 && tagBits <= 128;
  }

  @TestFactory
  List<DynamicTest> everyWycheproofAesCcmCase() throws Exception {
    JsonNode root;
    try (InputStream in = JdkAesCcmTest.class.getResourceAsStream("/wycheproof/aes_ccm_test.json")) {
      root = JSON.readTree(in);
    }
    List<DynamicTest> out = new ArrayList<>();
    int[] valid = new int[1];
    for (JsonNode g : root.get("testGroups")) {
      int tagBits = g.get("tagSize").asInt();
      for (JsonNode t : g.get("tests")) {
        String name = "tcId " + t.get("tcId").asInt() + " " + t.get("result").asText() + " key " + g.get("keySize").asInt()
            + " iv " + g.get("ivSize").asInt() + " tag " + tagBits + " " + t.path("flags") + " " + t.path("comment").asText();
        if (t.get("result").asText().equals("valid")) {
          valid[0]++;
        }
        out.add(DynamicTest.dynamicTest(name, () -> {
          byte[] key = hex(t, "key");
          byte[] iv = hex(t, "iv");
          byte[] aad = hex(t, "aad");
          byte[] msg = hex(t, "msg");
          byte[] ct = hex(t, "ct");
          byte[] tag = hex(t, "tag");
          byte[] ctTag = Arrays.copyOf(ct, ct.length + tag.length);
          System.arraycopy(tag, 0, ctTag, ct.length, tag.length);
          int tagLength = tagBits / 8;
          if (t.get("result").asText().equals("valid")) {
            assertThat(legal(iv.length, tagBits)).as("valid cases use RFC 3610 parameters").isTrue();
            assertThat(Hex.encode(JdkAesCcm.seal(key, iv, aad, msg, tagLength))).isEqualTo(Hex.encode(ctTag));
            assertThat(Hex.encode(JdkAesCcm.open(key, iv, aad, ctTag, tagLength))).isEqualTo(Hex.encode(msg));
          } else {
            CryptoException.Reason expected = legal(iv.length, tagBits) && tagBits % 8 == 0
                ? CryptoException.Reason.AUTHENTICATION_FAILED
                : CryptoException.Reason.INVALID_PARAMETERS;
            assertThatThrownBy(() -> JdkAesCcm.open(key, iv, aad, ctTag, tagLength))
                .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(expected));
          }
        }));
      }
    }
    assertThat(out).hasSize(root.get("numberOfTests").asInt());
    assertThat(valid[0]).isGreaterThan(200);
    return out;
  }

  @Test
  void agreesWithBouncyCastleSideBySide() throws Exception {
    Random r = new Random(3610);
    for (AeadAlgorithm alg : new AeadAlgorithm[] {AeadAlgorithm.AES_CCM_16_64_128, AeadAlgorithm.AES_CCM_16_128_128}) {
      Aead jdk = new JdkAesCcm(alg);
      Aead bc = new BcAead(alg);
      for (int i = 0; i < 400; i++) {
        byte[] key = bytes(r, 16);
        byte[] nonce = bytes(r, 13);
        // block boundaries, the 2-byte AAD length form and the 0xFF 0xFE + 4-byte form (>= 0xFF00)
        int aadLength = i % 50 == 0 ? 0xFF00 + r.nextInt(300) : i % 7 == 0 ? 0 : r.nextInt(i % 3 == 0 ? 300 : 40);
        int msgLength = i == 0 ? 0xFFFF : i % 5 == 0 ? r.nextInt(1000) : i % 11 == 0 ? 16 * r.nextInt(5) : r.nextInt(70);
        byte[] aad = bytes(r, aadLength);
        byte[] msg = bytes(r, msgLength);
        byte[] expected = bc.encrypt(key, nonce, aad, msg);
        assertThat(jdk.encrypt(key, nonce, aad, msg)).isEqualTo(expected);
        assertThat(jdk.decrypt(key, nonce, aad, expected)).isEqualTo(msg);
        assertThat(bc.decrypt(key, nonce, aad, expected)).isEqualTo(msg);
      }
    }
  }

  @Test
  void everyTamperedTagByteAndTruncationIsRejected() throws Exception {
    Random r = new Random(9528);
    for (AeadAlgorithm alg : new AeadAlgorithm[] {AeadAlgorithm.AES_CCM_16_64_128, AeadAlgorithm.AES_CCM_16_128_128}) {
      Aead a = new JdkAesCcm(alg);
      byte[] key = bytes(r, 16);
      byte[] nonce = bytes(r, 13);
      byte[] aad = bytes(r, 45);
      byte[] msg = bytes(r, 67);
      byte[] ct = a.encrypt(key, nonce, aad, msg);
      int t = alg.tagLength();
      for (int i = ct.length - t; i < ct.length; i++) {
        for (int delta : new int[] {1, 0x80, 0xFF}) {
          byte[] bad = ct.clone();
          bad[i] ^= (byte) delta;
          assertAuthFails(() -> a.decrypt(key, nonce, aad, bad));
        }
      }
      byte[] zeroTag = ct.clone();
      Arrays.fill(zeroTag, ct.length - t, ct.length, (byte) 0);
      assertAuthFails(() -> a.decrypt(key, nonce, aad, zeroTag));
      assertAuthFails(() -> a.decrypt(key, nonce, aad, Arrays.copyOf(ct, ct.length - 1)));
      assertAuthFails(() -> a.decrypt(key, nonce, aad, Arrays.copyOfRange(ct, 1, ct.length)));
      // the tag of the other tag length does not verify either (M is in B_0)
      Aead other = new JdkAesCcm(alg == AeadAlgorithm.AES_CCM_16_64_128 ? AeadAlgorithm.AES_CCM_16_128_128 : AeadAlgorithm.AES_CCM_16_64_128);
      assertAuthFails(() -> other.decrypt(key, nonce, aad, ct));
      assertThat(a.decrypt(key, nonce, aad, ct)).isEqualTo(msg);
    }
  }

  @Test
  void payloadsBeyondTheTwoByteLengthFieldAreRefused() throws Exception {
    Aead a = new JdkAesCcm(AeadAlgorithm.AES_CCM_16_64_128);
    byte[] key = new byte[16];
    byte[] nonce = new byte[13];
    assertThat(a.encrypt(key, nonce, null, new byte[0xFFFF])).hasSize(0xFFFF + 8);
    assertThatThrownBy(() -> a.encrypt(key, nonce, null, new byte[0x10000]))
        .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_PARAMETERS));
    assertAuthFails(() -> a.decrypt(key, nonce, null, new byte[0x10000 + 8]));
  }

  @Test
  void theDefaultProviderUsesIt() {
    for (CryptoChoice choice : new CryptoChoice[] {CryptoChoice.BOUNCYCASTLE, CryptoChoice.AUTO}) {
      assertThat(DefaultCrypto.of(choice).aead(AeadAlgorithm.AES_CCM_16_64_128)).isInstanceOf(JdkAesCcm.class);
      assertThat(DefaultCrypto.of(choice).aead(AeadAlgorithm.AES_CCM_16_128_128)).isInstanceOf(JdkAesCcm.class);
    }
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void assertAuthFails(Call c) {
    assertThatThrownBy(c::run)
        .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.AUTHENTICATION_FAILED));
  }

  private static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}
