package io.edhoc.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.edhoc.Edhoc;
import io.edhoc.EdhocException;
import io.edhoc.EdhocSession;
import io.edhoc.ErrorMessage;
import io.edhoc.Initiator;
import io.edhoc.Responder;
import io.edhoc.cbor.CborException;
import io.edhoc.fuzz.Traces.Trace;

/**
 * Each EDHOC message in the role that receives it, with the RFC 9529 trace credentials and real
 * crypto. Inputs start with a selector byte: bit 0 picks the trace (section 2: method 0 / suite 0
 * / X.509; section 3: method 3 / suite 2 / CCS), bit 1 (message_3, message_4) sends the rest as a
 * PLAINTEXT encrypted under the trace's real K_x / IV_x / TH_x instead of as the raw message, so
 * the fuzzer reaches the parsers and checks behind the AEAD. Documented outcome: success or an
 * {@link EdhocException} whose category is not INTERNAL and whose error message parses; a used
 * state must refuse to be used again (IllegalStateException) so that a failure leaves nothing
 * behind.
 */
class MessageFuzzTest {
  /** The responder's state after the trace's message_2, exported once; resumed per input. */
  private static final byte[][] AWAITING_3 = new byte[2][];

  static {
    try {
      for (int i = 0; i < 2; i++) {
        Trace t = Traces.BOTH.get(i);
        Responder.AwaitingMessage3 w3 = Edhoc.responder(t.responder()).readMessage1(t.get("message_1")).writeMessage2();
        AWAITING_3[i] = w3.export();
        w3.abandon();
      }
    } catch (EdhocException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static Responder.AwaitingMessage3 awaiting3(Trace t) {
    return Responder.resume(t.responder(), AWAITING_3[t == Traces.SECTION_2 ? 0 : 1]);
  }

  private static void mustBeSpent(Runnable reuse) {
    try {
      reuse.run();
    } catch (IllegalStateException expected) {
      return;
    }
    throw new AssertionError("a state could be used a second time");
  }

  /** message_1 at a responder that accepts both traces' methods and suites; message_2 is written when it is accepted. */
  @FuzzTest
  void message1(byte[] data) {
    Responder r = Edhoc.responder(Traces.bothResponder().build());
    try {
      Responder.Message1Received r1 = r.readMessage1(data);
      r1.writeMessage2().abandon();
    } catch (EdhocException e) {
      Fuzz.checkFailure(e);
    }
    mustBeSpent(() -> {
      try {
        r.readMessage1(data);
      } catch (EdhocException e) {
        throw new AssertionError(e);
      }
    });
  }

  /** message_2 at the trace's initiator (after its message_1); message_3 is written when it verifies. */
  @FuzzTest
  void message2(byte[] data) throws EdhocException {
    if (data.length == 0) {
      return;
    }
    Trace t = Traces.select(data[0]);
    Initiator.AwaitingMessage2 w2 = t.initiator().writeMessage1();
    try {
      w2.readMessage2(Fuzz.rest(data)).writeMessage3().complete().close();
    } catch (EdhocException e) {
      Fuzz.checkFailure(e);
    }
    mustBeSpent(() -> {
      try {
        w2.readMessage2(t.get("message_2"));
      } catch (EdhocException e) {
        throw new AssertionError(e);
      }
    });
  }

  /** message_3 (raw, or PLAINTEXT_3 under the real K_3) at the trace's responder; message_4 is written when it verifies. */
  @FuzzTest
  void message3(byte[] data) {
    if (data.length == 0) {
      return;
    }
    Trace t = Traces.select(data[0]);
    byte[] m3 = (data[0] & 2) == 0 ? Fuzz.rest(data)
        : Fuzz.bstr(Fuzz.encrypt0(t.get("K_3"), t.get("IV_3"), t.get("TH_3"), Fuzz.rest(data)));
    Responder.AwaitingMessage3 w3 = awaiting3(t);
    try {
      Responder.Completed c = w3.readMessage3(m3).writeMessage4();
      c.session().close();
    } catch (EdhocException e) {
      Fuzz.checkFailure(e);
    }
    mustBeSpent(() -> {
      try {
        w3.readMessage3(t.get("message_3"));
      } catch (EdhocException e) {
        throw new AssertionError(e);
      }
    });
  }

  /** message_4 (raw, or PLAINTEXT_4 under the real K_4) at the trace's initiator after the trace's message_2. */
  @FuzzTest
  void message4(byte[] data) throws EdhocException {
    if (data.length == 0) {
      return;
    }
    Trace t = Traces.select(data[0]);
    byte[] m4 = (data[0] & 2) == 0 ? Fuzz.rest(data)
        : Fuzz.bstr(Fuzz.encrypt0(t.get("K_4"), t.get("IV_4"), t.get("TH_4"), Fuzz.rest(data)));
    Initiator.AwaitingMessage4 w4 = t.initiator().writeMessage1().readMessage2(t.get("message_2")).writeMessage3();
    try (EdhocSession s = w4.readMessage4(m4)) {
      s.exporter(0, new byte[0], 16);
    } catch (EdhocException e) {
      Fuzz.checkFailure(e);
    }
    mustBeSpent(() -> {
      try {
        w4.readMessage4(t.get("message_4"));
      } catch (EdhocException e) {
        throw new AssertionError(e);
      }
    });
  }

  /**
   * An error message where the initiator expects message_2 (bit 1 clear) or the responder expects
   * message_3 (bit 1 set). Whatever parses as an error message must end the handshake as a peer
   * error, with no error message sent back (RFC 9528 section 6).
   */
  @FuzzTest
  void errorMessage(byte[] data) throws EdhocException {
    if (data.length == 0) {
      return;
    }
    Trace t = Traces.select(data[0]);
    byte[] body = Fuzz.rest(data);
    boolean parses;
    try {
      ErrorMessage.parse(body);
      parses = true;
    } catch (CborException e) {
      parses = false;
    }
    try {
      if ((data[0] & 2) == 0) {
        t.initiator().writeMessage1().readMessage2(body);
      } else {
        awaiting3(t).readMessage3(body);
      }
      if (ErrorMessage.isErrorMessage(body)) {
        throw new AssertionError("an error message was accepted as a handshake message");
      }
    } catch (EdhocException e) {
      Fuzz.checkFailure(e);
      if (parses && e.failure() != io.edhoc.Failure.PEER_ERROR) {
        throw new AssertionError("a well-formed error message failed as " + e.failure());
      }
      if (e.failure() == io.edhoc.Failure.PEER_ERROR && e.hasErrorMessage()) {
        throw new AssertionError("an error message is answered with an error message");
      }
    }
  }
}
