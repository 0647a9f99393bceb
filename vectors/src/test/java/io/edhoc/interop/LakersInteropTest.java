package io.edhoc.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.EdhocPeerErrorException;
import io.edhoc.EdhocSession;
import io.edhoc.ErrorMessage;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.CredentialResolver;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.PeerStore;
import io.edhoc.vectors.TestCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * lakers-python 0.6.2 (through {@code interop/lakers_peer.py}) against our core, in both roles,
 * without a network: this test relays the EDHOC messages between our Initiator/Responder and the
 * driver process, and compares the OSCORE Master Secret/Salt exported on both sides (and after
 * EDHOC_KeyUpdate) byte for byte. Negative cases flip one bit of a message in either direction
 * and check that the receiving side rejects it and the other side understands the error message.
 *
 * <p>lakers supports method 3 with suite 2 only, so that is what every case uses. The suite fails
 * (it never skips) when {@code interop/.venv} is missing: run {@code bash interop/setup.sh}.
 */
class LakersInteropTest {
  private static final byte[] EMPTY = new byte[0];
  private static final List<String> RESULTS = Collections.synchronizedList(new ArrayList<>());

  /** RFC 9529 section 3 identities and freshly generated P-256 ones. */
  private static Identity rfcI;
  private static Identity rfcR;
  private static Identity freshI;
  private static Identity freshR;
  private static byte[] rfcKeyUpdateContext;

  /** A static DH identity: CCS and its private key (test keys only). */
  record Identity(String label, CcsCredential cred, byte[] d) {
    CosePrivateKey key() {
      return new CosePrivateKey(CoseCurve.P_256, d.clone(), cred.publicKey());
    }

    OwnCredential own(boolean byValue) {
      return byValue ? OwnCredential.byValue(cred, key()) : OwnCredential.byReference(cred, key());
    }
  }

  enum Trust {
    /** The expected peer credential is configured on both sides. */
    PINNED,
    /** Our side trusts the peer's by-value CCS on first use (PeerStore with TOFU). */
    OUR_TOFU,
    /** lakers has no expected peer credential (the driver's trust on first use). */
    LAKERS_TOFU
  }

  /** One positive case. {@code ourByValue}/{@code lakersByValue}: how each side sends its ID_CRED. */
  record Case(boolean ourInitiator, boolean fresh, boolean ourByValue, boolean lakersByValue, boolean message4, Trust trust) {
    String name() {
      String roles = ourInitiator ? "our initiator -> lakers responder" : "lakers initiator -> our responder";
      String creds;
      if (ourByValue == lakersByValue) {
        creds = ourByValue ? "by value" : "kid";
      } else {
        creds = "ours " + (ourByValue ? "by value" : "kid") + ", lakers' " + (lakersByValue ? "by value" : "kid");
      }
      String trustText = switch (trust) {
        case PINNED -> "";
        case OUR_TOFU -> ", our side TOFU";
        case LAKERS_TOFU -> ", lakers TOFU";
      };
      return roles + ", method 3 suite 2, " + (fresh ? "fresh P-256 CCS" : "RFC 9529 CCS") + ", " + creds + trustText + ", "
          + (message4 ? "message_4" : "no message_4") + ", key update";
    }
  }

  @BeforeAll
  static void setUp() throws IOException {
    Path python = LakersPeer.python();
    assertTrue(Files.isExecutable(python),
        "interop venv missing: " + python + " does not exist. Run `bash interop/setup.sh` (test.sh does this) before the "
            + "interop tests; they fail instead of skipping so that a missing peer is noticed.");
    JsonNode v;
    try (InputStream in = LakersInteropTest.class.getResourceAsStream("/vectors/rfc9529.json")) {
      assertThat(in).as("rfc9529.json on the classpath").isNotNull();
      v = LakersPeer.JSON.readTree(in).path("traces").path("section_3").path("values");
    }
    rfcI = new Identity("RFC 9529 I", parse(hex(v, "CRED_I", "CBOR Data Item")), hex(v, "SK_I", "Raw Value"));
    rfcR = new Identity("RFC 9529 R", parse(hex(v, "CRED_R", "CBOR Data Item")), hex(v, "SK_R", "Raw Value"));
    rfcKeyUpdateContext = hex(v, "context for KeyUpdate", "Raw Value");
    freshI = fresh("fresh-initiator", new byte[] {0x0a});
    freshR = fresh("fresh-responder", new byte[] {0x0b});
  }

