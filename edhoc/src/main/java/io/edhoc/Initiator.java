package io.edhoc;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborWriter;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.PskCredential;
import io.edhoc.crypto.CryptoException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The EDHOC Initiator (RFC 9528 sections 5.2.2, 5.3.3, 5.4.2, 5.5.3) as typestates: {@code
 * Initiator -> AwaitingMessage2 -> Message2Verified -> AwaitingMessage4 -> EdhocSession}. Each
 * state is used once; a failed step aborts the session and wipes its secrets.
 */
public final class Initiator {
  private final EdhocConfig config;
  private final Method method;
  private final List<CipherSuite> suitesI;
  private final Steps.Once once = new Steps.Once();
  /** Method 4: the PSK entry to present (the configuration's first unless chosen explicitly). */
  PskCredential psk;

  Initiator(EdhocConfig config, Method method, List<CipherSuite> suitesI) {
    this.config = config;
    this.method = method;
    this.suitesI = List.copyOf(suitesI);
    this.psk = config.pskCredentials().isEmpty() ? null : config.pskCredentials().get(0);
  }

  /** Starts with the configured first method and the most preferred suite as SUITES_I. */
  static Initiator create(EdhocConfig config) {
    return new Initiator(config, config.methods().get(0), List.of(config.suites().get(0)));
  }

  public Method method() {
    return method;
  }

  /** SUITES_I as it will be sent; the selected suite is the last. */
  public List<CipherSuite> suitesI() {
    return suitesI;
  }

  public CipherSuite selectedSuite() {
    return suitesI.get(suitesI.size() - 1);
  }

  public AwaitingMessage2 writeMessage1() throws EdhocException {
    return writeMessage1(List.of());
  }

  /** Composes message_1 = (METHOD, SUITES_I, G_X, C_I, ? EAD_1), section 5.2.2. */
  public AwaitingMessage2 writeMessage1(List<EadItem> ead1) throws EdhocException {
    once.use("writeMessage1");
    CipherSuite suite = selectedSuite();
    OwnCredential own = config.credentialFor(Role.INITIATOR, method, suite);
    if (own == null && !method.isPsk()) {
      throw new EdhocException(Failure.NO_CREDENTIAL, 0, null, "no own credential for " + method + " " + suite);
    }
    if (method.isPsk() && psk == null) {
      throw new EdhocException(Failure.NO_CREDENTIAL, 0, null, "method 4 needs a PSK entry (EdhocConfig.Builder.psk)");
    }
    KeySchedule ks = new KeySchedule(suite, config);
    CosePrivateKey x = ephemeral(config, ks);
    byte[] gX = x.publicKey().x();
    byte[] cI = config.connectionIds().allocate(null);
    List<Integer> ids = new ArrayList<>();
    for (CipherSuite s : suitesI) {
      ids.add(s.id());
    }
    CborWriter w = new CborWriter(64).writeInt(method.id());
    ErrorMessage.writeSuites(w, ids);
    w.writeBytes(gX).writeRaw(ConnectionIdCodec.encode(cI)).writeRaw(EadItem.encode(Steps.outgoingEad(config.ead(), 1, ead1)));
    byte[] message1 = ks.traced("message_1", w.toByteArray());
    return new AwaitingMessage2(this, ks, own, x, cI, message1);
  }

  static CosePrivateKey ephemeral(EdhocConfig config, KeySchedule ks) {
    TestHooks hooks = config.testHooks();
    CosePrivateKey fixed = hooks == null ? null : hooks.nextEphemeralKey();
    if (fixed != null) {
      if (fixed.curve() != ks.suite.dhCurve() || fixed.publicKey() == null) {
        throw new IllegalArgumentException("test ephemeral key does not fit " + ks.suite);
      }
      return fixed;
    }
    return ks.dh.generate(config.crypto().random());
  }

  /** message_1 was sent; waiting for message_2 or an error message. */
  public static final class AwaitingMessage2 {
    private final Initiator start;
    private final KeySchedule ks;
    private final OwnCredential own;
    private final CosePrivateKey x;
    private final byte[] cI;
    private final byte[] message1;
    private final Steps.Once once = new Steps.Once();
    /** C_R once PLAINTEXT_2 decrypted and parsed, even if a later check failed. */
    byte[] peerConnectionId;

