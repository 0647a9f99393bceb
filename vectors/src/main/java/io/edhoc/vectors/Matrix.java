package io.edhoc.vectors;

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
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.CertificateIssuer;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.CredentialResolver;
import io.edhoc.credentials.CredentialUsage;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.PkixValidator;
import io.edhoc.credentials.X509Credential;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The in-process matrix: every method 0-3 x every cipher suite x every ID_CRED form (kid, kccs,
 * x5t, x5chain). Each case runs a full handshake with message_4 and checks that both sides agree
 * on EDHOC_Exporter output before and after EDHOC_KeyUpdate; then single bits of message_1 to
 * message_4 are flipped and every flip must fail cleanly at the step that receives the flipped
 * message: that step throws {@link EdhocException} with an EDHOC error message the peer in turn
 * rejects with {@link EdhocPeerErrorException} (or, when the flip made the message look like an
 * error message, the receiver aborts without answering), no other exception escapes, and no
 * flipped handshake completes. The one RFC-defined exception is named per field ({@link
 * #allowedSteps}): in message_1, a G_X that is still a valid public key and C_I are not checked
 * by the Responder against anything, and only TH_2 (hence KEYSTREAM_2 and MAC_2 / Signature_or_MAC_2,
 * RFC 9528 section 5.3.3) covers them, so the Initiator may be the one to reject them at message_2.
 * message_2 (MAC_2 or signature over TH_2 and C_R), message_3 and message_4 (AEAD) are
 * rejected by their receiver.
 *
 * <p>Every bit is flipped for methods 0 and 3 with suites 0 and 2 and kid; the other cases flip
 * {@value #SAMPLE_BITS} deterministically chosen bits per message.
 */
public final class Matrix implements Runnable {
  static final int SAMPLE_BITS = 16;
  private static final byte[] EMPTY = new byte[0];

  /** ID_CRED forms of RFC 9528 section 3.5.3. */
  enum Form {
    KID(false, false),
    KCCS(false, true),
    X5T(true, false),
    X5CHAIN(true, true);

    final boolean x509;
    final boolean byValue;

    Form(boolean x509, boolean byValue) {
      this.x509 = x509;
      this.byValue = byValue;
    }

    String label() {
      return name().toLowerCase();
    }
  }

  private final Report report;
  private final Pki pki = new Pki();
  private final io.edhoc.crypto.CryptoProvider cryptoI;
  private final io.edhoc.crypto.CryptoProvider cryptoR;
  private final String label;
  private final boolean flips;

  /** The full matrix (honest handshakes and bit flips) on the default crypto provider. */
  public Matrix(Report report) {
    this(report, io.edhoc.crypto.DefaultCrypto.get(), io.edhoc.crypto.DefaultCrypto.get(), "", true);
  }

  /**
   * The matrix with the initiator on one crypto provider and the responder on another; label
   * (e.g. " [initiator conscrypt, responder bouncycastle]") goes into every case name; flips=false
   * runs the honest handshakes only.
   */
  public Matrix(Report report, io.edhoc.crypto.CryptoProvider cryptoI, io.edhoc.crypto.CryptoProvider cryptoR, String label, boolean flips) {
    this.report = report;
    this.cryptoI = cryptoI;
    this.cryptoR = cryptoR;
    this.label = label;
    this.flips = flips;
  }

  @Override
  public void run() {
    for (Method m : List.of(Method.SIG_SIG, Method.SIG_STAT, Method.STAT_SIG, Method.STAT_STAT)) {
      for (CipherSuite s : CipherSuite.values()) {
        for (Form f : Form.values()) {
          runCase(m, s, f);
        }
      }
    }
  }

  /** The case name as in the issue: "method 3 suite 25 kccs". */
  static String caseName(Method m, CipherSuite s, Form f) {
    return "method " + m.id() + " suite " + s.id() + " " + f.label();
  }

  static boolean exhaustive(Method m, CipherSuite s, Form f) {
    return (m == Method.SIG_SIG || m == Method.STAT_STAT) && (s == CipherSuite.SUITE_0 || s == CipherSuite.SUITE_2) && f == Form.KID;
  }

  void runCase(Method m, CipherSuite s, Form f) {
    String name = caseName(m, s, f) + label;
    Endpoints ep;
    try {
      ep = endpoints(m, s, f);
    } catch (CredentialException | RuntimeException e) {
      report.fail(name, "cannot set up credentials: " + e);
      return;
    }
    byte[][] honest;
    try {
      honest = honestHandshake(name, ep, m, s);
    } catch (RuntimeException e) {
      report.fail(name, "escaped exception " + e);
      return;
    }
    if (honest == null || !flips) {
      return;
    }
    SplittableRandom rnd = new SplittableRandom(name.hashCode());
    for (int msg = 1; msg <= 4; msg++) {
      int bits = honest[msg - 1].length * 8;
      int[] chosen = exhaustive(m, s, f) ? allBits(bits) : sampleBits(bits, rnd);
      String group = name + ": message_" + msg + " " + (chosen.length == bits ? "every bit" : chosen.length + " of " + bits + " bits")
          + " flipped, each rejected " + (msg == 1 ? "at message_1 (G_X value, C_I: at message_1 or message_2)" : "at message_" + msg);
      List<String> problems = new ArrayList<>();
      for (int bit : chosen) {
        String p;
        try {
          p = flipped(ep, msg, bit, allowedSteps(msg, honest[0], bit));
        } catch (RuntimeException e) {
          p = "escaped " + e.getClass().getName() + ": " + e.getMessage();
        }
        if (p != null) {
          problems.add("bit " + bit + ": " + p);
        }
      }
      report.check(group, problems.isEmpty(), problems.size() + " flips not cleanly rejected, e.g. " + problems.subList(0, Math.min(3, problems.size())));
    }
  }

  static int[] allBits(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  static int[] sampleBits(int n, SplittableRandom rnd) {
    if (n <= SAMPLE_BITS) {
      return allBits(n);
    }
    return rnd.ints(0, n).distinct().limit(SAMPLE_BITS).sorted().toArray();
  }

  // ---- the handshake ----

  /** The honest run: both sessions agree; returns message_1..message_4, or null after reporting a failure. */
  private byte[][] honestHandshake(String name, Endpoints ep, Method m, CipherSuite s) {
    try {
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ep.initiator).writeMessage1();
      byte[] m1 = w2.message1();
      Responder.Message1Received r1 = Edhoc.responder(ep.responder).readMessage1(m1);
      Responder.AwaitingMessage3 w3 = r1.writeMessage2();
      byte[] m2 = w3.message2();
      Initiator.Message2Verified v2 = w2.readMessage2(m2);
      Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
      byte[] m3 = w4.message3();
      Responder.Completed done = w3.readMessage3(m3).writeMessage4();
      byte[] m4 = done.message4();
      try (EdhocSession si = w4.readMessage4(m4); EdhocSession sr = done.session()) {
        List<String> bad = new ArrayList<>();
        if (si.method() != m || sr.method() != m || si.suite() != s || sr.suite() != s) {
          bad.add("method/suite differ: " + si + " / " + sr);
        }
        if (!Arrays.equals(si.connectionIdI(), sr.connectionIdI()) || !Arrays.equals(si.connectionIdR(), sr.connectionIdR())) {
          bad.add("connection identifiers differ");
        }
        if (!Arrays.equals(si.peerCredential().cred(), ep.credR.cred()) || !Arrays.equals(sr.peerCredential().cred(), ep.credI.cred())) {
          bad.add("authenticated peer credential is not the expected one");
        }
        byte[] i0 = si.exporter(0, EMPTY, 16);
        byte[] i1 = si.exporter(1, EMPTY, 8);
        if (!Arrays.equals(i0, sr.exporter(0, EMPTY, 16)) || !Arrays.equals(i1, sr.exporter(1, EMPTY, 8))) {
          bad.add("EDHOC_Exporter outputs differ");
        }
        byte[] ctx = {(byte) 0xa0, 0x11, 0x58};
        si.keyUpdate(ctx);
        sr.keyUpdate(ctx);
        byte[] u0 = si.exporter(0, EMPTY, 16);
        if (!Arrays.equals(u0, sr.exporter(0, EMPTY, 16))) {
          bad.add("EDHOC_Exporter outputs differ after EDHOC_KeyUpdate");
        }
        if (Arrays.equals(u0, i0)) {
          bad.add("EDHOC_KeyUpdate did not change the exporter output");
        }
        report.check(name, bad.isEmpty(), String.join("; ", bad));
        return bad.isEmpty() ? new byte[][] {m1, m2, m3, m4} : null;
      }
    } catch (EdhocException e) {
      report.fail(name, "honest handshake failed: " + e.failure() + ": " + e.getMessage());
      return null;
    }
  }

  /** A step that processes the peer's error message. */
  private interface PeerStep {
    void run() throws EdhocException;
  }

  /**
   * Runs a fresh handshake with bit {@code bit} of message_{@code msg} flipped in transit. Null
   * when the flip was rejected cleanly, else what went wrong.
   */
  private static String flipped(Endpoints ep, int msg, int bit, java.util.Set<Integer> allowed) {
    Initiator.AwaitingMessage2 w2;
    try {
      w2 = Edhoc.initiator(ep.initiator).writeMessage1();
    } catch (EdhocException e) {
      return "writeMessage1 failed: " + e.getMessage();
    }
    byte[] m1 = flip(w2.message1(), msg == 1, bit);
    Responder.AwaitingMessage3 w3;
    try {
      w3 = Edhoc.responder(ep.responder).readMessage1(m1).writeMessage2();
    } catch (EdhocException e) {
      return rejected("responder at message_1", msg, allowed, e, () -> w2.readMessage2(e.errorMessage()));
    }
    byte[] m2 = flip(w3.message2(), msg == 2, bit);
    Initiator.AwaitingMessage4 w4;
    try {
      w4 = w2.readMessage2(m2).writeMessage3();
    } catch (EdhocException e) {
      return rejected("initiator at message_2", msg, allowed, e, () -> w3.readMessage3(e.errorMessage()));
    }
    byte[] m3 = flip(w4.message3(), msg == 3, bit);
    Responder.Completed done;
    try {
      done = w3.readMessage3(m3).writeMessage4();
    } catch (EdhocException e) {
      return rejected("responder at message_3", msg, allowed, e, () -> w4.readMessage4(e.errorMessage()));
    }
    byte[] m4 = flip(done.message4(), msg == 4, bit);
    try (EdhocSession sr = done.session()) {
      EdhocSession si = w4.readMessage4(m4);
      si.close();
      return "the handshake completed";
    } catch (EdhocException e) {
      return rejected("initiator at message_4", msg, allowed, e, null);
    }
  }

  /**
   * Where a flip of bit {@code bit} of message_{@code msg} must be rejected: at the step that
   * receives the message, except for the message_1 fields the Responder cannot check (the value
   * of G_X, C_I), which TH_2 covers, so the Initiator may reject them at message_2.
   */
  static java.util.Set<Integer> allowedSteps(int msg, byte[] message1, int bit) {
    if (msg != 1) {
      return java.util.Set.of(msg);
    }
    try {
      io.edhoc.cbor.CborReader r = new io.edhoc.cbor.CborReader(message1);
      r.skipItem(); // METHOD
      r.skipItem(); // SUITES_I
      int gxEnd;
      byte[] gx = r.readBytes();
      gxEnd = r.position();
      int cIStart = r.position();
      r.skipItem(); // C_I
      int cIEnd = r.position();
      int b = bit / 8;
      boolean gxValue = b >= gxEnd - gx.length && b < gxEnd;
      boolean cI = b >= cIStart && b < cIEnd;
      return gxValue || cI ? java.util.Set.of(1, 2) : java.util.Set.of(1);
    } catch (io.edhoc.cbor.CborException e) {
      throw new IllegalStateException("honest message_1 does not parse", e);
    }
  }

  /**
   * Checks a rejection: it comes at a step {@code allowed} for the flipped field, carries an
   * EDHOC error message (ERR_CODE 1, 2 or 3) and the peer aborts on that error message.
   */
  private static String rejected(String where, int flippedMessage, java.util.Set<Integer> allowed, EdhocException e, PeerStep peer) {
    int at = where.charAt(where.length() - 1) - '0';
    if (!allowed.contains(at)) {
      return where + " rejected the flip in message_" + flippedMessage + ", which must be rejected at message_" + allowed + ": "
          + e.failure() + " " + e.getMessage();
    }
    if (e.failure() == io.edhoc.Failure.PEER_ERROR) {
      // the flip turned the message's leading bstr head into an int: the receiver reads an error
      // message (well-formed or not) and aborts without answering, as section 6 asks
      return at == flippedMessage && e.errorMessage() == null ? null : where + " read an error message, but none was sent";
    }
    byte[] err = e.errorMessage();
    if (err == null) {
      return where + " failed (" + e.failure() + ") without an error message to send";
    }
    int code;
    try {
      code = ErrorMessage.parse(err).code();
    } catch (io.edhoc.cbor.CborException x) {
      return where + " produced a malformed error message";
    }
    if (code < 1 || code > 3 || code != e.errorCode()) {
      return where + " produced ERR_CODE " + code + " / errorCode() " + e.errorCode();
    }
    if (peer != null) {
      try {
        peer.run();
        return "the peer accepted the error message as a protocol message";
      } catch (EdhocPeerErrorException pe) {
        if (pe.peerErrorCode() != code) {
          return "the peer read ERR_CODE " + pe.peerErrorCode() + ", sent was " + code;
        }
      } catch (EdhocException pe) {
        return "the peer failed on the error message with " + pe.failure() + " instead of reading it";
      }
    }
    return null;
  }

  static byte[] flip(byte[] message, boolean doIt, int bit) {
    if (!doIt) {
      return message;
    }
    byte[] r = message.clone();
    r[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
    return r;
  }

  // ---- endpoints and credentials ----

  /** Both configurations of one case and the credentials each side must authenticate. */
  static final class Endpoints {
    final EdhocConfig initiator;
    final EdhocConfig responder;
    final Credential credI;
    final Credential credR;

    Endpoints(EdhocConfig initiator, EdhocConfig responder, Credential credI, Credential credR) {
      this.initiator = initiator;
      this.responder = responder;
      this.credI = credI;
      this.credR = credR;
    }
  }

  Endpoints endpoints(Method m, CipherSuite s, Form f) throws CredentialException {
    CoseCurve curveI = m.initiatorSigns() ? s.signatureCurve() : s.dhCurve();
    CoseCurve curveR = m.responderSigns() ? s.signatureCurve() : s.dhCurve();
    Keyed i = pki.credential("initiator", curveI, m.initiatorSigns(), f.x509);
    Keyed r = pki.credential("responder", curveR, m.responderSigns(), f.x509);
    OwnCredential ownI = f.byValue ? OwnCredential.byValue(i.credential, i.key) : OwnCredential.byReference(i.credential, i.key);
    OwnCredential ownR = f.byValue ? OwnCredential.byValue(r.credential, r.key) : OwnCredential.byReference(r.credential, r.key);
    EdhocConfig ci = EdhocConfig.builder().suites(s).methods(m).credential(ownI).peers(pki.resolver(r.credential)).crypto(cryptoI).build();
    EdhocConfig cr = EdhocConfig.builder().suites(s).methods(m).credential(ownR).peers(pki.resolver(i.credential)).crypto(cryptoR).build();
    return new Endpoints(ci, cr, i.credential, r.credential);
  }

  /** A credential with its private key. */
  static final class Keyed {
    final Credential credential;
    final CosePrivateKey key;

    Keyed(Credential credential, CosePrivateKey key) {
      this.credential = credential;
      this.key = key;
    }
  }

  /**
   * Keys and credentials made on demand, one per role, curve, use and kind: CCS with a one-byte
   * kid, or an X.509 leaf issued by an Ed25519 test CA with the key usage EDHOC asks of it
   * (digitalSignature for a signature key, keyAgreement for a static DH key).
   */
  static final class Pki {
    private final Map<String, Keyed> byName = new java.util.HashMap<>();
    private CosePrivateKey caKey;
    private byte[] caDer;
    private PkixValidator pkix;
    private int nextKid = 1;

    synchronized Keyed credential(String role, CoseCurve curve, boolean signs, boolean x509) throws CredentialException {
      String k = role + "/" + curve + "/" + signs + "/" + x509;
      Keyed have = byName.get(k);
      if (have != null) {
        return have;
      }
      CosePrivateKey key = TestCredentials.generate(curve);
      Keyed made;
      if (x509) {
        byte[] leaf = CertificateIssuer.forKey("CN=matrix " + role + " " + curve + (signs ? " sig" : " dh"), key.publicKey())
            .keyUsage(signs ? KeyUsage.digitalSignature : KeyUsage.keyAgreement)
            .issuedBy(ca(), caKey);
        made = new Keyed(X509Credential.parse(leaf), key);
      } else {
        made = new Keyed(TestCredentials.ccsFor(key.publicKey(), "matrix " + role + " " + curve, new byte[] {(byte) nextKid++}), key);
      }
      byName.put(k, made);
      return made;
    }

    private byte[] ca() throws CredentialException {
      if (caDer == null) {
        caKey = TestCredentials.generate(CoseCurve.ED25519);
        caDer = CertificateIssuer.forKey("CN=matrix test CA", caKey.publicKey()).ca(0).selfSigned(caKey);
        pkix = PkixValidator.builder().trustAnchor(caDer).requireKeyUsage(true).build();
      }
      return caDer;
    }

    /**
     * The peer's credential by reference (kid, x5t) or pinned by value (kccs) in an in-memory
     * store; x5chain validated by PKIX against the test CA. X.509 key usage is checked against the
     * use the method makes of the key.
     */
    CredentialResolver resolver(Credential peer) {
      InMemoryCredentialStore store = new InMemoryCredentialStore().add(peer);
      PkixValidator validator = pkix;
      return new CredentialResolver() {
        @Override
        public Credential resolve(IdCred id) throws CredentialException {
          return resolve(id, CredentialUsage.ANY);
        }

        @Override
        public Credential resolve(IdCred id, CredentialUsage usage) throws CredentialException {
          if (id.kind() == IdCred.Kind.X5CHAIN) {
            if (validator == null) {
              throw new CredentialException(CredentialException.Reason.REJECTED, "no trust anchor");
            }
            return validator.validate(id.x5chain(), usage);
          }
          Credential c = store.resolve(id);
          usage.checkKeyType(c);
          if (c instanceof X509Credential) {
            ((X509Credential) c).checkKeyUsage(usage, true);
          }
          return c;
        }
      };
    }
  }
}