  @AfterAll
  static void writeResults() throws IOException {
    Path out = Paths.get("target", "interop", "lakers-results.txt");
    Files.createDirectories(out.getParent());
    List<String> lines = new ArrayList<>(RESULTS);
    Collections.sort(lines);
    Files.write(out, lines, StandardCharsets.UTF_8);
  }

  private static byte[] hex(JsonNode values, String name, String form) {
    JsonNode n = values.path(name).path(form);
    assertTrue(n.isTextual(), "rfc9529.json lacks " + name);
    return Hex.decode(n.asText());
  }

  private static CcsCredential parse(byte[] ccs) {
    try {
      return CcsCredential.parse(ccs);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Identity fresh(String sub, byte[] kid) {
    OwnCredential oc = TestCredentials.ccs(CoseCurve.P_256, sub, kid);
    return new Identity(sub, (CcsCredential) oc.credential(), oc.privateKey().exportSecret());
  }

  /** Runs {@code body} and records the outcome for the interop matrix in docs/interop.md. */
  private static DynamicTest recorded(String name, Executable body) {
    return DynamicTest.dynamicTest(name, () -> {
      try {
        body.execute();
        RESULTS.add("PASS\t" + name);
      } catch (Throwable t) {
        RESULTS.add("FAIL\t" + name);
        throw t;
      }
    });
  }

  // ---------------------------------------------------------------- positive cases

  @TestFactory
  Stream<DynamicTest> handshakes() {
    List<Case> cases = new ArrayList<>();
    for (boolean ourInitiator : new boolean[] {true, false}) {
      for (boolean fresh : new boolean[] {false, true}) {
        for (boolean byValue : new boolean[] {false, true}) {
          for (boolean m4 : new boolean[] {false, true}) {
            cases.add(new Case(ourInitiator, fresh, byValue, byValue, m4, Trust.PINNED));
          }
        }
      }
      // mixed forms, and trust on first use on either side (the TOFU side needs the peer by value)
      cases.add(new Case(ourInitiator, false, true, false, false, Trust.PINNED));
      cases.add(new Case(ourInitiator, false, false, true, true, Trust.PINNED));
      cases.add(new Case(ourInitiator, true, false, true, false, Trust.OUR_TOFU));
      cases.add(new Case(ourInitiator, true, true, false, true, Trust.LAKERS_TOFU));
    }
    return cases.stream().map(c -> recorded(c.name(), () -> runCase(c)));
  }

  private void runCase(Case c) throws Exception {
    Identity ours = c.ourInitiator ? (c.fresh ? freshI : rfcI) : (c.fresh ? freshR : rfcR);
    Identity theirs = c.ourInitiator ? (c.fresh ? freshR : rfcR) : (c.fresh ? freshI : rfcI);
    byte[] kuContext = c.fresh ? random(16) : rfcKeyUpdateContext;
    CredentialResolver peers = c.trust == Trust.OUR_TOFU
        ? PeerStore.builder().trustOnFirstUse(true).build()
        : new InMemoryCredentialStore().add(theirs.cred);
    EdhocConfig cfg = config(ours.own(c.ourByValue), peers);

    ObjectNode lc = lakersConfig(c.ourInitiator ? "responder" : "initiator", theirs, c.lakersByValue,
        c.trust == Trust.LAKERS_TOFU ? null : ours.cred, c.message4);
    lc.put("key_update_context", Hex.encode(kuContext));

    EdhocSession session;
    JsonNode result;
    try (LakersPeer lakers = LakersPeer.start(lc)) {
      if (c.ourInitiator) {
        Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
        lakers.deliver("message_1", w2.message1());
        Initiator.Message2Verified v2 = w2.readMessage2(lakers.expectSend("message_2"));
        Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
        lakers.deliver("message_3", w4.message3());
        session = c.message4 ? w4.readMessage4(lakers.expectSend("message_4")) : w4.complete();
      } else {
        Responder.Message1Received r1 = Edhoc.responder(cfg).readMessage1(lakers.expectSend("message_1"));
        assertEquals(Method.STAT_STAT, r1.method());
        assertEquals(CipherSuite.SUITE_2, r1.suite());
        Responder.AwaitingMessage3 w3 = r1.writeMessage2();
        lakers.deliver("message_2", w3.message2());
        Responder.Message3Verified r3 = w3.readMessage3(lakers.expectSend("message_3"));
        if (c.message4) {
          Responder.Completed done = r3.writeMessage4();
          lakers.deliver("message_4", done.message4());
          session = done.session();
        } else {
          session = r3.complete();
        }
      }
      result = lakers.expectResult();
      assertEquals(0, lakers.exitCode(), lakers.diagnostics());
    }

    try (EdhocSession s = session) {
      // connection identifiers and OSCORE IDs (RFC 9528 A.1: Sender ID = the peer's identifier)
      assertEquals(result.get("c_i").asText(), Hex.encode(s.connectionIdI()), "C_I");
      assertEquals(result.get("c_r").asText(), Hex.encode(s.connectionIdR()), "C_R");
      assertEquals(result.get("oscore_recipient_id").asText(), Hex.encode(s.peerConnectionId()), "lakers' Recipient ID = our Sender ID");
      assertEquals(result.get("oscore_sender_id").asText(), Hex.encode(s.ownConnectionId()), "lakers' Sender ID = our Recipient ID");
      // credentials: each side authenticated the other's exact CRED bytes
      assertEquals(Hex.encode(ours.cred.cred()), result.get("peer_cred").asText(), "CRED lakers verified us with");
      assertArrayEquals(theirs.cred.cred(), s.peerCredential().cred(), "CRED we verified lakers with");
      String expectedIdCred = c.ourByValue ? "a10e" + Hex.encode(ours.cred.cred()) : Hex.encode(ours.cred.byReference().encodedMap());
      assertEquals(expectedIdCred, result.get("peer_id_cred").asText(), "ID_CRED lakers received from us");
      assertEquals(c.message4, result.get("message_4").asBoolean());
      // the OSCORE Master Secret and Salt (RFC 9528 A.1), then after EDHOC_KeyUpdate (Appendix H)
      assertOscoreEqual(s, result, "after the handshake");
      s.keyUpdate(kuContext);
      assertOscoreEqual(s, result.get("after_key_update"), "after KeyUpdate");
    }
  }

  private static void assertOscoreEqual(EdhocSession s, JsonNode lakers, String when) {
    assertThat(lakers).as("lakers' values " + when).isNotNull();
    byte[] secret = s.exporter(0, EMPTY, 16);
    byte[] salt = s.exporter(1, EMPTY, 8);
    // compare without printing: a mismatch names only which value differs
    assertTrue(java.util.Arrays.equals(secret, Hex.decode(lakers.get("oscore_master_secret").asText())),
        "OSCORE Master Secret differs " + when);
    assertTrue(java.util.Arrays.equals(salt, Hex.decode(lakers.get("oscore_master_salt").asText())),
        "OSCORE Master Salt differs " + when);
  }

  // ---------------------------------------------------------------- exporter beyond OSCORE

  /**
   * EDHOC_Exporter with other labels: equal for labels up to 23; for label 24 lakers 0.6.2 encodes
   * the label as a single raw byte in the KDF info (RFC 9528 section 4.1.2 requires a CBOR uint,
   * {@code 18 18}), so the values differ. This pins the documented lakers deviation.
   */
  @TestFactory
  Stream<DynamicTest> exporterLabels() {
    return Stream.of(recorded("our initiator -> lakers responder, method 3 suite 2, exporter labels 2, 23 (equal) and 24 (lakers deviates)",
        () -> {
          ObjectNode lc = lakersConfig("responder", rfcR, false, rfcI.cred, false);
          ArrayNode exports = lc.putArray("exports");
          exports.addObject().put("label", 2).put("context", "").put("length", 32);
          exports.addObject().put("label", 23).put("context", "0102030405").put("length", 64);
          exports.addObject().put("label", 24).put("context", "").put("length", 16);
          EdhocConfig cfg = config(rfcI.own(false), new InMemoryCredentialStore().add(rfcR.cred));
          JsonNode result;
          EdhocSession session;
          try (LakersPeer lakers = LakersPeer.start(lc)) {
            Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
            lakers.deliver("message_1", w2.message1());
            Initiator.AwaitingMessage4 w4 = w2.readMessage2(lakers.expectSend("message_2")).writeMessage3();
            lakers.deliver("message_3", w4.message3());
            session = w4.complete();
            result = lakers.expectResult();
          }
          try (EdhocSession s = session) {
            for (JsonNode e : result.get("exports")) {
              int label = e.get("label").asInt();
              byte[] ours = s.exporter(label, Hex.decode(e.get("context").asText()), e.get("length").asInt());
              boolean equal = java.util.Arrays.equals(ours, Hex.decode(e.get("hex").asText()));
              if (label <= 23) {
                assertTrue(e.get("rfc9528_compliant").asBoolean());
                assertTrue(equal, "exporter label " + label + " differs");
              } else {
                assertThat(e.get("rfc9528_compliant").asBoolean()).as("driver flags lakers' label-24 export").isFalse();
                assertThat(equal).as("lakers 0.6.2 label-24 export (known deviation)").isFalse();
              }
            }
          }
        }));
  }

  // ---------------------------------------------------------------- negative cases

  /** Bit positions flipped in message_2 from lakers: CBOR head, G_Y, middle and end of CIPHERTEXT_2. */
  @TestFactory
  Stream<DynamicTest> flippedMessage2FromLakers() {
    return Stream.of(new int[] {0, 0}, new int[] {1, 0}, new int[] {2, 7}, new int[] {-10, 3}, new int[] {-1, 0})
        .map(pos -> recorded("lakers responder -> our initiator, method 3 suite 2, kid, message_2 with byte "
            + (pos[0] < 0 ? "len" + pos[0] : String.valueOf(pos[0])) + " bit " + pos[1] + " flipped: we reject, lakers stops on our error",
            () -> {
              EdhocConfig cfg = config(rfcI.own(false), new InMemoryCredentialStore().add(rfcR.cred));
              try (LakersPeer lakers = LakersPeer.start(lakersConfig("responder", rfcR, false, rfcI.cred, false))) {
                Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
                lakers.deliver("message_1", w2.message1());
                byte[] m2 = flip(lakers.expectSend("message_2"), pos[0], pos[1]);
                EdhocException e = catchThrowableOfType(EdhocException.class, () -> w2.readMessage2(m2));
                assertThat(e).as("our initiator rejects the flipped message_2").isNotNull().isNotInstanceOf(EdhocPeerErrorException.class);
                assertThat(e.errorMessage()).as("error message to send (%s)", e.getMessage()).isNotNull();
                lakers.deliver("message_3", e.errorMessage());
                assertPeerError(lakers, e.errorCode(), "message_3");
              }
            }));
  }

  @TestFactory
  Stream<DynamicTest> flippedMessage3FromLakers() {
    return Stream.of(new int[] {1, 0}, new int[] {-1, 7}, new int[] {0, 1})
        .map(pos -> recorded("lakers initiator -> our responder, method 3 suite 2, kid, message_4, message_3 with byte "
            + (pos[0] < 0 ? "len" + pos[0] : String.valueOf(pos[0])) + " bit " + pos[1] + " flipped: we reject, lakers stops on our error",
            () -> {
              EdhocConfig cfg = config(rfcR.own(false), new InMemoryCredentialStore().add(rfcI.cred));
              // message_4 on, so lakers still waits for a message after message_3 and can take our error
              try (LakersPeer lakers = LakersPeer.start(lakersConfig("initiator", rfcI, false, rfcR.cred, true))) {
                Responder.AwaitingMessage3 w3 = Edhoc.responder(cfg).readMessage1(lakers.expectSend("message_1")).writeMessage2();
                lakers.deliver("message_2", w3.message2());
                byte[] m3 = flip(lakers.expectSend("message_3"), pos[0], pos[1]);
                EdhocException e = catchThrowableOfType(EdhocException.class, () -> w3.readMessage3(m3));
                assertThat(e).as("our responder rejects the flipped message_3").isNotNull();
                assertThat(e.errorMessage()).as("error message to send (%s)", e.getMessage()).isNotNull();
                lakers.deliver("message_4", e.errorMessage());
                assertPeerError(lakers, e.errorCode(), "message_4");
              }
            }));
  }

  /** message_1 from lakers with the method (03 -> 02) or the suite (02 -> 03) bit flipped. */
  @TestFactory
  Stream<DynamicTest> flippedMessage1FromLakers() {
    return Stream.of(
        recorded("lakers initiator -> our responder, message_1 METHOD bit flipped (3 -> 2): ERR_CODE 1, lakers stops", () -> message1Flip(0, 1)),
        recorded("lakers initiator -> our responder, message_1 SUITES_I bit flipped (2 -> 3): ERR_CODE 2 SUITES_R [2], lakers stops",
            () -> message1Flip(1, 2)));
  }

  private void message1Flip(int byteIndex, int expectedCode) throws Exception {
    EdhocConfig cfg = config(rfcR.own(false), new InMemoryCredentialStore().add(rfcI.cred));
    try (LakersPeer lakers = LakersPeer.start(lakersConfig("initiator", rfcI, false, rfcR.cred, false))) {
      byte[] m1 = lakers.expectSend("message_1");
      assertEquals(byteIndex == 0 ? 0x03 : 0x02, m1[byteIndex], "lakers' message_1 starts 03 02");
      byte[] flipped = flip(m1, byteIndex, 0);
      EdhocException e = catchThrowableOfType(EdhocException.class, () -> Edhoc.responder(cfg).readMessage1(flipped));
      assertThat(e).isNotNull();
      assertEquals(expectedCode, e.errorCode(), e.getMessage());
      if (expectedCode == 2) {
        assertArrayEquals(ErrorMessage.wrongSelectedCipherSuite(List.of(2)), e.errorMessage(), "02 02 as in RFC 9529 section 3");
      }
      lakers.deliver("message_2", e.errorMessage());
      JsonNode pe = assertPeerError(lakers, expectedCode, "message_2");
      if (expectedCode == 2) {
        assertEquals(2, pe.path("err_info").asInt(-1), "SUITES_R as lakers read it: " + pe);
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> flippedMessage4FromLakers() {
    return Stream.of(recorded("our initiator -> lakers responder, method 3 suite 2, kid, message_4 with the last bit flipped: we reject it", () -> {
      EdhocConfig cfg = config(rfcI.own(false), new InMemoryCredentialStore().add(rfcR.cred));
      try (LakersPeer lakers = LakersPeer.start(lakersConfig("responder", rfcR, false, rfcI.cred, true))) {
        Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
        lakers.deliver("message_1", w2.message1());
        Initiator.AwaitingMessage4 w4 = w2.readMessage2(lakers.expectSend("message_2")).writeMessage3();
        lakers.deliver("message_3", w4.message3());
        byte[] m4 = flip(lakers.expectSend("message_4"), -1, 0);
        lakers.expectResult(); // lakers is done; nobody is left to receive an error message
        EdhocException e = catchThrowableOfType(EdhocException.class, () -> w4.readMessage4(m4));
        assertThat(e).as("our initiator rejects the flipped message_4").isNotNull();
      }
    }));
  }

  /** Our messages with a flipped bit: lakers rejects, sends an error message, and our side reads it. */
  @TestFactory
  Stream<DynamicTest> flippedMessagesToLakers() {
    return Stream.of(
        recorded("our responder -> lakers initiator, method 3 suite 2, kid, our message_2 last bit flipped: lakers rejects, we read its error",
            () -> {
              EdhocConfig cfg = config(rfcR.own(false), new InMemoryCredentialStore().add(rfcI.cred));
              try (LakersPeer lakers = LakersPeer.start(lakersConfig("initiator", rfcI, false, rfcR.cred, false))) {
                Responder.AwaitingMessage3 w3 = Edhoc.responder(cfg).readMessage1(lakers.expectSend("message_1")).writeMessage2();
                lakers.deliver("message_2", flip(w3.message2(), -1, 0));
                byte[] err = lakers.expectSend("error");
                assertRejectedBy(lakers, "message_2");
                EdhocPeerErrorException e = catchThrowableOfType(EdhocPeerErrorException.class, () -> w3.readMessage3(err));
                assertThat(e).as("our responder reads lakers' error message in place of message_3").isNotNull();
                assertEquals(1, e.peerErrorCode());
                assertThat(e.diagnostic()).startsWith("EDHOCError::");
              }
            }),
        recorded("our initiator -> lakers responder, method 3 suite 2, kid, message_4, our message_3 last bit flipped: lakers rejects, we read its error",
            () -> {
              EdhocConfig cfg = config(rfcI.own(false), new InMemoryCredentialStore().add(rfcR.cred));
              try (LakersPeer lakers = LakersPeer.start(lakersConfig("responder", rfcR, false, rfcI.cred, true))) {
                Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
                lakers.deliver("message_1", w2.message1());
                Initiator.AwaitingMessage4 w4 = w2.readMessage2(lakers.expectSend("message_2")).writeMessage3();
                lakers.deliver("message_3", flip(w4.message3(), -1, 0));
                byte[] err = lakers.expectSend("error");
                assertRejectedBy(lakers, "message_3");
                EdhocPeerErrorException e = catchThrowableOfType(EdhocPeerErrorException.class, () -> w4.readMessage4(err));
                assertThat(e).as("our initiator reads lakers' error message in place of message_4").isNotNull();
                assertEquals(1, e.peerErrorCode());
              }
            }),
        recorded("our initiator -> lakers responder, message_1 SUITES_I bit flipped (2 -> 3): lakers answers ERR_CODE 2, we read SUITES_R",
            () -> {
              EdhocConfig cfg = config(rfcI.own(false), new InMemoryCredentialStore().add(rfcR.cred));
              try (LakersPeer lakers = LakersPeer.start(lakersConfig("responder", rfcR, false, rfcI.cred, false))) {
                Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
                byte[] m1 = w2.message1();
                assertEquals(0x02, m1[1], "our SUITES_I is the bare int 2");
                lakers.deliver("message_1", flip(m1, 1, 0));
                byte[] err = lakers.expectSend("error");
                assertRejectedBy(lakers, "message_1");
                EdhocPeerErrorException e = catchThrowableOfType(EdhocPeerErrorException.class, () -> w2.readMessage2(err));
                assertThat(e).isNotNull();
                assertEquals(2, e.peerErrorCode());
                assertEquals(List.of(2), e.suitesR());
              }
            }));
  }

  /**
   * Cipher suite negotiation (RFC 9528 section 6.3): our initiator prefers suite 0, lakers only
   * has suite 2, answers ERR_CODE 2 with SUITES_R 2, and our retry with SUITES_I [0, 2] completes.
   */
  @TestFactory
  Stream<DynamicTest> suiteNegotiation() {
    return Stream.of(recorded("our initiator (suites 0, 2) -> lakers responder, method 3: ERR_CODE 2 SUITES_R 2, retry with [0, 2], "
        + "kid, no message_4, OSCORE secrets equal", () -> {
          EdhocConfig cfg = EdhocConfig.builder().suites(CipherSuite.SUITE_0, CipherSuite.SUITE_2).methods(Method.STAT_STAT)
              .credential(TestCredentials.ccs(CoseCurve.X25519, "x25519-initiator", new byte[] {0x0c}))
              .credential(rfcI.own(false)).peers(new InMemoryCredentialStore().add(rfcR.cred)).build();
          Initiator.AwaitingMessage2 first = Edhoc.initiator(cfg).writeMessage1();
          Initiator retry;
          try (LakersPeer lakers = LakersPeer.start(lakersConfig("responder", rfcR, false, rfcI.cred, false))) {
            lakers.deliver("message_1", first.message1());
            byte[] err = lakers.expectSend("error");
            assertEquals("0202", Hex.encode(err), "lakers' ERR_CODE 2 with SUITES_R 2");
            assertRejectedBy(lakers, "message_1");
            EdhocPeerErrorException e = catchThrowableOfType(EdhocPeerErrorException.class, () -> first.readMessage2(err));
            assertThat(e).isNotNull();
            retry = first.retryAfter(e);
          }
          assertEquals(List.of(CipherSuite.SUITE_0, CipherSuite.SUITE_2), retry.suitesI());
          EdhocSession session;
          JsonNode result;
          try (LakersPeer lakers = LakersPeer.start(lakersConfig("responder", rfcR, false, rfcI.cred, false))) {
            Initiator.AwaitingMessage2 w2 = retry.writeMessage1();
            assertEquals("820002", Hex.encode(java.util.Arrays.copyOfRange(w2.message1(), 1, 4)), "SUITES_I [0, 2] on the wire");
            lakers.deliver("message_1", w2.message1());
            Initiator.AwaitingMessage4 w4 = w2.readMessage2(lakers.expectSend("message_2")).writeMessage3();
            lakers.deliver("message_3", w4.message3());
            session = w4.complete();
            result = lakers.expectResult();
          }
          try (EdhocSession s = session) {
            assertEquals(CipherSuite.SUITE_2, s.suite());
            assertOscoreEqual(s, result, "after negotiation");
          }
        }));
  }

  /** ERR_CODE 3: lakers references a credential by a kid we do not know. */
  @TestFactory
  Stream<DynamicTest> unknownCredential() {
    return Stream.of(
        recorded("lakers initiator -> our responder, method 3 suite 2, unknown kid: our ERR_CODE 3, lakers stops", () -> {
          EdhocConfig cfg = config(rfcR.own(false), new InMemoryCredentialStore().add(freshI.cred)); // not RFC 9529 CRED_I
          try (LakersPeer lakers = LakersPeer.start(lakersConfig("initiator", rfcI, false, rfcR.cred, true))) {
            Responder.AwaitingMessage3 w3 = Edhoc.responder(cfg).readMessage1(lakers.expectSend("message_1")).writeMessage2();
            lakers.deliver("message_2", w3.message2());
            byte[] m3 = lakers.expectSend("message_3");
            EdhocException e = catchThrowableOfType(EdhocException.class, () -> w3.readMessage3(m3));
            assertThat(e).isNotNull();
            assertEquals(3, e.errorCode(), e.getMessage());
            lakers.deliver("message_4", e.errorMessage());
            assertPeerError(lakers, 3, "message_4");
          }
        }),
        recorded("our initiator -> lakers responder, method 3 suite 2, unknown kid: our ERR_CODE 3, lakers stops", () -> {
          EdhocConfig cfg = config(rfcI.own(false), new InMemoryCredentialStore().add(freshR.cred));
          try (LakersPeer lakers = LakersPeer.start(lakersConfig("responder", rfcR, false, rfcI.cred, false))) {
            Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
            lakers.deliver("message_1", w2.message1());
            byte[] m2 = lakers.expectSend("message_2");
            EdhocException e = catchThrowableOfType(EdhocException.class, () -> w2.readMessage2(m2));
            assertThat(e).isNotNull();
            assertEquals(3, e.errorCode(), e.getMessage());
            lakers.deliver("message_3", e.errorMessage());
            assertPeerError(lakers, 3, "message_3");
          }
        }));
  }

  // ---------------------------------------------------------------- helpers

  private static EdhocConfig config(OwnCredential own, CredentialResolver peers) {
    return EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).credential(own).peers(peers).build();
  }

  private static ObjectNode lakersConfig(String role, Identity me, boolean byValue, CcsCredential peer, boolean message4) {
    ObjectNode c = LakersPeer.JSON.createObjectNode();
    c.put("role", role);
    c.put("cred_transfer", byValue ? "by-value" : "by-kid");
    c.put("own_private_key", Hex.encode(me.d));
    c.put("own_cred", Hex.encode(me.cred.cred()));
    if (peer != null) {
      c.put("peer_cred", Hex.encode(peer.cred()));
    }
    c.put("message_4", message4);
    c.put("send_error_on_failure", true);
    c.put("timeout_s", 20);
    return c;
  }

  /** lakers stopped because it received our error message: exit 4 and a peer_error line. */
  private static JsonNode assertPeerError(LakersPeer lakers, int code, String stage) throws InterruptedException {
    JsonNode n = lakers.next();
    if (!n.has("peer_error")) {
      fail("expected lakers to stop on our error message, got " + n + "\n" + lakers.diagnostics());
    }
    assertEquals(code, n.get("peer_error").get("err_code").asInt(), n.toString());
    assertEquals(stage, n.get("stage").asText(), n.toString());
    assertEquals(4, lakers.exitCode(), lakers.diagnostics());
    return n.get("peer_error");
  }

  /** lakers rejected our message (exit 3) after sending its error message. */
  private static void assertRejectedBy(LakersPeer lakers, String stage) throws InterruptedException {
    JsonNode n = lakers.next();
    assertTrue(n.has("error"), "expected lakers' error line, got " + n);
    assertEquals(stage, n.get("stage").asText(), n.toString());
    assertEquals(3, lakers.exitCode(), lakers.diagnostics());
  }

  /** A copy with one bit flipped; a negative byte index counts from the end. */
  static byte[] flip(byte[] m, int byteIndex, int bit) {
    byte[] c = m.clone();
    int i = byteIndex < 0 ? c.length + byteIndex : byteIndex;
    c[i] ^= (byte) (1 << bit);
    return c;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new java.security.SecureRandom().nextBytes(b);
    return b;
  }
}