    AwaitingMessage2(Initiator start, KeySchedule ks, OwnCredential own, CosePrivateKey x, byte[] cI, byte[] message1) {
      this.start = start;
      this.ks = ks;
      this.own = own;
      this.x = x;
      this.cI = cI;
      this.message1 = message1;
    }

    public byte[] message1() {
      return message1.clone();
    }

    /** C_I as a byte string value. */
    public byte[] connectionIdI() {
      return cI.clone();
    }

    public Method method() {
      return start.method;
    }

    public CipherSuite suite() {
      return ks.suite;
    }

    /**
     * After ERR_CODE 2: a new Initiator whose SUITES_I lists this endpoint's suites in preference
     * order up to and including the most preferred one in SUITES_R (section 6.3.1).
     */
    public Initiator retryAfter(EdhocPeerErrorException error) throws EdhocException {
      if (error.peerErrorCode() != ErrorMessage.WRONG_SELECTED_CIPHER_SUITE) {
        throw new IllegalArgumentException("only ERR_CODE 2 leads to a retry");
      }
      List<CipherSuite> mine = start.config.suites();
      for (int i = 0; i < mine.size(); i++) {
        if (error.suitesR().contains(mine.get(i).id())) {
          if (mine.get(i) == suite()) {
            break; // the responder rejected the suite it lists: no progress possible
          }
          Initiator retry = new Initiator(start.config, start.method, mine.subList(0, i + 1));
          retry.psk = start.psk;
          return retry;
        }
      }
      throw new EdhocException(Failure.WRONG_SELECTED_SUITE, 0, null, "no common cipher suite with SUITES_R " + error.suitesR());
    }

    /**
     * C_R as read from PLAINTEXT_2 by {@link #readMessage2}, also when a later check (credential,
     * Signature_or_MAC_2, EAD) failed: under RFC 9528 Appendix A.2 the EDHOC error message that
     * section 5.3.3 requires is sent prefixed with it. Null before readMessage2 or when message_2
     * did not even decrypt to a C_R (then the Responder cannot be addressed).
     */
    public byte[] peerConnectionId() {
      return peerConnectionId == null ? null : peerConnectionId.clone();
    }

