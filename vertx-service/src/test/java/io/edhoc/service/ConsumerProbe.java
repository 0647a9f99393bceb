package io.edhoc.service;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.CredentialFiles;
import io.edhoc.credentials.CredentialsConfig;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.KeyGenerator;
import io.edhoc.credentials.OwnCredential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

/**
 * Runs inside {@link ConsumerDependenciesTest}'s restricted class loader: uses only edhoc-core and
 * edhoc-credentials, as a library user who runs handshakes does. Must not reference service classes.
 */
public final class ConsumerProbe {
  private ConsumerProbe() {}

  public static String handshake(Path dir) throws Exception {
    SecureRandom rnd = new SecureRandom();
    CosePrivateKey ki = CoseKeys.generate(CoseCurve.P_256, rnd);
    CosePrivateKey kr = CoseKeys.generate(CoseCurve.P_256, rnd);
    CcsCredential ci = CcsCredential.create("i", ki.publicKey(), new byte[] {1});
    CcsCredential cr = CcsCredential.create("r", kr.publicKey(), new byte[] {2});
    // files too: a CCS and a private key written and read back (PEM, CBOR) need no optional dependency
    CredentialFiles.writeCbor(dir.resolve("r.ccs"), cr.cred());
    CredentialFiles.writePrivateKey(dir.resolve("r.key.pem"), kr);
    CcsCredential crRead = CredentialFiles.readCcs(dir.resolve("r.ccs"));
    CosePrivateKey krRead = CredentialFiles.readPrivateKey(dir.resolve("r.key.pem"));
    EdhocConfig i = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).credential(OwnCredential.byReference(ci, ki))
        .peers(new InMemoryCredentialStore().add(cr)).build();
    EdhocConfig r = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT)
        .credential(OwnCredential.byReference(crRead, krRead)).peers(new InMemoryCredentialStore().add(ci)).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(i).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(r).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    try (EdhocSession si = w4.complete(); EdhocSession sr = w3.readMessage3(w4.message3()).complete()) {
      boolean agree = Arrays.equals(si.exporter(0, new byte[0], 16), sr.exporter(0, new byte[0], 16));
      return "method " + si.method().id() + " suite " + si.suite().id() + " completed, keys " + (agree ? "agree" : "differ")
          + (Files.exists(dir.resolve("r.ccs")) ? "; PEM and CBOR files read" : "");
    }
  }

  public static Object loadConfig(Path dir) throws Exception {
    Path f = dir.resolve("credentials.yaml");
    Files.writeString(f, "own: []\n");
    return CredentialsConfig.load(f);
  }

  public static Object issueCertificate() throws Exception {
    return new KeyGenerator().selfSignedCa(CoseCurve.ED25519, "CN=x", Duration.ofDays(1));
  }
}
