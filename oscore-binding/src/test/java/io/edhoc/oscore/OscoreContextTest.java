package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.ConnectionIdAllocator;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.TestHooks;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.X509Credential;
import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class OscoreContextTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] SECRET = HEX.parseHex("0102030405060708090a0b0c0d0e0f10");
  private static final byte[] SALT = HEX.parseHex("9e7ca92223786340");

  private static byte[] h(String s) {
    return HEX.parseHex(s);
  }

  // ---- RFC 8613 Appendix C ----

  @Test
  void rfc8613C1KeyDerivationWithMasterSalt() {
    assertThat(OscoreContext.info(new byte[0], null, AeadAlgorithm.AES_CCM_16_64_128, "Key", 16)).isEqualTo(h("8540f60a634b657910"));
    assertThat(OscoreContext.info(h("01"), null, AeadAlgorithm.AES_CCM_16_64_128, "Key", 16)).isEqualTo(h("854101f60a634b657910"));
    assertThat(OscoreContext.info(new byte[0], null, AeadAlgorithm.AES_CCM_16_64_128, "IV", 13)).isEqualTo(h("8540f60a6249560d"));
    OscoreContext client = OscoreContext.derive(SECRET, SALT, new byte[0], h("01"), null, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    assertThat(client.senderKey()).isEqualTo(h("f0910ed7295e6ad4b54fc793154302ff"));
    assertThat(client.recipientKey()).isEqualTo(h("ffb14e093c94c9cac9471648b4f98710"));
    assertThat(client.commonIv()).isEqualTo(h("4622d4dd6d944168eefb54987c"));
    assertThat(client.nonce(client.senderId(), 0)).isEqualTo(h("4622d4dd6d944168eefb54987c"));
    assertThat(client.nonce(client.recipientId(), 0)).isEqualTo(h("4722d4dd6d944169eefb54987c"));
    OscoreContext server = OscoreContext.derive(SECRET, SALT, h("01"), new byte[0], null, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    assertThat(server.senderKey()).isEqualTo(h("ffb14e093c94c9cac9471648b4f98710"));
    assertThat(server.recipientKey()).isEqualTo(h("f0910ed7295e6ad4b54fc793154302ff"));
    assertThat(server.commonIv()).isEqualTo(h("4622d4dd6d944168eefb54987c"));
    assertThat(client.peerView()).isEqualTo(server);
    assertThat(client).isNotEqualTo(server);
  }

  @Test
  void rfc8613C2KeyDerivationWithoutMasterSalt() {
    OscoreContext client = OscoreContext.derive(SECRET, null, h("00"), h("01"), null, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    assertThat(client.senderKey()).isEqualTo(h("321b26943253c7ffb6003b0b64d74041"));
    assertThat(client.recipientKey()).isEqualTo(h("e57b5635815177cd679ab4bcec9d7dda"));
    assertThat(client.commonIv()).isEqualTo(h("be35ae297d2dace910c52e99f9"));
    assertThat(client.nonce(client.senderId(), 0)).isEqualTo(h("bf35ae297d2dace910c52e99f9"));
    assertThat(client.nonce(client.recipientId(), 0)).isEqualTo(h("bf35ae297d2dace810c52e99f9"));
    OscoreContext server = OscoreContext.derive(SECRET, new byte[0], h("01"), h("00"), null, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    assertThat(server.senderKey()).isEqualTo(h("e57b5635815177cd679ab4bcec9d7dda"));
    assertThat(server.recipientKey()).isEqualTo(h("321b26943253c7ffb6003b0b64d74041"));
  }

  @Test
  void rfc8613C3KeyDerivationWithIdContext() {
    byte[] idc = h("37cbf3210017a2d3");
    assertThat(OscoreContext.info(h("01"), idc, AeadAlgorithm.AES_CCM_16_64_128, "Key", 16)).isEqualTo(h("8541014837cbf3210017a2d30a634b657910"));
    OscoreContext client = OscoreContext.derive(SECRET, SALT, new byte[0], h("01"), idc, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    assertThat(client.senderKey()).isEqualTo(h("af2a1300a5e95788b356336eeecd2b92"));
    assertThat(client.recipientKey()).isEqualTo(h("e39a0c7c77b43f03b4b39ab9a268699f"));
    assertThat(client.commonIv()).isEqualTo(h("2ca58fb85ff1b81c0b7181b85e"));
    assertThat(client.idContext()).isEqualTo(idc);
    OscoreContext server = OscoreContext.derive(SECRET, SALT, h("01"), new byte[0], idc, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    assertThat(server.senderKey()).isEqualTo(h("e39a0c7c77b43f03b4b39ab9a268699f"));
    assertThat(server.nonce(server.senderId(), 0)).isEqualTo(h("2da58fb85ff1b81d0b7181b85e"));
  }

  @Test
  void identifiersBeyondTheNonceLimitAreRefused() {
    assertThatThrownBy(() -> OscoreContext.derive(SECRET, SALT, new byte[8], h("01"), null, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7 bytes");
    assertThatThrownBy(() -> OscoreContext.derive(SECRET, SALT, h("01"), new byte[7], null, AeadAlgorithm.A128GCM, HashAlgorithm.SHA_256))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 bytes");
    assertThat(OscoreContext.derive(SECRET, SALT, new byte[7], h("01"), null, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256).senderId()).hasSize(7);
  }

  @Test
  void toStringShowsNoSecret() {
    OscoreContext c = OscoreContext.derive(SECRET, SALT, new byte[0], h("01"), null, AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    assertThat(c.toString()).doesNotContain("0102030405").doesNotContain("f0910ed7").doesNotContain("9e7ca922");
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void everySuiteDerivesItsApplicationParameters(CipherSuite suite) throws Exception {
    Method m = Method.STAT_STAT;
    Fixtures f = new Fixtures(m, suite);
    ResponderEngine engine = ResponderEngine.builder(f.responder).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(f.initiator).writeMessage1();
    Initiator.Message2Verified v2 = w2.readMessage2(engine.handle(ResponderEngineTest.cat(new byte[] {(byte) 0xf5}, w2.message1())).body());
    Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
    ResponderEngine.Result r = engine.handle(ResponderEngineTest.cat(ConnectionIdCodec.encode(v2.connectionIdR()), w4.message3()));
    EdhocSession is = w4.complete();
    OscoreContext c = OscoreContext.fromEdhoc(is);
    assertThat(c.peerView()).isEqualTo(r.oscoreContext());
    AeadAlgorithm aead = suite.applicationAead();
    assertThat(c.senderKey()).hasSize(aead.keyLength());
    assertThat(c.recipientKey()).hasSize(aead.keyLength());
    assertThat(c.commonIv()).hasSize(aead.ivLength());
    assertThat(c.masterSecret()).isEqualTo(is.exporter(0, new byte[0], aead.keyLength()));
    assertThat(c.masterSalt()).isEqualTo(is.exporter(1, new byte[0], 8));
    assertThat(c.isHmacBasedHkdf()).isEqualTo(suite != CipherSuite.SUITE_25);
    // recompute independently of the class: HKDF with the JDK's HMAC (SHA-2) or the suite's EdhocHash
    byte[] info = OscoreContext.info(c.senderId(), null, aead, "Key", aead.keyLength());
    io.edhoc.crypto.EdhocHash hash = io.edhoc.crypto.DefaultCrypto.get().hash(suite.applicationHash());
    byte[] prk = hash.extract(c.masterSalt(), c.masterSecret());
    assertThat(hash.expand(prk, info, aead.keyLength())).isEqualTo(c.senderKey());
    // key update: new, different, still mirrored
    OscoreContext c2 = OscoreContext.keyUpdate(is, h("a01158fdb820890cd6be169602b8bcaf"), c);
    OscoreContext s2 = OscoreContext.keyUpdate(r.session(), h("a01158fdb820890cd6be169602b8bcaf"), r.oscoreContext());
    assertThat(c2).isNotEqualTo(c);
    assertThat(c2.peerView()).isEqualTo(s2);
  }

  @Test
  void longerSecretAndOtherSaltByAgreement() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    ResponderEngine engine = ResponderEngine.builder(f.responder).oscoreKeyLength(32).oscoreSaltLength(4).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(f.initiator).writeMessage1();
    Initiator.Message2Verified v2 = w2.readMessage2(engine.handle(ResponderEngineTest.cat(new byte[] {(byte) 0xf5}, w2.message1())).body());
    Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
    ResponderEngine.Result r = engine.handle(ResponderEngineTest.cat(ConnectionIdCodec.encode(v2.connectionIdR()), w4.message3()));
    OscoreContext c = OscoreContext.fromEdhoc(w4.complete(), 32, 4);
    assertThat(c.masterSecret()).hasSize(32);
    assertThat(c.masterSalt()).hasSize(4);
    assertThat(c.peerView()).isEqualTo(r.oscoreContext());
  }

  // ---- RFC 9529 traces ----

  private static Properties trace() throws Exception {
    Properties p = new Properties();
    try (InputStream in = OscoreContextTest.class.getResourceAsStream("/rfc9529-oscore.properties")) {
      p.load(in);
    }
    return p;
  }

  private record Trace(Properties p, String section) {
    byte[] get(String name) {
      String v = p.getProperty(section + "." + name);
      if (v == null) {
        throw new IllegalArgumentException("no " + name);
      }
      return h(v);
    }
  }

  private static final class TraceSetup {
    Method method;
    CipherSuite suite;
    CoseCurve dh;
    Credential credI;
    Credential credR;
    OwnCredential ownI;
    OwnCredential ownR;
  }

  private static TraceSetup setup(Trace t) throws Exception {
    TraceSetup s = new TraceSetup();
    if (t.section().equals("section_2")) {
      s.method = Method.SIG_SIG;
      s.suite = CipherSuite.SUITE_0;
      s.dh = CoseCurve.X25519;
      s.credI = X509Credential.parse(t.get("CRED_I"));
      s.credR = X509Credential.parse(t.get("CRED_R"));
      s.ownI = OwnCredential.byReference(s.credI, new CosePrivateKey(CoseCurve.ED25519, t.get("SK_I"), s.credI.publicKey()));
      s.ownR = OwnCredential.byReference(s.credR, new CosePrivateKey(CoseCurve.ED25519, t.get("SK_R"), s.credR.publicKey()));
    } else {
      s.method = Method.STAT_STAT;
      s.suite = CipherSuite.SUITE_2;
      s.dh = CoseCurve.P_256;
      s.credI = CcsCredential.parse(t.get("CRED_I"));
      s.credR = CcsCredential.parse(t.get("CRED_R"));
      s.ownI = OwnCredential.byReference(s.credI, new CosePrivateKey(CoseCurve.P_256, t.get("SK_I"), s.credI.publicKey()));
      s.ownR = OwnCredential.byReference(s.credR, new CosePrivateKey(CoseCurve.P_256, t.get("SK_R"), s.credR.publicKey()));
    }
    return s;
  }

  private static void assertOscore(Trace t, OscoreContext ctx, boolean client) {
    byte[] clientSender = t.get("Clients_OSCORE_Sender_ID");
    byte[] serverSender = t.get("Servers_OSCORE_Sender_ID");
    assertThat(ctx.senderId()).isEqualTo(client ? clientSender : serverSender);
    assertThat(ctx.recipientId()).isEqualTo(client ? serverSender : clientSender);
    assertThat(ctx.masterSecret()).isEqualTo(t.get("OSCORE_Master_Secret"));
    assertThat(ctx.masterSalt()).isEqualTo(t.get("OSCORE_Master_Salt"));
    assertThat(ctx.idContext()).isNull();
  }

  /** Our ResponderEngine answers the printed message_1 and message_3 of both traces; the exported OSCORE values match. */
  @ParameterizedTest
  @ValueSource(strings = {"section_2", "section_3"})
  void rfc9529TraceThroughTheResponderEngine(String section) throws Exception {
    Trace t = new Trace(trace(), section);
    TraceSetup s = setup(t);
    TestHooks hooks = TestHooks.create()
        .ephemeralKey(new CosePrivateKey(s.dh, t.get("Y"), new CosePublicKey(s.dh, t.get("G_Y"), null)));
    EdhocConfig cfg = EdhocConfig.builder().methods(s.method).suites(s.suite).credential(s.ownR)
        .peers(new InMemoryCredentialStore().add(s.credI)).testHooks(hooks).build();
    ResponderEngine engine = ResponderEngine.builder(cfg).message4(true).connectionIdAllocator(ConnectionIdAllocator.fixed(t.get("C_R"))).build();
    ResponderEngine.Result r2 = engine.handle(ResponderEngineTest.cat(new byte[] {(byte) 0xf5}, t.get("message_1")));
    assertThat(r2.body()).isEqualTo(t.get("message_2"));
    ResponderEngine.Result r4 = engine.handle(ResponderEngineTest.cat(ConnectionIdCodec.encode(t.get("C_R")), t.get("message_3")));
    assertThat(r4.status()).isEqualTo(ResponderEngine.Status.OK);
    assertThat(r4.body()).isEqualTo(t.get("message_4"));
    OscoreContext server = r4.oscoreContext();
    assertOscore(t, server, false);
    OscoreContext updated = OscoreContext.keyUpdate(r4.session(), t.get("context_for_KeyUpdate"), server);
    assertThat(updated.masterSecret()).isEqualTo(t.get("OSCORE_Master_Secret_after_KeyUpdate"));
    assertThat(updated.masterSalt()).isEqualTo(t.get("OSCORE_Master_Salt_after_KeyUpdate"));
    assertThat(updated.senderId()).isEqualTo(server.senderId());
  }

  /** The initiator of section 2 (no suite negotiation round): the client's context from the trace. */
  @Test
  void rfc9529Section2Initiator() throws Exception {
    Trace t = new Trace(trace(), "section_2");
    TraceSetup s = setup(t);
    TestHooks hooks = TestHooks.create()
        .ephemeralKey(new CosePrivateKey(s.dh, t.get("X"), new CosePublicKey(s.dh, t.get("G_X"), null)));
    EdhocConfig cfg = EdhocConfig.builder().methods(s.method).suites(s.suite).credential(s.ownI)
        .peers(new InMemoryCredentialStore().add(s.credR)).testHooks(hooks).connectionIds(ConnectionIdAllocator.fixed(t.get("C_I"))).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
    assertThat(w2.message1()).isEqualTo(t.get("message_1"));
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(t.get("message_2")).writeMessage3();
    assertThat(w4.message3()).isEqualTo(t.get("message_3"));
    EdhocSession is = w4.readMessage4(t.get("message_4"));
    OscoreContext client = OscoreContext.fromEdhoc(is);
    assertOscore(t, client, true);
    OscoreContext updated = OscoreContext.keyUpdate(is, t.get("context_for_KeyUpdate"), client);
    assertThat(updated.masterSecret()).isEqualTo(t.get("OSCORE_Master_Secret_after_KeyUpdate"));
    assertThat(updated.masterSalt()).isEqualTo(t.get("OSCORE_Master_Salt_after_KeyUpdate"));
  }
}