    /** Processes message_2 (section 5.3.3) and authenticates the Responder. */
    public Message2Verified readMessage2(byte[] message2) throws EdhocException {
      once.use("readMessage2");
      if (start.method.isPsk()) {
        return Method4.readMessage2(start.config, ks, start.method, x, cI, message1, start.psk, message2, this);
      }
      byte[] gXY = null;
      byte[] prk2e = null;
      byte[] keystream2 = null;
      byte[] salt3e2m = null;
      byte[] prk3e2m = null;
      byte[] gRX = null;
      boolean ok = false;
      try {
        byte[] gYciphertext2 = Steps.readBstrMessage(message2, "message_2");
        CipherSuite suite = ks.suite;
        Method method = start.method;
        int n = suite.dhCurve().coordinateLength();
        if (gYciphertext2.length <= n) {
          throw Steps.malformed("message_2", new CborException("G_Y_CIPHERTEXT_2 too short"));
        }
        byte[] gY = Arrays.copyOfRange(gYciphertext2, 0, n);
        byte[] ciphertext2 = Arrays.copyOfRange(gYciphertext2, n, gYciphertext2.length);
        gXY = Steps.dh(ks, x, gY, "G_XY");
        byte[] th2 = ks.th2(gY, message1);
        prk2e = ks.prk2e(th2, gXY);
        keystream2 = ks.keystream2(prk2e, th2, ciphertext2.length);
        byte[] plaintext2 = ks.traced("PLAINTEXT_2", KeySchedule.xor(ciphertext2, keystream2));

        Plaintext2 p2;
        try {
          p2 = Plaintext2.parse(plaintext2, method, suite);
        } catch (CborException e) {
          throw Steps.malformed("message_2", e);
        }
        byte[] cR = p2.cR;
        peerConnectionId = cR.clone();
        IdCred idCredR = p2.idCredR;
        byte[] signatureOrMac2 = p2.signatureOrMac2;
        byte[] ead2Bytes = p2.eadBytes;
        List<EadItem> ead2Raw = p2.ead;

        Credential credR = Steps.resolvePeer(start.config, idCredR, method.responderSigns(), suite);
        // SALT_3e2m only where PRK_3e2m is extracted with it (static DH); a signing Responder's PRK_3e2m is PRK_2e
        if (method.responderSigns()) {
          prk3e2m = ks.traced("PRK_3e2m", prk2e.clone());
        } else {
          salt3e2m = ks.salt3e2m(prk2e, th2);
          gRX = Steps.dh(ks, x, credR.publicKey().x(), "G_RX");
          prk3e2m = ks.prk3e2m(salt3e2m, gRX);
        }
        byte[] credRBytes = credR.cred();
        byte[] context2 = CborWriter.sequence(ConnectionIdCodec.encode(cR), idCredR.encodedMap(), CborWriter.bstr(th2), credRBytes, ead2Bytes);
        byte[] mac2 = ks.mac2(prk3e2m, context2, method.responderSigns());
        boolean verified;
        if (method.responderSigns()) {
          byte[] toBeSigned = ks.traced("Message to be signed 2", KeySchedule.sigStructure(
              idCredR.encodedMap(), CborWriter.sequence(CborWriter.bstr(th2), credRBytes, ead2Bytes), mac2));
          verified = ks.signer.verify(credR.publicKey(), toBeSigned, signatureOrMac2);
        } else {
          verified = signatureOrMac2.length == mac2.length && Secrets.equal(mac2, signatureOrMac2);
        }
        Secrets.wipe(mac2);
        if (!verified) {
          throw Steps.fail(Failure.AUTHENTICATION_FAILED, "Authentication failed", "Signature_or_MAC_2 did not verify");
        }
        List<EadItem> ead2 = Steps.checkEad(ead2Raw, start.config.ead());
        Steps.consumeEad(start.config.ead(), 2, ead2);
        byte[] th3 = ks.th3(th2, plaintext2, credRBytes);
        Secrets.wipe(plaintext2);
        ok = true;
        Message2Verified v = new Message2Verified(start.config, ks, method, own, cI, cR, gY, th3, prk3e2m, credR, ead2);
        v.idCredR = idCredR;
        return v;
      } finally {
        Secrets.wipe(gXY, prk2e, keystream2, salt3e2m, gRX);
        x.destroy();
        if (!ok) {
          Secrets.wipe(prk3e2m);
        }
      }
    }
  }

  /**
   * message_2 verified: the Responder is authenticated (methods 0-3). In method 4 message_2 only
   * decrypted: the Responder is not authenticated before message_4 ({@link #peerCredential()} is
   * null). Compose message_3 next.
   */
  public static final class Message2Verified {
    private final EdhocConfig config;
    private final KeySchedule ks;
    private final Method method;
    private final OwnCredential own;
    private final byte[] cI;
    private final byte[] cR;
    private final byte[] gY;
    private final byte[] th3;
    private final byte[] prk3e2m;
    private final Credential credR;
    private final List<EadItem> ead2;
    private final Steps.Once once = new Steps.Once();
    /** Method 4: the PSK entry to present in message_3. */
    PskCredential psk;
    /** Methods 0-3: ID_CRED_R as received. */
    IdCred idCredR;

    Message2Verified(EdhocConfig config, KeySchedule ks, Method method, OwnCredential own, byte[] cI, byte[] cR, byte[] gY, byte[] th3,
        byte[] prk3e2m, Credential credR, List<EadItem> ead2) {
      this.config = config;
      this.ks = ks;
      this.method = method;
      this.own = own;
      this.cI = cI;
      this.cR = cR;
      this.gY = gY;
      this.th3 = th3;
      this.prk3e2m = prk3e2m;
      this.credR = credR;
      this.ead2 = ead2;
    }

    /**
     * Abandons the handshake here (the application will not send message_3, e.g. because C_R is
     * unusable): wipes the secrets; the state cannot be used afterwards.
     */
    public void abort() {
      once.use("abort");
      Secrets.wipe(prk3e2m, th3);
    }

    public byte[] connectionIdR() {
      return cR.clone();
    }

    public byte[] connectionIdI() {
      return cI.clone();
    }

    public Credential peerCredential() {
      return credR;
    }

