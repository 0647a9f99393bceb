package io.edhoc.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Project Wycheproof vectors (src/test/resources/wycheproof, see its README) against {@link
 * DefaultCrypto}, once per public-key library (Bouncy Castle and Conscrypt/BoringSSL; the
 * Conscrypt run is skipped, not failed, where its native library does not load). One dynamic test
 * per case, named after file and tcId.
 */
@ParameterizedClass(name = "crypto {0}")
@EnumSource(value = CryptoChoice.class, names = {"BOUNCYCASTLE", "CONSCRYPT"})
class WycheproofTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameter
  CryptoChoice choice;

  private DefaultCrypto crypto;

  @BeforeEach
  void selectProvider() {
    Assumptions.assumeTrue(choice != CryptoChoice.CONSCRYPT || DefaultCrypto.conscryptAvailable(), "Conscrypt not available here");
    crypto = DefaultCrypto.of(choice);
    String expected = choice == CryptoChoice.CONSCRYPT ? DefaultCrypto.CONSCRYPT : DefaultCrypto.BOUNCYCASTLE;
    for (String primitive : List.of("x25519", "p256", "ed25519", "es256")) {
      assertThat(crypto.implementations()).containsEntry(primitive, expected);
    }
  }

  /** A test case with its group. */
  private static final class Case {
    final JsonNode group;
    final JsonNode test;

    Case(JsonNode group, JsonNode test) {
      this.group = group;
      this.test = test;
    }

    int tcId() {
      return test.get("tcId").asInt();
    }

    String result() {
      return test.get("result").asText();
    }

    boolean flag(String f) {
      for (JsonNode n : test.path("flags")) {
        if (n.asText().equals(f)) {
          return true;
        }
      }
      return false;
    }

    byte[] bytes(String field) {
      return Hex.decode(test.get(field).asText());
    }

    int groupInt(String field) {
      return group.get(field).asInt();
    }
  }

  private static JsonNode load(String file) {
    try (InputStream in = WycheproofTest.class.getResourceAsStream("/wycheproof/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + file);
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private interface CaseCheck {
    void check(Case c) throws Exception;
  }

  /** Dynamic tests for every case of file whose group matches groupFilter; asserts that all cases ran. */
  private static List<DynamicTest> cases(String file, Predicate<JsonNode> groupFilter, CaseCheck check) {
    return cases(file, groupFilter, c -> true, check);
  }

  /**
   * As above, for the cases {@code caseFilter} keeps: a case that would test nothing here (e.g. a
   * tampering our encoding cannot express) is left out rather than counted as a passing test.
   */
  private static List<DynamicTest> cases(String file, Predicate<JsonNode> groupFilter, Predicate<Case> caseFilter, CaseCheck check) {
    JsonNode root = load(file);
    List<DynamicTest> out = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    int total = 0;
    for (JsonNode g : root.get("testGroups")) {
      for (JsonNode t : g.get("tests")) {
        total++;
        if (!groupFilter.test(g)) {
          continue;
        }
        Case c = new Case(g, t);
        if (!caseFilter.test(c)) {
          continue;
        }
        ids.add(c.tcId());
        String name = file + " tcId " + c.tcId() + " " + c.result() + " " + t.path("flags") + " " + t.path("comment").asText();
        Executable e = () -> check.check(c);
        out.add(DynamicTest.dynamicTest(name, e));
      }
    }
    assertThat(total).isEqualTo(root.get("numberOfTests").asInt());
    assertThat(out).isNotEmpty();
    assertThat(ids).hasSize(out.size());
    return out;
  }

  private static byte[] fixed(byte[] bigInt, int len) {
    return org.bouncycastle.util.BigIntegers.asUnsignedByteArray(len, new BigInteger(1, bigInt));
  }

  // ---------------------------------------------------------------- XDH

  private List<DynamicTest> xdh(String file, CoseCurve curve) {
    KeyExchange kx = crypto.keyExchange(curve);
    return cases(file, g -> true, c -> {
      CosePrivateKey own = new CosePrivateKey(curve, c.bytes("private"), null);
      byte[] pub = c.bytes("public");
      boolean mustReject = c.result().equals("invalid") || c.flag("ZeroSharedSecret");
      if (mustReject) {
        assertThatThrownBy(() -> kx.agree(own, pub))
            .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_PUBLIC_KEY));
      } else {
        // valid and all other acceptable cases (twist, non-canonical u, ...) are computed exactly
        assertThat(Hex.encode(kx.agree(own, pub))).isEqualTo(Hex.encode(c.bytes("shared")));
      }
    });
  }

  @TestFactory
  List<DynamicTest> x25519() {
    return xdh("x25519_test.json", CoseCurve.X25519);
  }

  @TestFactory
  List<DynamicTest> x448() {
    return xdh("x448_test.json", CoseCurve.X448);
  }

  // ---------------------------------------------------------------- ECDH, x-only

  /**
   * ECDH with x-only public keys, as EDHOC sends G_X / G_Y (RFC 9528 Appendix B). Valid and
   * acceptable cases are computed exactly from the x-coordinate. An invalid case is counted only if
   * its x-coordinate itself is invalid (x not below p, or no point with that x: the invalid-curve
   * and wrong-curve cases whose x has no P-256/P-384 point): it goes through the decoding a
   * received G_X takes, as message_1 to a Responder, which must refuse it with INVALID_PUBLIC_KEY
   * and ERR_CODE 1. Invalid cases whose x does have a point on the curve (the attack lives in the y
   * the x-only encoding drops) and malformed encodings (which a bstr of the wrong length stands
   * for, a length check, not a point check) test nothing here and are left out.
   */
  private List<DynamicTest> ecdh(String file, CoseCurve curve, io.edhoc.CipherSuite suite) {
    KeyExchange kx = crypto.keyExchange(curve);
    int len = curve.coordinateLength();
    EcCurve ec = EcCurve.of(curve);
    Predicate<Case> counted = c -> !c.result().equals("invalid") || (xOf(c, len) != null && ec.compactFailure(xOf(c, len)) != null);
    return cases(file, g -> true, counted, c -> {
      CosePrivateKey own = new CosePrivateKey(curve, fixed(c.bytes("private"), len), null);
      byte[] x = xOf(c, len);
      if (c.result().equals("invalid")) {
        assertRejected(kx, own, x);
        assertRejectedAsGx(curve, suite, x);
        return;
      }
      assertThat(x).as("valid/acceptable point encodings").isNotNull();
      assertThat(Hex.encode(kx.agree(own, x))).isEqualTo(Hex.encode(c.bytes("shared")));
    });
  }

  /** The x-coordinate of a compressed (02/03 || x) or uncompressed (04 || x || y) point, else null. */
  private static byte[] xOf(Case c, int len) {
    byte[] pub = c.bytes("public");
    if ((pub.length == len + 1 && (pub[0] == 2 || pub[0] == 3)) || (pub.length == 2 * len + 1 && pub[0] == 4)) {
      return Arrays.copyOfRange(pub, 1, 1 + len);
    }
    return null;
  }

  /** A Responder (method 0, the suite of the curve) refuses message_1 carrying x as G_X. */
  private void assertRejectedAsGx(CoseCurve curve, io.edhoc.CipherSuite suite, byte[] x) throws Exception {
    CosePrivateKey k = crypto.keyExchange(curve).generate(new java.security.SecureRandom());
    io.edhoc.credentials.OwnCredential own = io.edhoc.credentials.OwnCredential.byReference(
        io.edhoc.credentials.CcsCredential.create("wycheproof", k.publicKey(), new byte[] {0x01}), k);
    io.edhoc.EdhocConfig cfg = io.edhoc.EdhocConfig.builder().suites(suite).methods(io.edhoc.Method.SIG_SIG).credential(own)
        .peers(new io.edhoc.credentials.InMemoryCredentialStore()).crypto(crypto).build();
    byte[] message1 = new io.edhoc.cbor.CborWriter().writeInt(0).writeInt(suite.id()).writeBytes(x).writeInt(-24).toByteArray();
    assertThatThrownBy(() -> io.edhoc.Edhoc.responder(cfg).readMessage1(message1).writeMessage2())
        .isInstanceOfSatisfying(io.edhoc.EdhocException.class, e -> {
          assertThat(e.failure()).isEqualTo(io.edhoc.Failure.INVALID_PUBLIC_KEY);
          assertThat(e.errorCode()).isEqualTo(1);
        });
  }

  private static void assertRejected(KeyExchange kx, CosePrivateKey own, byte[] peer) {
    assertThatThrownBy(() -> kx.agree(own, peer))
        .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.INVALID_PUBLIC_KEY));
  }

  @TestFactory
  List<DynamicTest> ecdhP256() {
    return ecdh("ecdh_secp256r1_ecpoint_test.json", CoseCurve.P_256, io.edhoc.CipherSuite.SUITE_2);
  }

  @TestFactory
  List<DynamicTest> ecdhP384() {
    return ecdh("ecdh_secp384r1_ecpoint_test.json", CoseCurve.P_384, io.edhoc.CipherSuite.SUITE_24);
  }

  // ---------------------------------------------------------------- signatures

  private List<DynamicTest> eddsa(String file, CoseCurve curve) {
    Signer s = crypto.signer(SignatureAlgorithm.EDDSA, curve);
    return cases(file, g -> true, c -> {
      CosePublicKey pk = new CosePublicKey(curve, Hex.decode(c.group.get("publicKey").get("pk").asText()), null);
      boolean ok = s.verify(pk, c.bytes("msg"), c.bytes("sig"));
      assertThat(ok).isEqualTo(c.result().equals("valid"));
    });
  }

  @TestFactory
  List<DynamicTest> ed25519() {
    return eddsa("ed25519_test.json", CoseCurve.ED25519);
  }

  @TestFactory
  List<DynamicTest> ed448() {
    return eddsa("ed448_test.json", CoseCurve.ED448);
  }

  private List<DynamicTest> ecdsa(String file, SignatureAlgorithm alg, CoseCurve curve) {
    Signer s = crypto.signer(alg, curve);
    int len = curve.coordinateLength();
    return cases(file, g -> true, c -> {
      JsonNode k = c.group.get("publicKey");
      CosePublicKey pk = new CosePublicKey(curve, fixed(Hex.decode(k.get("wx").asText()), len), fixed(Hex.decode(k.get("wy").asText()), len));
      boolean ok = s.verify(pk, c.bytes("msg"), c.bytes("sig"));
      assertThat(ok).isEqualTo(c.result().equals("valid"));
    });
  }

  @TestFactory
  List<DynamicTest> es256() {
    return ecdsa("ecdsa_secp256r1_sha256_p1363_test.json", SignatureAlgorithm.ES256, CoseCurve.P_256);
  }

  @TestFactory
  List<DynamicTest> es384() {
    return ecdsa("ecdsa_secp384r1_sha384_p1363_test.json", SignatureAlgorithm.ES384, CoseCurve.P_384);
  }

  // ---------------------------------------------------------------- AEAD

  private static void aeadCase(Aead aead, Case c) throws Exception {
    byte[] key = c.bytes("key");
    byte[] iv = c.bytes("iv");
    byte[] aad = c.bytes("aad");
    byte[] msg = c.bytes("msg");
    byte[] ct = c.bytes("ct");
    byte[] tag = c.bytes("tag");
    byte[] ctTag = new byte[ct.length + tag.length];
    System.arraycopy(ct, 0, ctTag, 0, ct.length);
    System.arraycopy(tag, 0, ctTag, ct.length, tag.length);
    if (c.result().equals("valid")) {
      assertThat(Hex.encode(aead.encrypt(key, iv, aad, msg))).isEqualTo(Hex.encode(ctTag));
      assertThat(Hex.encode(aead.decrypt(key, iv, aad, ctTag))).isEqualTo(Hex.encode(msg));
    } else {
      assertThatThrownBy(() -> aead.decrypt(key, iv, aad, ctTag))
          .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.AUTHENTICATION_FAILED));
    }
  }

  private static Predicate<JsonNode> group(int keyBits, int ivBits, int tagBits) {
    return g -> g.get("keySize").asInt() == keyBits && g.get("ivSize").asInt() == ivBits && g.get("tagSize").asInt() == tagBits;
  }

  @TestFactory
  List<DynamicTest> a128gcm() {
    Aead a = crypto.aead(AeadAlgorithm.A128GCM);
    return cases("aes_gcm_test.json", group(128, 96, 128), c -> aeadCase(a, c));
  }

  @TestFactory
  List<DynamicTest> a256gcm() {
    Aead a = crypto.aead(AeadAlgorithm.A256GCM);
    return cases("aes_gcm_test.json", group(256, 96, 128), c -> aeadCase(a, c));
  }

  @TestFactory
  List<DynamicTest> chacha20Poly1305() {
    Aead a = crypto.aead(AeadAlgorithm.CHACHA20_POLY1305);
    return cases("chacha20_poly1305_test.json", g -> g.get("ivSize").asInt() == 96, c -> aeadCase(a, c));
  }

  @TestFactory
  List<DynamicTest> aesCcm16128128() {
    Aead a = crypto.aead(AeadAlgorithm.AES_CCM_16_128_128);
    return cases("aes_ccm_test.json", group(128, 104, 128), c -> aeadCase(a, c));
  }

  /**
   * Wycheproof's CCM ModifiedTag cases use 12-byte nonces; replay their tampering with 13-byte
   * ones. Only ModifiedTag cases are counted; each asserts the 16-byte-tag rejection, and the
   * 8-byte-tag one when the modification reaches the first 8 bytes of the tag.
   */
  @TestFactory
  List<DynamicTest> aesCcmModifiedTagsWith13ByteNonce() {
    Aead a64 = crypto.aead(AeadAlgorithm.AES_CCM_16_64_128);
    Aead a128 = crypto.aead(AeadAlgorithm.AES_CCM_16_128_128);
    return cases("aes_ccm_test.json", g -> g.get("keySize").asInt() == 128 && g.get("ivSize").asInt() == 96 && g.get("tagSize").asInt() == 128,
        c -> c.flag("ModifiedTag"),
        c -> {
          byte[] key = c.bytes("key");
          byte[] nonce = Arrays.copyOf(c.bytes("iv"), 13);
          byte[] aad = c.bytes("aad");
          byte[] msg = c.bytes("msg");
          byte[] badTag = c.bytes("tag");
          for (Aead a : List.of(a64, a128)) {
            byte[] ctTag = a.encrypt(key, nonce, aad, msg);
            int t = a.algorithm().tagLength();
            byte[] reference = expectedTagOfOriginal(c);
            // apply the case's modification (xor difference to the untampered tag) to our tag
            byte[] tampered = ctTag.clone();
            for (int i = 0; i < t; i++) {
              tampered[ctTag.length - t + i] ^= (byte) (badTag[i] ^ reference[i]);
            }
            if (a == a128) {
              assertThat(tampered).as("a ModifiedTag case changes the 16-byte tag").isNotEqualTo(ctTag);
            }
            if (!Arrays.equals(tampered, ctTag)) {
              assertThatThrownBy(() -> a.decrypt(key, nonce, aad, tampered))
                  .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.AUTHENTICATION_FAILED));
            }
          }
        });
  }

  /** The unmodified tag of a ModifiedTag case: same key/iv/aad/msg, computed by the 12-byte nonce group's valid case. */
  private static byte[] expectedTagOfOriginal(Case c) throws Exception {
    // BC CCM directly (12-byte nonce, 16-byte tag) gives the untampered reference tag.
    org.bouncycastle.crypto.modes.CCMModeCipher ccm = org.bouncycastle.crypto.modes.CCMBlockCipher.newInstance(org.bouncycastle.crypto.engines.AESEngine.newInstance());
    ccm.init(true, new org.bouncycastle.crypto.params.AEADParameters(new org.bouncycastle.crypto.params.KeyParameter(c.bytes("key")), 128, c.bytes("iv"), c.bytes("aad")));
    byte[] msg = c.bytes("msg");
    byte[] out = new byte[ccm.getOutputSize(msg.length)];
    int n = ccm.processBytes(msg, 0, msg.length, out, 0);
    ccm.doFinal(out, n);
    return Arrays.copyOfRange(out, msg.length, out.length);
  }

  // ---------------------------------------------------------------- HKDF / HMAC

  private List<DynamicTest> hkdf(String file, HashAlgorithm alg) {
    EdhocHash h = crypto.hash(alg);
    return cases(file, g -> true, c -> {
      int size = c.test.get("size").asInt();
      byte[] prk = h.extract(c.bytes("salt"), c.bytes("ikm"));
      if (c.result().equals("valid")) {
        assertThat(Hex.encode(h.expand(prk, c.bytes("info"), size))).isEqualTo(Hex.encode(c.bytes("okm")));
      } else {
        assertThat(size).isGreaterThan(255 * alg.length());
        assertThatThrownBy(() -> h.expand(prk, c.bytes("info"), size)).isInstanceOf(IllegalArgumentException.class);
      }
    });
  }

  @TestFactory
  List<DynamicTest> hkdfSha256() {
    return hkdf("hkdf_sha256_test.json", HashAlgorithm.SHA_256);
  }

  @TestFactory
  List<DynamicTest> hkdfSha384() {
    return hkdf("hkdf_sha384_test.json", HashAlgorithm.SHA_384);
  }

  /** HMAC-SHA-256 is HKDF-Extract(salt = key, IKM = msg). Truncated tags compare the leftmost bytes. */
  @TestFactory
  List<DynamicTest> hmacSha256() {
    EdhocHash h = crypto.hash(HashAlgorithm.SHA_256);
    BiPredicate<byte[], byte[]> same = java.security.MessageDigest::isEqual;
    return cases("hmac_sha256_test.json", g -> true, c -> {
      byte[] tag = c.bytes("tag");
      byte[] mac = Arrays.copyOf(h.extract(c.bytes("key"), c.bytes("msg")), tag.length);
      assertThat(same.test(mac, tag)).isEqualTo(c.result().equals("valid"));
    });
  }
}
