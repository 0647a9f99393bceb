package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFC 9528 section 3.8: critical and non-critical EAD items, padding, and the application hook for EAD_1..EAD_4. */
class EadTest {
  private final Fixture.Pair pair = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Understands labels 5 and 7, produces the items given per message, records what it consumes. */
  static final class Recorder implements EadHandler {
    final Map<Integer, List<EadItem>> produce = new HashMap<>();
    final Map<Integer, List<EadItem>> consumed = new HashMap<>();
    Integer rejectAt;

    @Override
    public Set<Integer> understoodLabels() {
      return Set.of(5, 7);
    }

    @Override
    public List<EadItem> produce(int messageNumber) {
      return produce.getOrDefault(messageNumber, List.of());
    }

    @Override
    public void consume(int messageNumber, List<EadItem> items) throws EadRejectedException {
      consumed.put(messageNumber, new ArrayList<>(items));
      if (rejectAt != null && rejectAt == messageNumber) {
        throw new EadRejectedException("EAD_" + messageNumber + " not acceptable");
      }
    }
  }

  @Test
  void producedItemsArriveAtThePeerForEachOfEad1ToEad4() throws Exception {
    Recorder hi = new Recorder();
    Recorder hr = new Recorder();
    hi.produce.put(1, List.of(new EadItem(5, b("one"))));
    hr.produce.put(2, List.of(new EadItem(-7, b("two"))));
    hi.produce.put(3, List.of(new EadItem(-5, b("three")), new EadItem(7, null)));
    hr.produce.put(4, List.of(new EadItem(5, b("four"))));
    Fixture.Done d = Fixture.handshake(pair.initiator().ead(hi).build(), pair.responder().ead(hr).build());
    assertThat(hr.consumed.get(1)).containsExactly(new EadItem(5, b("one")));
    assertThat(hi.consumed.get(2)).containsExactly(new EadItem(-7, b("two")));
    assertThat(hr.consumed.get(3)).containsExactly(new EadItem(-5, b("three")), new EadItem(7, null));
    assertThat(hi.consumed.get(4)).containsExactly(new EadItem(5, b("four")));
    assertThat(d.r1.ead1()).containsExactly(new EadItem(5, b("one")));
    assertThat(d.v2.ead2()).containsExactly(new EadItem(-7, b("two")));
    assertThat(d.r3.ead3()).hasSize(2);
    assertThat(d.initiator.ead4()).containsExactly(new EadItem(5, b("four")));
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();
  }

  @Test
  void callerItemsAndHandlerItemsAreBothSent() throws Exception {
    Recorder hi = new Recorder();
    Recorder hr = new Recorder();
    hi.produce.put(1, List.of(new EadItem(7, b("handler"))));
    Fixture.Done d = Fixture.handshake(
        Edhoc.initiator(pair.initiator().ead(hi).build()), pair.responder().ead(hr).build(), List.of(new EadItem(5, b("caller"))), List.of(), List.of(),
        List.of());
    assertThat(hr.consumed.get(1)).containsExactly(new EadItem(5, b("caller")), new EadItem(7, b("handler")));
    d.initiator.close();
  }

  @Test
  void unknownCriticalItemAbortsWithAnErrorMessage() throws Exception {
    Recorder hr = new Recorder();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(pair.initiator().build()).writeMessage1(List.of(new EadItem(-9, b("?"))));
    EdhocException e = assertThrows(EdhocException.class, () -> Edhoc.responder(pair.responder().ead(hr).build()).readMessage1(w2.message1()));
    assertThat(e.failure()).isEqualTo(Failure.EAD_REJECTED);
    assertThat(ErrorMessage.parse(e.errorMessage()).code()).isEqualTo(ErrorMessage.UNSPECIFIED);
    assertThat(hr.consumed).as("the handler never sees an unknown critical item").isEmpty();
  }

  @Test
  void unknownCriticalItemInEad3AbortsTheResponder() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(pair.initiator().build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(pair.responder().build()).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3(List.of(new EadItem(-300, null)));
    EdhocException e = assertThrows(EdhocException.class, () -> w3.readMessage3(w4.message3()));
    assertThat(e.failure()).isEqualTo(Failure.EAD_REJECTED);
    assertThat(e.hasErrorMessage()).isTrue();
    assertThrows(EdhocPeerErrorException.class, () -> w4.readMessage4(e.errorMessage()));
  }