    /** EAD_2 as received, padding removed. */
    public List<EadItem> ead2() {
      return ead2;
    }

    public CipherSuite suite() {
      return ks.suite;
    }

    public AwaitingMessage4 writeMessage3() throws EdhocException {
      return writeMessage3(List.of());
    }

    /** Composes message_3 (section 5.4.2) and derives PRK_out. */
    public AwaitingMessage4 writeMessage3(List<EadItem> ead3) throws EdhocException {
      once.use("writeMessage3");
      if (method.isPsk()) {
        return Method4.writeMessage3(config, ks, method, cI, cR, th3, prk3e2m, psk, ead3);
      }
      byte[] salt4e3m = null;
      byte[] gIY = null;
      byte[] prk4e3m = null;
      byte[] mac3 = null;
      byte[] k3 = null;
      byte[] iv3 = null;
      byte[] plaintext3 = null;
      boolean ok = false;
      try {
        byte[] eadBytes = EadItem.encode(Steps.outgoingEad(config.ead(), 3, ead3));
        // SALT_4e3m only where PRK_4e3m is extracted with it (static DH); a signing Initiator's PRK_4e3m is PRK_3e2m
        if (method.initiatorSigns()) {
          prk4e3m = ks.traced("PRK_4e3m", prk3e2m.clone());
        } else {
          salt4e3m = ks.salt4e3m(prk3e2m, th3);
          gIY = Steps.dh(ks, own.privateKey(), gY, "G_IY");
          prk4e3m = ks.prk4e3m(salt4e3m, gIY);
        }
        IdCred idCredI = own.idCredToSend();
        byte[] credI = own.credential().cred();
        byte[] context3 = CborWriter.sequence(idCredI.encodedMap(), CborWriter.bstr(th3), credI, eadBytes);
        mac3 = ks.mac3(prk4e3m, context3, method.initiatorSigns());
        byte[] signatureOrMac3;
        if (method.initiatorSigns()) {
          byte[] toBeSigned = ks.traced("Message to be signed 3",
              KeySchedule.sigStructure(idCredI.encodedMap(), CborWriter.sequence(CborWriter.bstr(th3), credI, eadBytes), mac3));
          try {
            signatureOrMac3 = ks.signer.sign(own.privateKey(), toBeSigned);
          } catch (CryptoException e) {
            throw Steps.internal("signing failed", e);
          }
        } else {
          signatureOrMac3 = mac3.clone();
        }
        ks.traced("Signature_or_MAC_3", signatureOrMac3);
        plaintext3 = ks.traced("PLAINTEXT_3", CborWriter.sequence(idCredI.plaintextEncoding(), CborWriter.bstr(signatureOrMac3), eadBytes));
        k3 = ks.k3(prk3e2m, th3);
        iv3 = ks.iv3(prk3e2m, th3);
        byte[] ciphertext3 = ks.traced("CIPHERTEXT_3", Steps.encrypt0(ks, "A_3", k3, iv3, th3, plaintext3));
        byte[] message3 = ks.traced("message_3", CborWriter.bstr(ciphertext3));
        byte[] th4 = ks.th4(th3, plaintext3, credI);
        byte[] prkOut = ks.prkOut(prk4e3m, th4);
        ok = true;
        AwaitingMessage4 w = new AwaitingMessage4(config, ks, method, cI, cR, credR, message3, prk4e3m, th4, prkOut);
        w.credentials = new SessionCredentials(idCredI, idCredR, credI, credR.cred(), null);
        return w;
      } finally {
        Secrets.wipe(prk3e2m, salt4e3m, gIY, mac3, k3, iv3, plaintext3);
        if (!ok) {
          Secrets.wipe(prk4e3m);
        }
      }
    }
  }

  /** message_3 was sent. Complete now, or verify message_4 first. */
  public static final class AwaitingMessage4 {
    private final EdhocConfig config;
    private final KeySchedule ks;
    private final Method method;
    private final byte[] cI;
    private final byte[] cR;
    private final Credential credR;
    private final byte[] message3;
    private final byte[] prk4e3m;
    private final byte[] th4;
    private final byte[] prkOut;
    private final Steps.Once once = new Steps.Once();
    SessionCredentials credentials;

