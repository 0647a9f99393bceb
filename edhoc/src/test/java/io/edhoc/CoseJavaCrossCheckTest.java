package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;

import COSE.AlgorithmID;
import COSE.Attribute;
import COSE.Encrypt0Message;
import COSE.HeaderKeys;
import COSE.KeyKeys;
import COSE.Message;
import COSE.MessageTag;
import COSE.OneKey;
import COSE.Sign1Message;
import com.upokecenter.cbor.CBORObject;
import io.edhoc.cbor.CborWriter;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.crypto.Aead;
import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.DefaultCrypto;
import io.edhoc.crypto.SignatureAlgorithm;
import io.edhoc.crypto.Signer;
import java.security.Security;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our COSE layer (KeySchedule.sigStructure / encStructure with DefaultCrypto) against COSE-JAVA
 * 1.1.0 for what COSE-JAVA supports: COSE_Sign1 with ES256, ES384 and EdDSA (Ed25519) and
 * COSE_Encrypt0 with AES-CCM-16-64-128, in both directions. COSE-JAVA has no X25519, X448 or
 * Ed448, so those stay with our own layer only. The Sig_structure and Enc_structure bytes are
 * also compared with an encoding made by a third CBOR library (com.upokecenter.cbor).
 */
class CoseJavaCrossCheckTest {
  @BeforeAll
  static void eddsaProvider() {
    // COSE-JAVA 1.1.0 does EdDSA only through the net.i2p provider, which it does not register itself
    if (Security.getProvider("EdDSA") == null) {
      Security.addProvider(new net.i2p.crypto.eddsa.EdDSASecurityProvider());
    }
    // and AES-CCM only through a JCA "AES/CCM/NoPadding", which the JDK lacks: Bouncy Castle's
    // provider, appended last so that it serves nothing the JDK already does
    if (Security.getProvider("BC") == null) {
      Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
    }
  }

  static Stream<Arguments> signatures() {
    return Stream.of(
        Arguments.of(SignatureAlgorithm.ES256, CoseCurve.P_256, AlgorithmID.ECDSA_256),
        Arguments.of(SignatureAlgorithm.ES384, CoseCurve.P_384, AlgorithmID.ECDSA_384),
        Arguments.of(SignatureAlgorithm.EDDSA, CoseCurve.ED25519, AlgorithmID.EDDSA));
  }

  /** Our key as a COSE-JAVA OneKey (with or without the private part). */
  static OneKey oneKey(CosePrivateKey k, boolean withPrivate) throws Exception {
    CBORObject m = CBORObject.NewMap();
    CoseCurve c = k.curve();
    m.Add(KeyKeys.KeyType.AsCBOR(), c.keyType().coseId());
    m.Add(CBORObject.FromObject(-1), c.coseId());
    m.Add(CBORObject.FromObject(-2), k.publicKey().x());
    if (k.publicKey().hasY()) {
      m.Add(CBORObject.FromObject(-3), k.publicKey().y());
    }
    if (withPrivate) {
      m.Add(CBORObject.FromObject(-4), k.exportSecret());
    }
    return new OneKey(m);
  }

  /** An EDHOC-shaped Sig_structure input: protected = ID_CRED_x (kid), external_aad = << TH, CRED, EAD >>, payload = MAC. */
  static final byte[] ID_CRED = new CborWriter().writeMapHeader(1).writeInt(4).writeBytes(new byte[] {0x2b}).toByteArray();
  static final byte[] EXTERNAL_AAD = CborWriter.sequence(CborWriter.bstr(new byte[32]), CborWriter.bstr(new byte[] {1, 2, 3}));
  static final byte[] MAC = {9, 8, 7, 6, 5, 4, 3, 2};

