package io.edhoc.vectors;

import io.edhoc.CipherSuite;
import io.edhoc.ConnectionIdAllocator;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.EdhocPeerErrorException;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.TestHooks;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.X509Credential;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replays the two RFC 9529 traces in both roles against the printed messages: our Initiator
 * answers the printed message_2/message_4, our Responder the printed message_1/message_3, and
 * every intermediate value each side derives is compared with the trace.
 */
public final class Rfc9529Replay {
  /** Names the trace prints that are inputs to the replay rather than outputs to compare. */
  private static final Set<String> INPUTS = Set.of(
      "METHOD", "SUITES_I", "X", "G_X", "C_I", "EAD_1", "Y", "G_Y", "C_R", "SK_R", "SK_I", "PK_R", "PK_I", "CRED_R", "CRED_I",
      "ID_CRED_R", "ID_CRED_I", "EAD_2", "EAD_3", "EAD_4", "SUITES_R", "context for KeyUpdate",
      "Initiator's ephemeral public key, one 'y'-coordinate", "Responder's ephemeral public key, one 'y'-coordinate",
      "Responder's public authentication key, 'x'-coordinate", "Responder's public authentication key, 'y'-coordinate",
      "Initiator's public authentication key, 'x'-coordinate", "Initiator's public authentication key, 'y'-coordinate");

  private final VectorFile file;
  private final Report report;
  private final io.edhoc.crypto.CryptoProvider crypto;
  private final String label;

  /** The replay on the default crypto provider (DefaultCrypto "auto"). */
  public Rfc9529Replay(VectorFile file, Report report) {
    this(file, report, io.edhoc.crypto.DefaultCrypto.get(), "");
  }

  /** The replay on the given provider; label (e.g. " [bouncycastle]") goes into every check name. */
  public Rfc9529Replay(VectorFile file, Report report, io.edhoc.crypto.CryptoProvider crypto, String label) {
    this.file = file;
    this.report = report;
    this.crypto = crypto;
    this.label = label;
  }