    AwaitingMessage4(EdhocConfig config, KeySchedule ks, Method method, byte[] cI, byte[] cR, Credential credR, byte[] message3, byte[] prk4e3m,
        byte[] th4, byte[] prkOut) {
      this.config = config;
      this.ks = ks;
      this.method = method;
      this.cI = cI;
      this.cR = cR;
      this.credR = credR;
      this.message3 = message3;
      this.prk4e3m = prk4e3m;
      this.th4 = th4;
      this.prkOut = prkOut;
    }

    public byte[] message3() {
      return message3.clone();
    }

    public Method method() {
      return method;
    }

    public CipherSuite suite() {
      return ks.suite;
    }

    public byte[] connectionIdR() {
      return cR.clone();
    }

    /**
     * Abandons the handshake (message_3 could not be delivered, or its answer never came): wipes
     * PRK_4e3m and PRK_out; the state cannot be used afterwards.
     */
    public void abort() {
      once.use("abort");
      Secrets.wipe(prk4e3m, prkOut, th4);
    }

    /**
     * The session without message_4 (the application profile does not use it, or the combined
     * request of RFC 9668 follows). Not allowed for method 4, where message_4 is what authenticates
     * the Responder: use {@link #readMessage4}, or for the combined request {@link
     * #completeWithUnauthenticatedResponder()}.
     */
    public EdhocSession complete() {
      once.use("complete/readMessage4");
      if (method.isPsk()) {
        Secrets.wipe(prk4e3m, prkOut);
        throw new IllegalStateException("method 4 authenticates the Responder only with message_4: use readMessage4");
      }
      Secrets.wipe(prk4e3m);
      return new EdhocSession(Role.INITIATOR, method, ks, cI, cR, credR, credentials, prkOut);
    }

    /**
     * <b>Provisional session, Responder NOT authenticated.</b> For the combined request of RFC 9668
     * with method 4: message_3 goes with the first OSCORE request and no message_4 follows, so
     * only a verified OSCORE response authenticates the Responder (draft-ietf-lake-edhoc-psk
     * sections 5.4, 8 and 9.10). The session can export the OSCORE keys needed to protect the
     * request and verify the response, but {@link EdhocSession#isResponderAuthenticated()} is
     * false until the caller has verified that response and called {@link
     * EdhocSession#markResponderAuthenticated()}; until then persist nothing derived from it. For
     * methods 0-3 this is {@link #complete()} (the Responder was authenticated by message_2).
     */
    public EdhocSession completeWithUnauthenticatedResponder() {
      once.use("complete/readMessage4");
      Secrets.wipe(prk4e3m);
      EdhocSession s = new EdhocSession(Role.INITIATOR, method, ks, cI, cR, credR, credentials, prkOut);
      if (method.isPsk()) {
        s.provisional();
      }
      return s;
    }

    /** Verifies message_4 (section 5.5.3) and returns the session. */
    public EdhocSession readMessage4(byte[] message4) throws EdhocException {
      once.use("complete/readMessage4");
      byte[] k4 = null;
      byte[] iv4 = null;
      byte[] plaintext4 = null;
      boolean ok = false;
      try {
        byte[] ciphertext4 = Steps.readBstrMessage(message4, "message_4");
        k4 = ks.k4(prk4e3m, th4);
        iv4 = ks.iv4(prk4e3m, th4);
        plaintext4 = ks.traced("PLAINTEXT_4", Steps.decrypt0(ks, "A_4", k4, iv4, th4, ciphertext4, "message_4"));
        List<EadItem> ead4;
        try {
          ead4 = EadItem.readAll(new CborReader(plaintext4));
        } catch (CborException e) {
          throw Steps.malformed("message_4", e);
        }
        List<EadItem> checked = Steps.checkEad(ead4, config.ead());
        Steps.consumeEad(config.ead(), 4, checked);
        ok = true;
        EdhocSession s = new EdhocSession(Role.INITIATOR, method, ks, cI, cR, credR, credentials, prkOut);
        s.ead4 = checked;
        return s;
      } finally {
        Secrets.wipe(k4, iv4, plaintext4, prk4e3m);
        if (!ok) {
          Secrets.wipe(prkOut);
        }
      }
    }
  }
}
