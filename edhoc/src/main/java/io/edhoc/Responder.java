package io.edhoc;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborWriter;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.crypto.CryptoException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The EDHOC Responder (RFC 9528 sections 5.2.3, 5.3.2, 5.4.3, 5.5.2) as typestates: {@code
 * Responder -> Message1Received -> AwaitingMessage3 -> Message3Verified -> EdhocSession}.
 * {@link AwaitingMessage3#export()} and {@link #resume(EdhocConfig, byte[])} let a session store
 * keep the state between message_2 and message_3.
 */
public final class Responder {
  private final EdhocConfig config;
  private final Steps.Once once = new Steps.Once();

  Responder(EdhocConfig config) {
    this.config = config;
  }

  /** Processes message_1 (section 5.2.3), including cipher suite negotiation. */
  public Message1Received readMessage1(byte[] message1) throws EdhocException {
    once.use("readMessage1");
    long methodId;
    List<Integer> suitesI;
    byte[] gX;
    byte[] cI;
    List<EadItem> ead1Raw;
    try {
      CborReader r = new CborReader(message1);
      methodId = r.readInt();
      suitesI = ErrorMessage.readSuites(r, "SUITES_I");
      gX = r.readBytes();
      cI = ConnectionIdCodec.read(r, "C_I");
      ead1Raw = EadItem.readAll(r);
    } catch (CborException e) {
      throw Steps.malformed("message_1", e);
    }
    Method method = Method.fromId(methodId);
    if (method == null || !config.methods().contains(method)) {
      throw Steps.fail(Failure.UNSUPPORTED_METHOD, "Method not supported", "method " + methodId + " not supported");
    }
    List<CipherSuite> supported = new ArrayList<>();
    for (CipherSuite s : config.suites()) {
      if (method.isPsk() ? config.pskResolver() != null : config.credentialFor(Role.RESPONDER, method, s) != null) {
        supported.add(s);
      }
    }
    if (supported.isEmpty()) {
      throw Steps.fail(Failure.NO_CREDENTIAL, "No credential for method", "no own credential fits " + method + " in any configured suite");
    }
    CipherSuite selected = CipherSuite.fromId(suitesI.get(suitesI.size() - 1));
    CipherSuite firstSupported = null;
    for (int id : suitesI) {
      CipherSuite s = CipherSuite.fromId(id);
      if (s != null && supported.contains(s)) {
        firstSupported = s;
        break;
      }
    }
    if (firstSupported == null || firstSupported != selected) {
      List<Integer> suitesR = new ArrayList<>();
      for (CipherSuite s : supported) {
        suitesR.add(s.id());
      }
      throw new EdhocException(
          Failure.WRONG_SELECTED_SUITE, ErrorMessage.WRONG_SELECTED_CIPHER_SUITE, ErrorMessage.wrongSelectedCipherSuite(suitesR),
          "selected suite " + suitesI.get(suitesI.size() - 1) + " is not the first supported one in SUITES_I " + suitesI);
    }
    if (gX.length != selected.dhCurve().coordinateLength()) {
      throw Steps.malformed("message_1", new CborException("G_X has " + gX.length + " bytes, " + selected + " needs " + selected.dhCurve().coordinateLength()));
    }
    List<EadItem> ead1 = Steps.checkEad(ead1Raw, config.ead());
    Steps.consumeEad(config.ead(), 1, ead1);
    return new Message1Received(config, method, selected, gX, cI, message1.clone(), ead1);
  }

  /** message_1 accepted. Compose message_2 next. */
  public static final class Message1Received {
    private final EdhocConfig config;
    private final Method method;
    private final CipherSuite suite;
    private final byte[] gX;
    private final byte[] cI;
    private final byte[] message1;
    private final List<EadItem> ead1;
    private final Steps.Once once = new Steps.Once();

    Message1Received(EdhocConfig config, Method method, CipherSuite suite, byte[] gX, byte[] cI, byte[] message1, List<EadItem> ead1) {
      this.config = config;
      this.method = method;
      this.suite = suite;
      this.gX = gX;
      this.cI = cI;
      this.message1 = message1;
      this.ead1 = ead1;
    }

    public Method method() {
      return method;
    }

    public CipherSuite suite() {
      return suite;
    }

    public byte[] connectionIdI() {
      return cI.clone();
    }

    /** EAD_1 as received, padding removed. */
    public List<EadItem> ead1() {
      return ead1;
    }

    public AwaitingMessage3 writeMessage2() throws EdhocException {
      return writeMessage2(List.of());
    }

    /** Composes message_2 (section 5.3.2). */
    public AwaitingMessage3 writeMessage2(List<EadItem> ead2) throws EdhocException {
      once.use("writeMessage2");
      KeySchedule ks = new KeySchedule(suite, config);
      OwnCredential own = config.credentialFor(Role.RESPONDER, method, suite);
      CosePrivateKey y = Initiator.ephemeral(config, ks);
      if (method.isPsk()) {
        return Method4.writeMessage2(config, ks, method, y, gX, cI, message1, ead2);
      }
      byte[] gXY = null;
      byte[] prk2e = null;
      byte[] salt3e2m = null;
      byte[] gRX = null;
      byte[] prk3e2m = null;
      byte[] mac2 = null;
      byte[] plaintext2 = null;
      byte[] keystream2 = null;
      boolean ok = false;
      try {
        byte[] gY = y.publicKey().x();
        byte[] cR = config.connectionIds().allocate(cI);
        gXY = Steps.dh(ks, y, gX, "G_XY");
        byte[] th2 = ks.th2(gY, message1);
        prk2e = ks.prk2e(th2, gXY);
        // SALT_3e2m only where PRK_3e2m is extracted with it (static DH); a signing Responder's PRK_3e2m is PRK_2e
        if (method.responderSigns()) {
          prk3e2m = ks.traced("PRK_3e2m", prk2e.clone());
        } else {
          salt3e2m = ks.salt3e2m(prk2e, th2);
          gRX = Steps.dh(ks, own.privateKey(), gX, "G_RX");
          prk3e2m = ks.prk3e2m(salt3e2m, gRX);
        }
        IdCred idCredR = own.idCredToSend();
        byte[] credR = own.credential().cred();
        byte[] eadBytes = EadItem.encode(Steps.outgoingEad(config.ead(), 2, ead2));
        byte[] context2 = CborWriter.sequence(ConnectionIdCodec.encode(cR), idCredR.encodedMap(), CborWriter.bstr(th2), credR, eadBytes);
        mac2 = ks.mac2(prk3e2m, context2, method.responderSigns());
        byte[] signatureOrMac2;
        if (method.responderSigns()) {
          byte[] toBeSigned = ks.traced("Message to be signed 2",
              KeySchedule.sigStructure(idCredR.encodedMap(), CborWriter.sequence(CborWriter.bstr(th2), credR, eadBytes), mac2));
          try {
            signatureOrMac2 = ks.signer.sign(own.privateKey(), toBeSigned);
          } catch (CryptoException e) {
            throw Steps.internal("signing failed", e);
          }
        } else {
          signatureOrMac2 = mac2.clone();
        }
        ks.traced("Signature_or_MAC_2", signatureOrMac2);
        plaintext2 = ks.traced(
            "PLAINTEXT_2", CborWriter.sequence(ConnectionIdCodec.encode(cR), idCredR.plaintextEncoding(), CborWriter.bstr(signatureOrMac2), eadBytes));
        keystream2 = ks.keystream2(prk2e, th2, plaintext2.length);
        byte[] ciphertext2 = ks.traced("CIPHERTEXT_2", KeySchedule.xor(plaintext2, keystream2));
        byte[] gYciphertext2 = new byte[gY.length + ciphertext2.length];
        System.arraycopy(gY, 0, gYciphertext2, 0, gY.length);
        System.arraycopy(ciphertext2, 0, gYciphertext2, gY.length, ciphertext2.length);
        byte[] message2 = ks.traced("message_2", CborWriter.bstr(gYciphertext2));
        byte[] th3 = ks.th3(th2, plaintext2, credR);
        ok = true;
        return new AwaitingMessage3(config, ks, method, cI, cR, message2, th3, prk3e2m, y);
      } finally {
        Secrets.wipe(gXY, prk2e, salt3e2m, gRX, mac2, plaintext2, keystream2);
        if (!ok) {
          Secrets.wipe(prk3e2m);
          y.destroy();
        }
      }
    }
  }

  /**
   * Restores a state saved with {@link AwaitingMessage3#export()}. The bytes hold secrets: keep
   * them only in memory or under encryption.
   */
  public static AwaitingMessage3 resume(EdhocConfig config, byte[] exported) {
    try {
      CborReader r = new CborReader(exported);
      if (r.readArrayHeader() != 9 || r.readInt() != 1) {
        throw new IllegalArgumentException("not an exported EDHOC responder state (version 1)");
      }
      Method method = Method.fromId(r.readInt());
      CipherSuite suite = CipherSuite.fromId(r.readInt());
      if (method == null || suite == null) {
        throw new IllegalArgumentException("exported state names an unknown method or suite");
      }
      byte[] cI = r.readBytes();
      byte[] cR = r.readBytes();
      byte[] message2 = r.readBytes();
      byte[] th3 = r.readBytes();
      byte[] prk3e2m = r.readBytes();
      byte[] yd = r.readBytes();
      r.expectEnd("exported state");
      CosePrivateKey y = new CosePrivateKey(suite.dhCurve(), yd, null);
      Secrets.wipe(yd);
      return new AwaitingMessage3(config, new KeySchedule(suite, config), method, cI, cR, message2, th3, prk3e2m, y);
    } catch (CborException e) {
      throw new IllegalArgumentException("malformed exported EDHOC responder state: " + e.getMessage());
    }
  }

  /** message_2 was sent; waiting for message_3 or an error message. */
  public static final class AwaitingMessage3 {
    private final EdhocConfig config;
    private final KeySchedule ks;
    private final Method method;
    private final byte[] cI;
    private final byte[] cR;
    private final byte[] message2;
    private final byte[] th3;
    private final byte[] prk3e2m;
    private final CosePrivateKey y;
    private final Steps.Once once = new Steps.Once();

    AwaitingMessage3(EdhocConfig config, KeySchedule ks, Method method, byte[] cI, byte[] cR, byte[] message2, byte[] th3, byte[] prk3e2m,
        CosePrivateKey y) {
      this.config = config;
      this.ks = ks;
      this.method = method;
      this.cI = cI;
      this.cR = cR;
      this.message2 = message2;
      this.th3 = th3;
      this.prk3e2m = prk3e2m;
      this.y = y;
    }

    public byte[] message2() {
      return message2.clone();
    }

    public byte[] connectionIdR() {
      return cR.clone();
    }

    public byte[] connectionIdI() {
      return cI.clone();
    }

    public Method method() {
      return method;
    }

    public CipherSuite suite() {
      return ks.suite;
    }

    /**
     * The state as bytes for a session store; this object stays usable. Contains PRK_3e2m and the
     * ephemeral private key: never log or persist it unencrypted.
     */
    public byte[] export() {
      byte[] yd = y.exportSecret();
      try {
        // sized exactly and finished: the caller gets the writer's array, the one copy of these
        // secrets (a larger buffer and a copy of it would leave one behind, unwiped)
        int size = 1 + CborWriter.headLength(1) + CborWriter.headLength(method.id()) + CborWriter.headLength(ks.suite.id())
            + bstrLength(cI) + bstrLength(cR) + bstrLength(message2) + bstrLength(th3) + bstrLength(prk3e2m) + bstrLength(yd);
        return new CborWriter(size)
            .writeArrayHeader(9)
            .writeInt(1)
            .writeInt(method.id())
            .writeInt(ks.suite.id())
            .writeBytes(cI)
            .writeBytes(cR)
            .writeBytes(message2)
            .writeBytes(th3)
            .writeBytes(prk3e2m)
            .writeBytes(yd)
            .finish();
      } finally {
        Secrets.wipe(yd);
      }
    }

    /** Drops the state without processing a message (expiry, eviction). */
    public void abandon() {
      once.use("abandon/readMessage3");
      Secrets.wipe(prk3e2m);
      y.destroy();
    }

    /** Processes message_3 (section 5.4.3) and authenticates the Initiator. */
    public Message3Verified readMessage3(byte[] message3) throws EdhocException {
      once.use("abandon/readMessage3");
      if (method.isPsk()) {
        try {
          return Method4.readMessage3(config, ks, method, cI, cR, th3, prk3e2m, message3);
        } finally {
          y.destroy();
        }
      }
      byte[] k3 = null;
      byte[] iv3 = null;
      byte[] plaintext3 = null;
      byte[] salt4e3m = null;
      byte[] gIY = null;
      byte[] prk4e3m = null;
      byte[] mac3 = null;
      boolean ok = false;
      try {
        byte[] ciphertext3 = Steps.readBstrMessage(message3, "message_3");
        k3 = ks.k3(prk3e2m, th3);
        iv3 = ks.iv3(prk3e2m, th3);
        plaintext3 = ks.traced("PLAINTEXT_3", Steps.decrypt0(ks, "A_3", k3, iv3, th3, ciphertext3, "message_3"));
        IdCred idCredI;
        byte[] signatureOrMac3;
        byte[] ead3Bytes;
        List<EadItem> ead3Raw;
        try {
          CborReader r = new CborReader(plaintext3);
          idCredI = IdCred.readFromPlaintext(r);
          signatureOrMac3 = r.readBytes();
          int expected = Plaintext2.signatureOrMacLength(method.initiatorSigns(), ks.suite);
          if (signatureOrMac3.length != expected) {
            throw new CborException("Signature_or_MAC_3 has " + signatureOrMac3.length + " bytes, " + method + " " + ks.suite + " needs " + expected);
          }
          int eadStart = r.position();
          ead3Raw = EadItem.readAll(r);
          ead3Bytes = Arrays.copyOfRange(plaintext3, eadStart, plaintext3.length);
        } catch (CborException e) {
          throw Steps.malformed("message_3", e);
        }
        Credential credI = Steps.resolvePeer(config, idCredI, method.initiatorSigns(), ks.suite);
        // SALT_4e3m only where PRK_4e3m is extracted with it (static DH); a signing Initiator's PRK_4e3m is PRK_3e2m
        if (method.initiatorSigns()) {
          prk4e3m = ks.traced("PRK_4e3m", prk3e2m.clone());
        } else {
          salt4e3m = ks.salt4e3m(prk3e2m, th3);
          gIY = Steps.dh(ks, y, credI.publicKey().x(), "G_IY");
          prk4e3m = ks.prk4e3m(salt4e3m, gIY);
        }
        byte[] credIBytes = credI.cred();
        byte[] context3 = CborWriter.sequence(idCredI.encodedMap(), CborWriter.bstr(th3), credIBytes, ead3Bytes);
        mac3 = ks.mac3(prk4e3m, context3, method.initiatorSigns());
        boolean verified;
        if (method.initiatorSigns()) {
          byte[] toBeSigned = ks.traced("Message to be signed 3",
              KeySchedule.sigStructure(idCredI.encodedMap(), CborWriter.sequence(CborWriter.bstr(th3), credIBytes, ead3Bytes), mac3));
          verified = ks.signer.verify(credI.publicKey(), toBeSigned, signatureOrMac3);
        } else {
          verified = signatureOrMac3.length == mac3.length && Secrets.equal(mac3, signatureOrMac3);
        }
        if (!verified) {
          throw Steps.fail(Failure.AUTHENTICATION_FAILED, "Authentication failed", "Signature_or_MAC_3 did not verify");
        }
        List<EadItem> ead3 = Steps.checkEad(ead3Raw, config.ead());
        Steps.consumeEad(config.ead(), 3, ead3);
        byte[] th4 = ks.th4(th3, plaintext3, credIBytes);
        byte[] prkOut = ks.prkOut(prk4e3m, th4);
        ok = true;
        Message3Verified v = new Message3Verified(config, ks, method, cI, cR, credI, ead3, prk4e3m, th4, prkOut);
        OwnCredential own = config.credentialFor(Role.RESPONDER, method, ks.suite);
        if (own != null) {
          v.credentials = new SessionCredentials(idCredI, own.idCredToSend(), credIBytes, own.credential().cred(), null);
        }
        return v;
      } finally {
        Secrets.wipe(k3, iv3, plaintext3, salt4e3m, gIY, mac3, prk3e2m);
        y.destroy();
        if (!ok) {
          Secrets.wipe(prk4e3m);
        }
      }
    }
  }

  /** message_3 verified: the Initiator is authenticated. Complete, or send message_4 first. */
  public static final class Message3Verified {
    private final EdhocConfig config;
    private final KeySchedule ks;
    private final Method method;
    private final byte[] cI;
    private final byte[] cR;
    private final Credential credI;
    private final List<EadItem> ead3;
    private final byte[] prk4e3m;
    private final byte[] th4;
    private final byte[] prkOut;
    private final Steps.Once once = new Steps.Once();
    SessionCredentials credentials;

    Message3Verified(EdhocConfig config, KeySchedule ks, Method method, byte[] cI, byte[] cR, Credential credI, List<EadItem> ead3, byte[] prk4e3m,
        byte[] th4, byte[] prkOut) {
      this.config = config;
      this.ks = ks;
      this.method = method;
      this.cI = cI;
      this.cR = cR;
      this.credI = credI;
      this.ead3 = ead3;
      this.prk4e3m = prk4e3m;
      this.th4 = th4;
      this.prkOut = prkOut;
    }

    /** The Initiator's credential; null for method 4 (see {@link #pskCredential()}). */
    public Credential peerCredential() {
      return credI;
    }

    /** Method 4: the PSK entry whose key decrypted CIPHERTEXT_3B; null otherwise. */
    public io.edhoc.credentials.PskCredential pskCredential() {
      return credentials == null ? null : credentials.psk;
    }

    /** EAD_3 as received, padding removed. */
    public List<EadItem> ead3() {
      return ead3;
    }

    /** The session without message_4. */
    public EdhocSession complete() {
      once.use("complete/writeMessage4");
      Secrets.wipe(prk4e3m);
      return new EdhocSession(Role.RESPONDER, method, ks, cI, cR, credI, credentials, prkOut);
    }

    public Completed writeMessage4() throws EdhocException {
      return writeMessage4(List.of());
    }

    /** Composes message_4 (section 5.5.2). */
    public Completed writeMessage4(List<EadItem> ead4) throws EdhocException {
      once.use("complete/writeMessage4");
      byte[] k4 = null;
      byte[] iv4 = null;
      boolean ok = false;
      try {
        byte[] plaintext4 = ks.traced("PLAINTEXT_4", EadItem.encode(Steps.outgoingEad(config.ead(), 4, ead4)));
        k4 = ks.k4(prk4e3m, th4);
        iv4 = ks.iv4(prk4e3m, th4);
        byte[] ciphertext4 = ks.traced("CIPHERTEXT_4", Steps.encrypt0(ks, "A_4", k4, iv4, th4, plaintext4));
        byte[] message4 = ks.traced("message_4", CborWriter.bstr(ciphertext4));
        ok = true;
        return new Completed(message4, new EdhocSession(Role.RESPONDER, method, ks, cI, cR, credI, credentials, prkOut));
      } finally {
        Secrets.wipe(k4, iv4, prk4e3m);
        if (!ok) {
          Secrets.wipe(prkOut);
        }
      }
    }
  }

  /** message_4 composed; the session is established. */
  public static final class Completed {
    private final byte[] message4;
    private final EdhocSession session;

    Completed(byte[] message4, EdhocSession session) {
      this.message4 = message4;
      this.session = session;
    }

    public byte[] message4() {
      return message4.clone();
    }

    public EdhocSession session() {
      return session;
    }
  }

  private static int bstrLength(byte[] b) {
    return CborWriter.headLength(b.length) + b.length;
  }
}