  public void run() {
    for (String section : List.of("section_2", "section_3")) {
      VectorFile.Trace t = file.trace(section);
      Set<String> checked = new LinkedHashSet<>();
      for (String role : List.of("initiator", "responder")) {
        String prefix = "rfc9529 " + section.replace('_', ' ') + " " + role + label + ": ";
        try {
          checked.addAll("initiator".equals(role) ? initiator(t, prefix) : responder(t, prefix));
        } catch (Exception | AssertionError e) {
          report.fail(prefix + "handshake", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      }
      Set<String> missing = new LinkedHashSet<>(t.names());
      missing.removeAll(checked);
      missing.removeAll(INPUTS);
      missing.remove("salt"); // section 2 prints the salt of PRK_2e, which is TH_2 (checked)
      missing.remove("error"); // checked as the negotiation round
      report.check("rfc9529 " + section.replace('_', ' ') + label + ": every printed value checked", missing.isEmpty(), "not checked: " + missing);
    }
  }

  // ---- fixtures from the trace ----

  static final class Setup {
    Method method;
    CipherSuite suite;
    OwnCredential initiatorCred;
    OwnCredential responderCred;
    Credential credI;
    Credential credR;
    CosePrivateKey x;
    CosePrivateKey y;
    byte[] cI;
    byte[] cR;
  }

  static Setup setup(VectorFile.Trace t) throws Exception {
    Setup s = new Setup();
    if (t.name().equals("section_2")) {
      s.method = Method.SIG_SIG;
      s.suite = CipherSuite.SUITE_0;
      s.credI = X509Credential.parse(t.get("CRED_I", "Raw Value"));
      s.credR = X509Credential.parse(t.get("CRED_R", "Raw Value"));
      s.initiatorCred = OwnCredential.byReference(s.credI, new CosePrivateKey(CoseCurve.ED25519, t.get("SK_I"), s.credI.publicKey()));
      s.responderCred = OwnCredential.byReference(s.credR, new CosePrivateKey(CoseCurve.ED25519, t.get("SK_R"), s.credR.publicKey()));
      s.x = new CosePrivateKey(CoseCurve.X25519, t.get("X"), new CosePublicKey(CoseCurve.X25519, t.get("G_X"), null));
      s.y = new CosePrivateKey(CoseCurve.X25519, t.get("Y"), new CosePublicKey(CoseCurve.X25519, t.get("G_Y"), null));
    } else {
      s.method = Method.STAT_STAT;
      s.suite = CipherSuite.SUITE_2;
      s.credI = CcsCredential.parse(t.get("CRED_I"));
      s.credR = CcsCredential.parse(t.get("CRED_R"));
      s.initiatorCred = OwnCredential.byReference(s.credI, new CosePrivateKey(CoseCurve.P_256, t.get("SK_I"), s.credI.publicKey()));
      s.responderCred = OwnCredential.byReference(s.credR, new CosePrivateKey(CoseCurve.P_256, t.get("SK_R"), s.credR.publicKey()));
      s.x = new CosePrivateKey(CoseCurve.P_256, t.get("X"), new CosePublicKey(CoseCurve.P_256, t.get("G_X"), null));
      s.y = new CosePrivateKey(CoseCurve.P_256, t.get("Y"), new CosePublicKey(CoseCurve.P_256, t.get("G_Y"), null));
    }
    s.cI = t.get("C_I", "Raw Value");
    s.cR = t.get("C_R", "Raw Value");
    return s;
  }

  /** Collects traced values (the last value of a name wins). */
  static final class Collector implements io.edhoc.Trace {
    final Map<String, byte[]> values = new LinkedHashMap<>();

    @Override
    public synchronized void value(String name, byte[] value) {
      values.put(name, value);
    }
  }

  private static ConnectionIdAllocator queue(byte[]... ids) {
    Deque<byte[]> q = new ArrayDeque<>(List.of(ids));
    return peer -> {
      byte[] next = q.pollFirst();
      if (next == null) {
        throw new IllegalStateException("trace replay asked for more connection identifiers than the trace has");
      }
      return next;
    };
  }

  /** Compares every traced value the trace prints; returns the names compared. */
  private Set<String> compareTrace(VectorFile.Trace t, Collector c, String prefix) {
    Set<String> names = new LinkedHashSet<>();
    Map<String, String> aliases = Map.of(
        "info for EDHOC_Exporter(0)", "info for OSCORE Master Secret",
        "info for EDHOC_Exporter(1)", "info for OSCORE Master Salt");
    for (Map.Entry<String, byte[]> e : c.values.entrySet()) {
      String name = aliases.getOrDefault(e.getKey(), e.getKey());
      if (t.has(name) && !INPUTS.contains(name)) {
        byte[] expected = name.equals("CRED_R") || name.equals("CRED_I") ? t.get(name, "CBOR Data Item") : t.get(name);
        report.equal(prefix + name, expected, e.getValue());
        names.add(name);
      }
    }
    return names;
  }

  private Set<String> checkSession(VectorFile.Trace t, EdhocSession s, Collector c, String prefix, boolean initiator) {
    Set<String> names = new LinkedHashSet<>();
    // RFC 9528 A.1: the client (initiator) sends with C_R
    report.equal(prefix + "Client's OSCORE Sender ID", t.get("Client's OSCORE Sender ID"), initiator ? s.peerConnectionId() : s.ownConnectionId());
    report.equal(prefix + "Server's OSCORE Sender ID", t.get("Server's OSCORE Sender ID"), initiator ? s.ownConnectionId() : s.peerConnectionId());
    report.equal(prefix + "OSCORE Master Secret", t.get("OSCORE Master Secret"), s.exporter(0, new byte[0], 16));
    report.equal(prefix + "OSCORE Master Salt", t.get("OSCORE Master Salt"), s.exporter(1, new byte[0], 8));
    names.addAll(compareTrace(t, c, prefix));
    c.values.clear();
    s.keyUpdate(t.get("context for KeyUpdate"));
    report.equal(prefix + "OSCORE Master Secret after KeyUpdate", t.get("OSCORE Master Secret after KeyUpdate"), s.exporter(0, new byte[0], 16));
    report.equal(prefix + "OSCORE Master Salt after KeyUpdate", t.get("OSCORE Master Salt after KeyUpdate"), s.exporter(1, new byte[0], 8));
    names.addAll(compareTrace(t, c, prefix));
    names.addAll(List.of("Client's OSCORE Sender ID", "Server's OSCORE Sender ID", "OSCORE Master Secret", "OSCORE Master Salt",
        "OSCORE Master Secret after KeyUpdate", "OSCORE Master Salt after KeyUpdate"));
    s.close();
    return names;
  }

  private Set<String> initiator(VectorFile.Trace t, String prefix) throws Exception {
    Setup s = setup(t);
    Collector c = new Collector();
    TestHooks hooks = TestHooks.create().trace(c);
    boolean negotiation = t.name().equals("section_3");
    EdhocConfig.Builder b = EdhocConfig.builder().crypto(crypto).methods(s.method).credential(s.initiatorCred).peers(new InMemoryCredentialStore().add(s.credR));
    Initiator start;
    if (negotiation) {
      // RFC 9529 section 3: the Initiator prefers suite 6, then 2; the first message_1 offers 6 only
      CosePrivateKey firstX = new CosePrivateKey(CoseCurve.X25519, t.superseded("X", "Raw Value"),
          new CosePublicKey(CoseCurve.X25519, t.superseded("G_X", "Raw Value"), null));
      hooks.ephemeralKey(firstX).ephemeralKey(s.x);
      // suite 6 signs with P-256 keys; the Initiator's static DH key for method 3 is on X25519 there,
      // which this trace does not need: its credential fits suite 2 only, so offer 6 credential-free.
      EdhocConfig cfg = b.suites(CipherSuite.SUITE_6, CipherSuite.SUITE_2).testHooks(hooks)
          .connectionIds(queue(t.superseded("C_I", "Raw Value"), s.cI)).credential(fakeX25519Credential()).build();
      Initiator first = Edhoc.initiator(cfg);
      Initiator.AwaitingMessage2 w = first.writeMessage1();
      report.equal(prefix + "message_1 (first time, SUITES_I 6)", t.superseded("message_1", "CBOR Sequence"), w.message1());
      try {
        w.readMessage2(t.get("error"));
        report.fail(prefix + "error message processed", "the error message was accepted as message_2");
        return Set.of();
      } catch (EdhocPeerErrorException e) {
        report.check(prefix + "error message processed (ERR_CODE 2, SUITES_R 2)", e.peerErrorCode() == 2 && e.suitesR().equals(List.of(2)),
            "got ERR_CODE " + e.peerErrorCode() + " " + e.suitesR());
        start = w.retryAfter(e);
      }
    } else {
      hooks.ephemeralKey(s.x);
      start = Edhoc.initiator(b.suites(s.suite).testHooks(hooks).connectionIds(queue(s.cI)).build());
    }
    Initiator.AwaitingMessage2 w2 = start.writeMessage1();
    report.equal(prefix + "message_1", t.get("message_1"), w2.message1());
    Initiator.Message2Verified v2 = w2.readMessage2(t.get("message_2"));
    Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
    report.equal(prefix + "message_3", t.get("message_3"), w4.message3());
    EdhocSession session = w4.readMessage4(t.get("message_4"));
    report.pass(prefix + "message_4 verified");
    Set<String> names = new LinkedHashSet<>(List.of("message_1", "message_3", "message_4", "error"));
    names.addAll(checkSession(t, session, c, prefix, true));
    return names;
  }

  private Set<String> responder(VectorFile.Trace t, String prefix) throws Exception {
    Setup s = setup(t);
    Collector c = new Collector();
    TestHooks hooks = TestHooks.create().trace(c).ephemeralKey(s.y);
    EdhocConfig cfg = EdhocConfig.builder().crypto(crypto).methods(s.method).suites(s.suite).credential(s.responderCred)
        .peers(new InMemoryCredentialStore().add(s.credI)).connectionIds(queue(s.cR)).testHooks(hooks).build();
    if (t.name().equals("section_3")) {
      try {
        Edhoc.responder(cfg).readMessage1(t.superseded("message_1", "CBOR Sequence"));
        report.fail(prefix + "first message_1 (SUITES_I 6) rejected", "accepted");
      } catch (EdhocException e) {
        report.equal(prefix + "error (ERR_CODE 2, SUITES_R)", t.get("error"), e.errorMessage());
      }
    }
    Responder.Message1Received r1 = Edhoc.responder(cfg).readMessage1(t.get("message_1"));
    Responder.AwaitingMessage3 w3 = r1.writeMessage2();
    report.equal(prefix + "message_2", t.get("message_2"), w3.message2());
    // through a session store and back, as the service does between message_2 and message_3
    Responder.AwaitingMessage3 restored = Responder.resume(cfg, w3.export());
    w3.abandon();
    Responder.Message3Verified v3 = restored.readMessage3(t.get("message_3"));
    Responder.Completed done = v3.writeMessage4();
    report.equal(prefix + "message_4", t.get("message_4"), done.message4());
    Set<String> names = new LinkedHashSet<>(List.of("message_1", "message_2", "message_3", "message_4"));
    names.addAll(checkSession(t, done.session(), c, prefix, false));
    return names;
  }

  /**
   * The section 3 Initiator (method 3, suite 2, fixed X) waiting for message_2 after the
   * negotiation round, as in the trace: its message_1 is the printed one.
   */
  static Initiator.AwaitingMessage2 section3AwaitingMessage2(VectorFile.Trace t) throws Exception {
    Setup s = setup(t);
    CosePrivateKey firstX = new CosePrivateKey(CoseCurve.X25519, t.superseded("X", "Raw Value"),
        new CosePublicKey(CoseCurve.X25519, t.superseded("G_X", "Raw Value"), null));
    TestHooks hooks = TestHooks.create().ephemeralKey(firstX).ephemeralKey(s.x);
    EdhocConfig cfg = EdhocConfig.builder().methods(s.method).credential(s.initiatorCred).peers(new InMemoryCredentialStore().add(s.credR))
        .suites(CipherSuite.SUITE_6, CipherSuite.SUITE_2).testHooks(hooks)
        .connectionIds(queue(t.superseded("C_I", "Raw Value"), s.cI)).credential(fakeX25519Credential()).build();
    Initiator.AwaitingMessage2 first = Edhoc.initiator(cfg).writeMessage1();
    try {
      first.readMessage2(t.get("error"));
      throw new IllegalStateException("the trace's error message was accepted as message_2");
    } catch (EdhocPeerErrorException e) {
      Initiator.AwaitingMessage2 w2 = first.retryAfter(e).writeMessage1();
      if (!java.util.Arrays.equals(w2.message1(), t.get("message_1"))) {
        throw new IllegalStateException("section 3 Initiator did not reproduce message_1");
      }
      return w2;
    }
  }

  /** A throw-away X25519 static DH credential so that suite 6 can be offered in the negotiation round. */
  private static OwnCredential fakeX25519Credential() throws Exception {
    io.edhoc.crypto.KeyExchange kx = io.edhoc.crypto.DefaultCrypto.get().keyExchange(CoseCurve.X25519);
    CosePrivateKey k = kx.generate(new java.security.SecureRandom());
    byte[] ccs = new io.edhoc.cbor.CborWriter().writeMapHeader(2).writeInt(2).writeText("negotiation-only").writeInt(8).writeMapHeader(1)
        .writeInt(1).writeMapHeader(4).writeInt(1).writeInt(1).writeInt(2).writeBytes(new byte[] {0x01}).writeInt(-1).writeInt(4)
        .writeInt(-2).writeBytes(k.publicKey().x()).toByteArray();
    return OwnCredential.byReference(CcsCredential.parse(ccs), k);
  }
}
