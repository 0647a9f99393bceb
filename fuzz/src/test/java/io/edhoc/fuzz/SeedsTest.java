package io.edhoc.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.Edhoc;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Responder;
import io.edhoc.fuzz.Traces.Trace;
import io.edhoc.oscore.ResponderEngine;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fixtures the fuzz targets start from are genuine: each trace's printed messages complete
 * the handshake in the target's set-up, and a PLAINTEXT_3/4 encrypted by the targets' own
 * COSE_Encrypt0 gives the printed message_3/4. Without this, mutations would start from inputs
 * that already fail at the first check.
 */
class SeedsTest {
  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void traceMessagesCompleteInTheTargetsSetUp(int which) throws Exception {
    Trace t = Traces.BOTH.get(which);
    Initiator.AwaitingMessage2 w2 = t.initiator().writeMessage1();
    assertThat(w2.message1()).isEqualTo(t.get("message_1"));
    Responder.AwaitingMessage3 w3 = Edhoc.responder(t.responder()).readMessage1(t.get("message_1")).writeMessage2();
    assertThat(w3.message2()).isEqualTo(t.get("message_2"));
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(t.get("message_2")).writeMessage3();
    assertThat(w4.message3()).isEqualTo(t.get("message_3"));
    Responder.Completed c = w3.readMessage3(t.get("message_3")).writeMessage4();
    assertThat(c.message4()).isEqualTo(t.get("message_4"));
    try (EdhocSession s = w4.readMessage4(t.get("message_4")); EdhocSession r = c.session()) {
      assertThat(s.exporter(0, new byte[0], 16)).isEqualTo(r.exporter(0, new byte[0], 16));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void encrypt0OfThePlaintextsGivesThePrintedMessages(int which) {
    Trace t = Traces.BOTH.get(which);
    assertThat(Fuzz.bstr(Fuzz.encrypt0(t.get("K_3"), t.get("IV_3"), t.get("TH_3"), t.get("PLAINTEXT_3")))).isEqualTo(t.get("message_3"));
    assertThat(Fuzz.bstr(Fuzz.encrypt0(t.get("K_4"), t.get("IV_4"), t.get("TH_4"), t.get("PLAINTEXT_4")))).isEqualTo(t.get("message_4"));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void engineSeedCompletes(int which) {
    Trace t = Traces.BOTH.get(which);
    ResponderEngine engine = ResponderEngine.builder(t.responder()).message4(true).connectionIdAllocator(p -> t.cR.clone()).build();
    ResponderEngine.Result r2 = engine.handle(Traces.concat(new byte[] {(byte) 0xf5}, t.get("message_1")));
    assertThat(r2.body()).isEqualTo(t.get("message_2"));
    byte[] cR = io.edhoc.credentials.ConnectionIdCodec.encode(t.cR);
    ResponderEngine.Result r3 = engine.handle(Traces.concat(cR, t.get("message_3")));
    assertThat(r3.completed()).as(r3.toString()).isTrue();
    assertThat(Arrays.equals(r3.body(), t.get("message_4"))).isTrue();
    assertThat(engine.pendingSessions()).isZero();
    r3.session().close();
  }
}
