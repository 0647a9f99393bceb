package io.edhoc.psk;

import static io.edhoc.psk.PskFixture.EMPTY;
import static io.edhoc.psk.PskFixture.entry;
import static io.edhoc.psk.PskFixture.initiator;
import static io.edhoc.psk.PskFixture.responder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.Resumption;
import io.edhoc.ResumptionState;
import io.edhoc.credentials.PskCredential;
import org.junit.jupiter.api.Test;

/**
 * Method 4 authenticates the Responder only with message_4 or an OSCORE response: the Initiator's
 * session without message_4 is provisional and says so.
 */
class ProvisionalSessionTest {
  private static final byte[] KID = {0x10};

  private static Initiator.AwaitingMessage4[] upToMessage3(PskCredential psk, Responder.Message3Verified[] r3) throws Exception {
    EdhocConfig ic = initiator(psk).build();
    EdhocConfig rc = responder(id -> psk).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic, Method.PSK).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    r3[0] = w3.readMessage3(w4.message3());
    return new Initiator.AwaitingMessage4[] {w4};
  }

  @Test
  void completeWithoutMessage4IsRefusedForMethod4() throws Exception {
    Responder.Message3Verified[] r3 = new Responder.Message3Verified[1];
    Initiator.AwaitingMessage4 w4 = upToMessage3(entry(KID), r3)[0];
    assertThrows(IllegalStateException.class, w4::complete);
  }

  @Test
  void combinedRequestGivesAProvisionalSessionUntilTheResponseVerifies() throws Exception {
    Responder.Message3Verified[] r3 = new Responder.Message3Verified[1];
    Initiator.AwaitingMessage4 w4 = upToMessage3(entry(KID), r3)[0];
    EdhocSession provisional = w4.completeWithUnauthenticatedResponder();
    EdhocSession server = r3[0].complete(); // combined request: no message_4

    assertThat(provisional.isResponderAuthenticated()).isFalse();
    assertThat(provisional.toString()).contains("NOT authenticated");
    // the OSCORE keys are available to protect the request and verify the response ...
    assertThat(provisional.exporter(0, EMPTY, 16)).isEqualTo(server.exporter(0, EMPTY, 16));
    // ... but nothing that outlives the exchange is derived from an unauthenticated Responder
    assertThrows(IllegalStateException.class, () -> Resumption.start(provisional));
    assertThrows(IllegalStateException.class, () -> ResumptionState.from(provisional));

    // the application verified the OSCORE response protected with these keys
    provisional.markResponderAuthenticated();
    assertThat(provisional.isResponderAuthenticated()).isTrue();
    Resumption ri = Resumption.start(provisional);
    Resumption rr = Resumption.start(server);
    assertThat(ri.currentState().rKid()).isEqualTo(rr.currentState().rKid());
  }

  @Test
  void message4AuthenticatesTheResponder() throws Exception {
    Responder.Message3Verified[] r3 = new Responder.Message3Verified[1];
    Initiator.AwaitingMessage4 w4 = upToMessage3(entry(KID), r3)[0];
    Responder.Completed done = r3[0].writeMessage4();
    EdhocSession s = w4.readMessage4(done.message4());
    assertThat(s.isResponderAuthenticated()).isTrue();
    assertThat(done.session().isResponderAuthenticated()).isTrue();
  }

  @Test
  void aProvisionalSessionCannotBeTakenTwice() throws Exception {
    Responder.Message3Verified[] r3 = new Responder.Message3Verified[1];
    Initiator.AwaitingMessage4 w4 = upToMessage3(entry(KID), r3)[0];
    w4.completeWithUnauthenticatedResponder();
    Responder.Completed done = r3[0].writeMessage4();
    assertThrows(IllegalStateException.class, () -> w4.readMessage4(done.message4()));
  }

  @Test
  void methodsZeroToThreeAreAuthenticatedWithoutMessage4() throws Exception {
    PskFixture.Run r = PskFixture.method3(PskFixture.dhCredential("i", new byte[] {1}), PskFixture.dhCredential("r", new byte[] {2}));
    assertThat(r.initiator.isResponderAuthenticated()).isTrue();
    assertThat(r.initiator.pskCredential()).isNull();
  }
}
