package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.X509Credential;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both RFC 9529 traces in both roles, inside the core's own tests: every message and every
 * intermediate value the core traces under a name the RFC prints (TH_2..TH_4, PRK_*, K_3/IV_3,
 * K_4/IV_4, MAC_2/MAC_3, KEYSTREAM_2, PLAINTEXT_x, context_x, ...) must equal the printed value.
 * Section 2 is method 0 (signature, MAC length = hash length), section 3 method 3 (MAC length =
 * EDHOC MAC length), so a wrong MAC length rule, a wrong KDF label or a wrong transcript hash
 * input order fails here without the conformance module. The trace file is the one vectors/
 * extracts from the RFC text.
 */
class Rfc9529TraceTest {
  private static final Path FILE = Path.of("..", "vectors", "src", "main", "resources", "vectors", "rfc9529.json");

  private static JsonNode values(String section) throws Exception {
    return new ObjectMapper().readTree(FILE.toFile()).path("traces").path(section).path("values");
  }

  private static byte[] get(JsonNode v, String name, String... encodings) {
    JsonNode n = v.path(name);
    for (String e : encodings.length > 0 ? encodings : new String[] {"Raw Value", "CBOR Sequence", "CBOR Data Item", "unspecified"}) {
      if (n.path(e).isTextual()) {
        return Hex.decode(n.path(e).asText());
      }
    }
    throw new IllegalArgumentException("no " + name);
  }

  private static final class Setup {
    Method method;
    CipherSuite suite;
    List<CipherSuite> suitesI;
    Credential credI;
    Credential credR;
    OwnCredential ownI;
    OwnCredential ownR;
    CosePrivateKey x;
    CosePrivateKey y;
  }

  private static Setup setup(String section, JsonNode v) throws Exception {
    Setup s = new Setup();
    boolean sig = section.equals("section_2");
    CoseCurve auth = sig ? CoseCurve.ED25519 : CoseCurve.P_256;
    CoseCurve dh = sig ? CoseCurve.X25519 : CoseCurve.P_256;
    s.method = sig ? Method.SIG_SIG : Method.STAT_STAT;
    s.suite = sig ? CipherSuite.SUITE_0 : CipherSuite.SUITE_2;
    s.suitesI = sig ? List.of(CipherSuite.SUITE_0) : List.of(CipherSuite.SUITE_6, CipherSuite.SUITE_2);
    s.credI = sig ? X509Credential.parse(get(v, "CRED_I", "Raw Value")) : CcsCredential.parse(get(v, "CRED_I"));
    s.credR = sig ? X509Credential.parse(get(v, "CRED_R", "Raw Value")) : CcsCredential.parse(get(v, "CRED_R"));
    s.ownI = OwnCredential.byReference(s.credI, new CosePrivateKey(auth, get(v, "SK_I"), s.credI.publicKey()));
    s.ownR = OwnCredential.byReference(s.credR, new CosePrivateKey(auth, get(v, "SK_R"), s.credR.publicKey()));
    s.x = new CosePrivateKey(dh, get(v, "X"), new CosePublicKey(dh, get(v, "G_X"), null));
    s.y = new CosePrivateKey(dh, get(v, "Y"), new CosePublicKey(dh, get(v, "G_Y"), null));
    return s;
  }

  /** Compares every traced value the RFC prints under the same name; returns how many were compared. */
  private static int compare(SoftAssertions soft, JsonNode v, Map<String, byte[]> traced, String role) {
    int n = 0;
    for (Map.Entry<String, byte[]> e : traced.entrySet()) {
      String name = e.getKey();
      if (!v.has(name) || List.of("CRED_I", "CRED_R", "G_X", "G_Y", "C_I", "C_R").contains(name)) {
        continue;
      }
      soft.assertThat(Hex.encode(e.getValue())).as(role + " " + name).isEqualTo(Hex.encode(get(v, name)));
      n++;
    }
    return n;
  }

  @ParameterizedTest
  @ValueSource(strings = {"section_2", "section_3"})
  void initiatorReproducesTheTrace(String section) throws Exception {
    JsonNode v = values(section);
    Setup s = setup(section, v);
    Map<String, byte[]> traced = new LinkedHashMap<>();
    TestHooks hooks = TestHooks.create().ephemeralKey(s.x).trace((name, value) -> traced.put(name, value.clone()));
    byte[] cI = get(v, "C_I", "Raw Value");
    EdhocConfig cfg = EdhocConfig.builder().methods(s.method).suites(s.suite).credential(s.ownI)
        .peers(new InMemoryCredentialStore().add(s.credR)).connectionIds(peer -> cI.clone()).testHooks(hooks).build();
    Initiator.AwaitingMessage2 w2 = new Initiator(cfg, s.method, s.suitesI).writeMessage1();
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(Hex.encode(w2.message1())).as("message_1").isEqualTo(Hex.encode(get(v, "message_1")));
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(get(v, "message_2")).writeMessage3();
    soft.assertThat(Hex.encode(w4.message3())).as("message_3").isEqualTo(Hex.encode(get(v, "message_3")));
    try (EdhocSession session = w4.readMessage4(get(v, "message_4"))) {
      soft.assertThat(Hex.encode(session.exporter(0, new byte[0], 16))).as("OSCORE Master Secret")
          .isEqualTo(Hex.encode(get(v, "OSCORE Master Secret")));
    }
    int compared = compare(soft, v, traced, "initiator");
    soft.assertAll();
    assertThat(traced).containsKeys("TH_3", "K_3", "IV_3", "K_4", "IV_4", "MAC_2", "MAC_3", "TH_4");
    assertThat(compared).isGreaterThanOrEqualTo(20);
  }

  @ParameterizedTest
  @ValueSource(strings = {"section_2", "section_3"})
  void responderReproducesTheTrace(String section) throws Exception {
    JsonNode v = values(section);
    Setup s = setup(section, v);
    Map<String, byte[]> traced = new LinkedHashMap<>();
    TestHooks hooks = TestHooks.create().ephemeralKey(s.y).trace((name, value) -> traced.put(name, value.clone()));
    byte[] cR = get(v, "C_R", "Raw Value");
    EdhocConfig cfg = EdhocConfig.builder().methods(s.method).suites(s.suite).credential(s.ownR)
        .peers(new InMemoryCredentialStore().add(s.credI)).connectionIds(peer -> cR.clone()).testHooks(hooks).build();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(cfg).readMessage1(get(v, "message_1")).writeMessage2();
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(Hex.encode(w3.message2())).as("message_2").isEqualTo(Hex.encode(get(v, "message_2")));
    Responder.Completed done = w3.readMessage3(get(v, "message_3")).writeMessage4();
    soft.assertThat(Hex.encode(done.message4())).as("message_4").isEqualTo(Hex.encode(get(v, "message_4")));
    try (EdhocSession session = done.session()) {
      soft.assertThat(Hex.encode(session.exporter(1, new byte[0], 8))).as("OSCORE Master Salt")
          .isEqualTo(Hex.encode(get(v, "OSCORE Master Salt")));
    }
    int compared = compare(soft, v, traced, "responder");
    soft.assertAll();
    assertThat(traced).containsKeys("TH_3", "K_3", "K_4", "MAC_2", "MAC_3", "TH_4");
    assertThat(compared).isGreaterThanOrEqualTo(20);
  }
}
