package io.edhoc;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.crypto.DefaultCrypto;
import java.security.SecureRandom;
import java.util.List;

/** Keys, credentials and endpoint pairs for the core's tests. */
final class Fixture {
  static final SecureRandom RANDOM = new SecureRandom();
  static final byte[] EMPTY = new byte[0];

  private Fixture() {}

  /** A fresh private key on any curve (EC2 keys serve both ECDH and ECDSA). */
  static CosePrivateKey key(CoseCurve curve) {
    if (curve.use().agrees()) {
      return DefaultCrypto.get().keyExchange(curve).generate(RANDOM);
    }
    byte[] seed = new byte[curve.coordinateLength()];
    RANDOM.nextBytes(seed);
    byte[] pk = new byte[curve.coordinateLength()];
    if (curve == CoseCurve.ED25519) {
      org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pk, 0);
    } else {
      org.bouncycastle.math.ec.rfc8032.Ed448.generatePublicKey(seed, 0, pk, 0);
    }
    return new CosePrivateKey(curve, seed, new CosePublicKey(curve, pk, null));
  }

  /** A CCS credential with a fresh key, sent by kid. */
  static OwnCredential ccs(CoseCurve curve, String sub, byte[] kid) {
    CosePrivateKey k = key(curve);
    return OwnCredential.byReference(CcsCredential.create(sub, k.publicKey(), kid, null, null), k);
  }

  /** Initiator and responder credentials (CCS, kid 0x0a / 0x0b) for a method and suite, and builders that know each other. */
  static final class Pair {
    final Method method;
    final CipherSuite suite;
    final OwnCredential credI;
    final OwnCredential credR;
    final InMemoryCredentialStore initiatorPeers = new InMemoryCredentialStore();
    final InMemoryCredentialStore responderPeers = new InMemoryCredentialStore();

    Pair(Method method, CipherSuite suite) {
      this.method = method;
      this.suite = suite;
      credI = ccs(method.initiatorSigns() ? suite.signatureCurve() : suite.dhCurve(), "initiator", new byte[] {0x0a});
      credR = ccs(method.responderSigns() ? suite.signatureCurve() : suite.dhCurve(), "responder", new byte[] {0x0b});
      initiatorPeers.add(credR.credential());
      responderPeers.add(credI.credential());
    }

    EdhocConfig.Builder initiator() {
      return EdhocConfig.builder().suites(suite).methods(method).credential(credI).peers(initiatorPeers);
    }

    EdhocConfig.Builder responder() {
      return EdhocConfig.builder().suites(suite).methods(method).credential(credR).peers(responderPeers);
    }
  }

  /** Both sessions of a completed handshake, and its messages. */
  static final class Done {
    EdhocSession initiator;
    EdhocSession responder;
    byte[] m1;
    byte[] m2;
    byte[] m3;
    byte[] m4;
    Responder.Message1Received r1;
    Initiator.Message2Verified v2;
    Responder.Message3Verified r3;
  }

  /** A full handshake with message_4, no EAD from the caller. */
  static Done handshake(EdhocConfig ic, EdhocConfig rc) throws EdhocException {
    return handshake(Edhoc.initiator(ic), rc, List.of(), List.of(), List.of(), List.of());
  }

  static Done handshake(Initiator i, EdhocConfig rc, List<EadItem> ead1, List<EadItem> ead2, List<EadItem> ead3, List<EadItem> ead4)
      throws EdhocException {
    Done d = new Done();
    Initiator.AwaitingMessage2 w2 = i.writeMessage1(ead1);
    d.m1 = w2.message1();
    d.r1 = Edhoc.responder(rc).readMessage1(d.m1);
    Responder.AwaitingMessage3 w3 = d.r1.writeMessage2(ead2);
    d.m2 = w3.message2();
    d.v2 = w2.readMessage2(d.m2);
    Initiator.AwaitingMessage4 w4 = d.v2.writeMessage3(ead3);
    d.m3 = w4.message3();
    d.r3 = w3.readMessage3(d.m3);
    Responder.Completed c = d.r3.writeMessage4(ead4);
    d.m4 = c.message4();
    d.responder = c.session();
    d.initiator = w4.readMessage4(d.m4);
    return d;
  }

  /** Both sessions export the same keys. */
  static boolean agree(EdhocSession a, EdhocSession b) {
    return java.util.Arrays.equals(a.exporter(0, EMPTY, 16), b.exporter(0, EMPTY, 16))
        && java.util.Arrays.equals(a.exporter(1, EMPTY, 8), b.exporter(1, EMPTY, 8));
  }
}
