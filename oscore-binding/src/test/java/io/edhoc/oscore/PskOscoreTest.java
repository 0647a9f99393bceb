package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.ErrorMessage;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.Resumption;
import io.edhoc.cbor.CborReader;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.PskCredential;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** A method 4 (PSK) session gives a working OSCORE context through the binding (RFC 9528 A.1, draft-ietf-lake-edhoc-psk section 8). */
class PskOscoreTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] TRUE = {(byte) 0xf5};
  private static final byte[] KID = {0x10};

  private static PskCredential entry(byte[] kid) throws Exception {
    byte[] psk = new byte[16];
    RANDOM.nextBytes(psk);
    return PskCredential.of(IdCred.kid(kid), psk, PskCredential.ccs("client", kid, psk), PskCredential.ccs("server", kid, psk));
  }

  private static byte[] cat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static EdhocConfig client(PskCredential psk) {
    return EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.PSK).psk(psk).build();
  }

  private static EdhocConfig server(PskCredential psk) {
    return EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.PSK).pskResolver(id -> id.equals(psk.idCredPsk()) ? psk : null).build();
  }

  private static long errCode(byte[] errorMessage) throws Exception {
    return new CborReader(errorMessage).readInt();
  }

  @Test
  void pskSessionThroughTheResponderEngineGivesMatchingOscoreContexts() throws Exception {
    PskCredential psk = entry(KID);
    ResponderEngine engine = ResponderEngine.builder(server(psk)).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(client(psk), Method.PSK).writeMessage1();
    ResponderEngine.Result r1 = engine.handle(cat(TRUE, w2.message1()));
    Initiator.Message2Verified v2 = w2.readMessage2(r1.body());
    Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
    ResponderEngine.Result r3 = engine.handle(cat(ConnectionIdCodec.encode(v2.connectionIdR()), w4.message3()));
    assertThat(r3.completed()).isTrue();
    // method 4: the engine sends message_4, which authenticates the server to the client
    EdhocSession clientSession = w4.readMessage4(r3.body());
    assertThat(clientSession.isResponderAuthenticated()).isTrue();
    assertThat(r3.session().method()).isEqualTo(Method.PSK);

    OscoreContext c = OscoreContext.fromEdhoc(clientSession);
    OscoreContext s = r3.oscoreContext();
    assertThat(s).isNotNull();
    assertThat(c.peerView()).isEqualTo(s);
    assertThat(c.senderId()).isEqualTo(v2.connectionIdR());
    assertThat(c.senderKey()).isEqualTo(s.recipientKey());
    assertThat(c.recipientKey()).isEqualTo(s.senderKey());
    assertThat(c.commonIv()).isEqualTo(s.commonIv());
  }

  @Test
  void wrongPskAndUnknownIdCredPskAreAnsweredWithErrorMessages() throws Exception {
    PskCredential serverPsk = entry(KID);
    ResponderEngine engine = ResponderEngine.builder(server(serverPsk)).build();
    for (PskCredential clientPsk : new PskCredential[] {entry(KID), entry(new byte[] {0x11})}) {
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(client(clientPsk), Method.PSK).writeMessage1();
      Initiator.Message2Verified v2 = w2.readMessage2(engine.handle(cat(TRUE, w2.message1())).body());
      Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
      ResponderEngine.Result r3 = engine.handle(cat(ConnectionIdCodec.encode(v2.connectionIdR()), w4.message3()));
      assertThat(r3.completed()).isFalse();
      assertThat(r3.isErrorMessage()).isTrue();
      boolean sameKid = clientPsk.idCredPsk().equals(serverPsk.idCredPsk());
      assertThat(errCode(r3.body())).isEqualTo(sameKid ? ErrorMessage.UNSPECIFIED : ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED);
    }
  }

  @Test
  void combinedRequestClientContextIsProvisionalUntilTheResponseVerifies() throws Exception {
    PskCredential psk = entry(KID);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(client(psk), Method.PSK).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(server(psk)).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    EdhocSession serverSession = w3.readMessage3(w4.message3()).complete();
    EdhocSession provisional = w4.completeWithUnauthenticatedResponder();
    // the client can protect its request and verify the response with these keys ...
    OscoreContext c = OscoreContext.fromEdhoc(provisional);
    assertThat(c.peerView()).isEqualTo(OscoreContext.fromEdhoc(serverSession));
    // ... but the server is not authenticated until such a response has verified
    assertThat(provisional.isResponderAuthenticated()).isFalse();
    provisional.markResponderAuthenticated();
    assertThat(provisional.isResponderAuthenticated()).isTrue();
    assertThat(Resumption.start(provisional).current().idCredPsk()).isEqualTo(Resumption.start(serverSession).current().idCredPsk());
  }
}
