package io.edhoc.leshan;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.CredentialUsage;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.JcaKeys;
import io.edhoc.credentials.KeyGenerator;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.X509Credential;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** Each mapping on the Responder's session of a real (in-memory) handshake, method 0, suite 2. */
class EndpointNameMapperTest {
  private static final KeyGenerator KEYS = new KeyGenerator();
  private final KeyGenerator.CcsKeyPair server = KEYS.ccs(CoseCurve.P_256, "lwm2m-server", new byte[] {0x32});

  @Test
  void ccsSubjectAndKidTable() throws Exception {
    KeyGenerator.CcsKeyPair client = KEYS.ccs(CoseCurve.P_256, "urn:dev:ccs", new byte[] {0x2b});
    try (EdhocSession s = responderSession(client.byReference(), client.ccs())) {
      assertThat(EndpointNameMapper.ccsSubject().endpointName(s)).isEqualTo("urn:dev:ccs");
      assertThat(EndpointNameMapper.x509CommonName().endpointName(s)).isNull();
      assertThat(EndpointNameMapper.kidTable(Map.of("2b", "urn:dev:by-kid")).endpointName(s)).isEqualTo("urn:dev:by-kid");
      assertThat(EndpointNameMapper.kidTable(Map.of("2c", "urn:dev:other")).endpointName(s)).isNull();
      assertThat(EndpointNameMapper.firstOf(EndpointNameMapper.x509CommonName(), EndpointNameMapper.ccsSubject()).endpointName(s))
          .isEqualTo("urn:dev:ccs");
    }
  }

  @Test
  void x509CommonName() throws Exception {
    KeyGenerator.Ca ca = KEYS.selfSignedCa(CoseCurve.P_256, "CN=Test CA", Duration.ofDays(1));
    KeyGenerator.Leaf leaf = KEYS.leaf(ca, CoseCurve.P_256, "O=Example,CN=urn:dev:x509", CredentialUsage.ANY, Duration.ofDays(1));
    try (EdhocSession s = responderSession(OwnCredential.byReference(leaf.credential(), leaf.privateKey()), leaf.credential())) {
      assertThat(EndpointNameMapper.x509CommonName().endpointName(s)).isEqualTo("urn:dev:x509");
      assertThat(EndpointNameMapper.ccsSubject().endpointName(s)).isNull();
      assertThat(EndpointNameMapper.x509SubjectAltName().endpointName(s)).as("no SAN in this certificate").isNull();
    }
  }

  @Test
  void x509SubjectAltNameUri() throws Exception {
    CosePrivateKey key = KEYS.keyPair(CoseCurve.P_256);
    X509v3CertificateBuilder b = new X509v3CertificateBuilder(new X500Name("CN=device"), BigInteger.TEN, Date.from(Instant.now().minusSeconds(60)),
        Date.from(Instant.now().plusSeconds(3600)), new X500Name("CN=device"), JcaKeys.toSpki(key.publicKey()));
    b.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "urn:imei:490154203237518")));
    byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(JcaKeys.BC).build(JcaKeys.toJca(key))).getEncoded();
    X509Credential cert = X509Credential.parse(der);
    try (EdhocSession s = responderSession(OwnCredential.byReference(cert, key), cert)) {
      assertThat(EndpointNameMapper.x509SubjectAltName().endpointName(s)).isEqualTo("urn:imei:490154203237518");
      assertThat(EndpointNameMapper.x509CommonName().endpointName(s)).isEqualTo("device");
    }
  }

  @Test
  void method4UsesTheInitiatorsCcsInThePskEntryOrItsKid() throws Exception {
    byte[] key = new byte[16];
    new java.security.SecureRandom().nextBytes(key);
    byte[] kid = {0x11};
    io.edhoc.credentials.PskCredential entry = io.edhoc.credentials.PskCredential.of(io.edhoc.credentials.IdCred.kid(kid), key,
        io.edhoc.credentials.PskCredential.ccs("urn:dev:psk", kid, key), io.edhoc.credentials.PskCredential.ccs("lwm2m-server", kid, key));
    EdhocConfig cfg = EdhocConfig.builder().methods(Method.PSK).suites(CipherSuite.SUITE_2).psk(entry).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(cfg).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    Responder.Completed done = w3.readMessage3(w4.message3()).writeMessage4();
    w4.readMessage4(done.message4()).close();
    try (EdhocSession s = done.session()) {
      assertThat(s.peerCredential()).isNull();
      assertThat(EndpointNameMapper.ccsSubject().endpointName(s)).isEqualTo("urn:dev:psk");
      assertThat(EndpointNameMapper.kidTable(Map.of("11", "urn:dev:psk-kid")).endpointName(s)).isEqualTo("urn:dev:psk-kid");
      assertThat(EndpointNameMapper.x509CommonName().endpointName(s)).isNull();
    }
  }

  private EdhocSession responderSession(OwnCredential client, Credential clientCredential) throws Exception {
    EdhocConfig i = EdhocConfig.builder().methods(Method.SIG_SIG).suites(CipherSuite.SUITE_2).credential(client)
        .peers(new InMemoryCredentialStore().add(server.ccs())).build();
    EdhocConfig r = EdhocConfig.builder().methods(Method.SIG_SIG).suites(CipherSuite.SUITE_2).credential(server.byReference())
        .peers(new InMemoryCredentialStore().add(clientCredential)).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(i).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(r).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    w4.complete().close();
    return w3.readMessage3(w4.message3()).complete();
  }
}
