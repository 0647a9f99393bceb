package io.edhoc.crypto;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Run by {@link CryptoChoiceTest} inside a class loader that has everything of the test class path
 * except the Conscrypt jar, as a consumer who excluded the dependency would: the default provider
 * must load, say Bouncy Castle, and complete handshakes on suites 0 and 2.
 */
public final class NoConscryptProbe implements Callable<String> {
  @Override
  public String call() throws Exception {
    DefaultCrypto crypto = DefaultCrypto.get();
    for (CipherSuite s : new CipherSuite[] {CipherSuite.SUITE_0, CipherSuite.SUITE_2}) {
      for (Method m : new Method[] {Method.SIG_SIG, Method.STAT_STAT}) {
        CoseCurve ci = m.initiatorSigns() ? s.signatureCurve() : s.dhCurve();
        CoseCurve cr = m.responderSigns() ? s.signatureCurve() : s.dhCurve();
        CosePrivateKey ki = CryptoChoiceTest.key(crypto, ci);
        CosePrivateKey kr = CryptoChoiceTest.key(crypto, cr);
        CcsCredential credI = CcsCredential.create("i", ki.publicKey(), new byte[] {1}, null, null);
        CcsCredential credR = CcsCredential.create("r", kr.publicKey(), new byte[] {2}, null, null);
        EdhocConfig ic = EdhocConfig.builder().suites(s).methods(m).credential(OwnCredential.byReference(credI, ki))
            .peers(new InMemoryCredentialStore().add(credR)).build();
        EdhocConfig rc = EdhocConfig.builder().suites(s).methods(m).credential(OwnCredential.byReference(credR, kr))
            .peers(new InMemoryCredentialStore().add(credI)).build();
        Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
        Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
        Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
        try (EdhocSession sr = w3.readMessage3(w4.message3()).complete(); EdhocSession si = w4.complete()) {
          if (!Arrays.equals(si.exporter(0, new byte[0], 16), sr.exporter(0, new byte[0], 16))) {
            throw new AssertionError("exporter outputs differ, method " + m + " suite " + s);
          }
        }
      }
    }
    String conscryptRefused;
    try {
      DefaultCrypto.of(CryptoChoice.CONSCRYPT);
      conscryptRefused = "conscrypt accepted";
    } catch (IllegalStateException e) {
      conscryptRefused = e.getMessage();
    }
    return crypto.publicKeyLibrary() + "\n" + crypto.implementations() + "\n" + conscryptRefused;
  }
}