  @Test
  void unknownCriticalItemInEad2AndEad4AbortsTheInitiator() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(pair.initiator().build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(pair.responder().build()).readMessage1(w2.message1()).writeMessage2(List.of(new EadItem(-1, null)));
    EdhocException e = assertThrows(EdhocException.class, () -> w2.readMessage2(w3.message2()));
    assertThat(e.failure()).isEqualTo(Failure.EAD_REJECTED);

    Initiator.AwaitingMessage2 x2 = Edhoc.initiator(pair.initiator().build()).writeMessage1();
    Responder.AwaitingMessage3 x3 = Edhoc.responder(pair.responder().build()).readMessage1(x2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 x4 = x2.readMessage2(x3.message2()).writeMessage3();
    byte[] m4 = x3.readMessage3(x4.message3()).writeMessage4(List.of(new EadItem(-2, b("x")))).message4();
    EdhocException e4 = assertThrows(EdhocException.class, () -> x4.readMessage4(m4));
    assertThat(e4.failure()).isEqualTo(Failure.EAD_REJECTED);
  }

  @Test
  void nonCriticalUnknownItemsDoNotAbort() throws Exception {
    Fixture.Done d = Fixture.handshake(
        Edhoc.initiator(pair.initiator().build()), pair.responder().build(), List.of(new EadItem(9, b("x"))), List.of(new EadItem(1000, null)),
        List.of(new EadItem(23, b("y"))), List.of(new EadItem(24, null)));
    assertThat(d.r1.ead1()).containsExactly(new EadItem(9, b("x")));
    assertThat(d.v2.ead2()).containsExactly(new EadItem(1000, null));
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();
  }

  @Test
  void paddingIsDroppedBeforeTheApplicationSeesIt() throws Exception {
    Recorder hi = new Recorder();
    Recorder hr = new Recorder();
    List<EadItem> pad = EadItem.padding(40, Fixture.RANDOM);
    Fixture.Done d = Fixture.handshake(
        Edhoc.initiator(pair.initiator().ead(hi).build()), pair.responder().ead(hr).build(), pad, EadItem.padding(300, Fixture.RANDOM),
        EadItem.padding(1, Fixture.RANDOM), List.of(new EadItem(0, null), new EadItem(5, b("kept"))));
    assertThat(hr.consumed.get(1)).isEmpty();
    assertThat(hi.consumed.get(2)).isEmpty();
    assertThat(hr.consumed.get(3)).isEmpty();
    assertThat(hi.consumed.get(4)).containsExactly(new EadItem(5, b("kept")));
    assertThat(d.r1.ead1()).isEmpty();
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();
  }

  @Test
  void paddingAddsExactlyTheRequestedBytes() throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    int base = Edhoc.initiator(p.initiator().build()).writeMessage1().message1().length;
    for (int n : new int[] {1, 2, 24, 25, 26, 27, 258, 259, 260, 1000}) {
      int len = Edhoc.initiator(p.initiator().build()).writeMessage1(EadItem.padding(n, Fixture.RANDOM)).message1().length;
      assertThat(len - base).as("padding of %d bytes", n).isEqualTo(n);
    }
  }

  @Test
  void applicationRejectionAbortsWithItsDiagnostic() throws Exception {
    for (int at : new int[] {1, 3}) {
      Recorder hr = new Recorder();
      hr.rejectAt = at;
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(pair.initiator().build()).writeMessage1(List.of(new EadItem(5, b("a"))));
      EdhocConfig rc = pair.responder().ead(hr).build();
      EdhocException e;
      if (at == 1) {
        e = assertThrows(EdhocException.class, () -> Edhoc.responder(rc).readMessage1(w2.message1()));
      } else {
        Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
        byte[] m3 = w2.readMessage2(w3.message2()).writeMessage3().message3();
        e = assertThrows(EdhocException.class, () -> w3.readMessage3(m3));
      }
      assertThat(e.failure()).isEqualTo(Failure.EAD_REJECTED);
      assertThat(ErrorMessage.parse(e.errorMessage()).diagnostic()).isEqualTo("EAD_" + at + " not acceptable");
    }
    Recorder hi = new Recorder();
    hi.rejectAt = 2;
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(pair.initiator().ead(hi).build()).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(pair.responder().build()).readMessage1(w2.message1()).writeMessage2();
    EdhocException e = assertThrows(EdhocException.class, () -> w2.readMessage2(w3.message2()));
    assertThat(e.failure()).isEqualTo(Failure.EAD_REJECTED);
  }

  @Test
  void aHandlerThatThrowsIsAnInternalErrorNotAnEscape() throws Exception {
    EadHandler broken = new EadHandler() {
      @Override
      public void consume(int messageNumber, List<EadItem> items) {
        throw new IllegalStateException("bug in the application");
      }
    };
    byte[] m1 = Edhoc.initiator(pair.initiator().build()).writeMessage1().message1();
    EdhocException e = assertThrows(EdhocException.class, () -> Edhoc.responder(pair.responder().ead(broken).build()).readMessage1(m1));
    assertThat(e.failure()).isEqualTo(Failure.INTERNAL);
    assertThat(e.hasErrorMessage()).isTrue();
  }
}