  @ParameterizedTest(name = "{0}")
  @MethodSource("signatures")
  void coseJavaSign1VerifiesWithOurSigStructure(SignatureAlgorithm alg, CoseCurve curve, AlgorithmID coseAlg) throws Exception {
    CosePrivateKey k = Fixture.key(curve);
    Sign1Message msg = new Sign1Message();
    msg.addAttribute(HeaderKeys.KID, CBORObject.FromObject(new byte[] {0x2b}), Attribute.PROTECTED);
    msg.addAttribute(HeaderKeys.Algorithm, coseAlg.AsCBOR(), Attribute.UNPROTECTED);
    msg.setExternal(EXTERNAL_AAD);
    msg.SetContent(MAC);
    msg.sign(oneKey(k, true));
    CBORObject arr = CBORObject.DecodeFromBytes(msg.EncodeToBytes()).UntagOne();
    byte[] prot = arr.get(0).GetByteString();
    byte[] sig = arr.get(3).GetByteString();
    assertThat(prot).isEqualTo(ID_CRED);

    byte[] ours = KeySchedule.sigStructure(prot, EXTERNAL_AAD, MAC);
    byte[] third = CBORObject.NewArray().Add("Signature1").Add(prot).Add(EXTERNAL_AAD).Add(MAC).EncodeToBytes();
    assertThat(ours).isEqualTo(third);
    Signer signer = DefaultCrypto.get().signer(alg, curve);
    assertThat(signer.verify(k.publicKey(), ours, sig)).isTrue();
    assertThat(signer.verify(k.publicKey(), KeySchedule.sigStructure(prot, new byte[] {0}, MAC), sig)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("signatures")
  void ourSignatureValidatesInCoseJava(SignatureAlgorithm alg, CoseCurve curve, AlgorithmID coseAlg) throws Exception {
    CosePrivateKey k = Fixture.key(curve);
    byte[] sig = DefaultCrypto.get().signer(alg, curve).sign(k, KeySchedule.sigStructure(ID_CRED, EXTERNAL_AAD, MAC));
    CBORObject unprotected = CBORObject.NewMap().Add(HeaderKeys.Algorithm.AsCBOR(), coseAlg.AsCBOR());
    byte[] sign1 = CBORObject.FromObjectAndTag(CBORObject.NewArray().Add(ID_CRED).Add(unprotected).Add(MAC).Add(sig), 18).EncodeToBytes();

    Sign1Message parsed = (Sign1Message) Message.DecodeFromBytes(sign1, MessageTag.Sign1);
    parsed.setExternal(EXTERNAL_AAD);
    assertThat(parsed.validate(oneKey(k, false))).isTrue();
    Sign1Message other = (Sign1Message) Message.DecodeFromBytes(sign1, MessageTag.Sign1);
    other.setExternal(new byte[] {0});
    assertThat(other.validate(oneKey(k, false))).isFalse();
  }

  static final byte[] KEY = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  static final byte[] IV = {21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33};
  static final byte[] TH = new byte[32];
  static final byte[] PLAINTEXT = CborWriter.sequence(new byte[] {0x2b}, CborWriter.bstr(new byte[8]));

  static {
    for (int i = 0; i < TH.length; i++) {
      TH[i] = (byte) (0xa0 + i);
    }
  }

  @Test
  void coseJavaEncrypt0DecryptsWithOurEncStructure() throws Exception {
    Encrypt0Message msg = new Encrypt0Message();
    msg.addAttribute(HeaderKeys.Algorithm, AlgorithmID.AES_CCM_16_64_128.AsCBOR(), Attribute.DO_NOT_SEND);
    msg.addAttribute(HeaderKeys.IV, CBORObject.FromObject(IV), Attribute.DO_NOT_SEND);
    msg.setExternal(TH);
    msg.SetContent(PLAINTEXT);
    msg.encrypt(KEY);
    CBORObject arr = CBORObject.DecodeFromBytes(msg.EncodeToBytes()).UntagOne();
    assertThat(arr.get(0).GetByteString()).as("empty protected header, as in EDHOC").isEmpty();
    byte[] ciphertext = arr.get(2).GetByteString();

    byte[] a3 = KeySchedule.encStructure(TH);
    assertThat(a3).isEqualTo(CBORObject.NewArray().Add("Encrypt0").Add(new byte[0]).Add(TH).EncodeToBytes());
    Aead aead = DefaultCrypto.get().aead(AeadAlgorithm.AES_CCM_16_64_128);
    assertThat(aead.decrypt(KEY, IV, a3, ciphertext)).isEqualTo(PLAINTEXT);
    assertThat(ciphertext).isEqualTo(aead.encrypt(KEY, IV, a3, PLAINTEXT));
  }

  @Test
  void ourCiphertext3DecryptsInCoseJava() throws Exception {
    byte[] ciphertext = DefaultCrypto.get().aead(AeadAlgorithm.AES_CCM_16_64_128).encrypt(KEY, IV, KeySchedule.encStructure(TH), PLAINTEXT);
    CBORObject unprotected = CBORObject.NewMap().Add(HeaderKeys.Algorithm.AsCBOR(), AlgorithmID.AES_CCM_16_64_128.AsCBOR())
        .Add(HeaderKeys.IV.AsCBOR(), IV);
    byte[] enc0 = CBORObject.FromObjectAndTag(CBORObject.NewArray().Add(new byte[0]).Add(unprotected).Add(ciphertext), 16).EncodeToBytes();
    Encrypt0Message parsed = (Encrypt0Message) Message.DecodeFromBytes(enc0, MessageTag.Encrypt0);
    parsed.setExternal(TH);
    assertThat(parsed.decrypt(KEY)).isEqualTo(PLAINTEXT);

    Encrypt0Message wrongAad = (Encrypt0Message) Message.DecodeFromBytes(enc0, MessageTag.Encrypt0);
    wrongAad.setExternal(new byte[32]);
    org.junit.jupiter.api.Assertions.assertThrows(COSE.CoseException.class, () -> wrongAad.decrypt(KEY));
  }
}
