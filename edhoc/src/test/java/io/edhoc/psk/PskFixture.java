package io.edhoc.psk;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.PskCredential;
import io.edhoc.crypto.DefaultCrypto;
import java.security.SecureRandom;

/** PSK entries, configurations and full method 4 handshakes for the PSK tests. */
final class PskFixture {
  static final SecureRandom RANDOM = new SecureRandom();
  static final byte[] EMPTY = new byte[0];

  private PskFixture() {}

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** A PSK entry as in the draft's vectors: CCS with sub and a symmetric COSE_Key {1: 4, 2: kid, -1: psk}. */
  static PskCredential entry(byte[] kid, byte[] psk) {
    try {
      return PskCredential.of(IdCred.kid(kid), psk, PskCredential.ccs("initiator", kid, psk), PskCredential.ccs("responder", kid, psk));
    } catch (CredentialException e) {
      throw new IllegalStateException(e);
    }
  }

  static PskCredential entry(byte[] kid) {
    return entry(kid, random(16));
  }

  static EdhocConfig.Builder initiator(PskCredential psk) {
    return EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.PSK).psk(psk);
  }

  static EdhocConfig.Builder responder(io.edhoc.credentials.PskResolver resolver) {
    return EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.PSK).pskResolver(resolver);
  }

  /** Both sides of one handshake, run up to the step that fails or to message_4. */
  static final class Run {
    byte[] m1;
    byte[] m2;
    byte[] m3;
    byte[] m4;
    Initiator.AwaitingMessage4 w4;
    Responder.Message3Verified r3;
    EdhocSession initiator;
    EdhocSession responder;
  }

  /** message_1 to message_3; the Responder processes message_3 (may throw). */
  static Run toMessage3(EdhocConfig ic, Initiator start, EdhocConfig rc) throws EdhocException {
    Run r = new Run();
    Initiator.AwaitingMessage2 w2 = start.writeMessage1();
    r.m1 = w2.message1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(r.m1).writeMessage2();
    r.m2 = w3.message2();
    r.w4 = w2.readMessage2(r.m2).writeMessage3();
    r.m3 = r.w4.message3();
    r.r3 = w3.readMessage3(r.m3);
    return r;
  }

  /** A full method 4 handshake with message_4. */
  static Run handshake(EdhocConfig ic, Initiator start, EdhocConfig rc) throws EdhocException {
    Run r = toMessage3(ic, start, rc);
    Responder.Completed done = r.r3.writeMessage4();
    r.m4 = done.message4();
    r.responder = done.session();
    r.initiator = r.w4.readMessage4(r.m4);
    return r;
  }

  static Run handshake(EdhocConfig ic, EdhocConfig rc) throws EdhocException {
    return handshake(ic, Edhoc.initiator(ic, Method.PSK), rc);
  }

  /** A static DH CCS credential on P-256 (method 3, suite 2). */
  static OwnCredential dhCredential(String sub, byte[] kid) {
    CosePrivateKey k = DefaultCrypto.get().keyExchange(CoseCurve.P_256).generate(RANDOM);
    return OwnCredential.byReference(CcsCredential.create(sub, k.publicKey(), kid, null, null), k);
  }

  /** A method 3 (static DH) handshake with message_4 between two fresh CCS credentials: the original session of a resumption chain. */
  static Run method3(OwnCredential credI, OwnCredential credR) throws EdhocException {
    EdhocConfig ic = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).credential(credI)
        .peers(new InMemoryCredentialStore().add(credR.credential())).build();
    EdhocConfig rc = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).credential(credR)
        .peers(new InMemoryCredentialStore().add(credI.credential())).build();
    Run r = new Run();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    Responder.Completed done = w3.readMessage3(w4.message3()).writeMessage4();
    r.responder = done.session();
    r.initiator = w4.readMessage4(done.message4());
    return r;
  }
}
