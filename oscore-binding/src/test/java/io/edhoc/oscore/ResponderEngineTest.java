package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.ConnectionIdAllocator;
import io.edhoc.EadItem;
import io.edhoc.Edhoc;
import io.edhoc.EdhocSession;
import io.edhoc.ErrorMessage;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.Role;
import io.edhoc.credentials.ConnectionIdCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ResponderEngineTest {
  private static final byte[] TRUE = {(byte) 0xf5};

  static byte[] cat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource({"SIG_SIG,SUITE_0", "STAT_STAT,SUITE_0", "SIG_SIG,SUITE_2", "STAT_STAT,SUITE_2", "STAT_STAT,SUITE_3", "SIG_STAT,SUITE_24",
      "STAT_SIG,SUITE_25", "STAT_STAT,SUITE_6", "SIG_SIG,SUITE_4"})
  void forwardFlowGivesEqualContextsOnBothSides(Method method, CipherSuite suite) throws Exception {
    Fixtures f = new Fixtures(method, suite);
    List<OscoreContext> installed = new ArrayList<>();
    ResponderEngine engine = ResponderEngine.builder(f.responder).listener((s, c) -> installed.add(c)).build();

    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(f.initiator).writeMessage1();
    ResponderEngine.Result r1 = engine.handle(cat(TRUE, w2.message1()));
    assertThat(r1.status()).isEqualTo(ResponderEngine.Status.OK);
    assertThat(r1.step()).isEqualTo(ResponderEngine.Step.MESSAGE_1);
    assertThat(engine.sessionStore().size()).isEqualTo(1);
    Initiator.Message2Verified v2 = w2.readMessage2(r1.body());
    assertThat(v2.connectionIdR()).isNotEqualTo(v2.connectionIdI());
    Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
    ResponderEngine.Result r3 = engine.handle(cat(ConnectionIdCodec.encode(v2.connectionIdR()), w4.message3()));
    assertThat(r3.status()).isEqualTo(ResponderEngine.Status.OK);
    assertThat(r3.completed()).isTrue();
    assertThat(r3.body()).isEmpty();
    assertThat(engine.sessionStore().size()).isZero();
    EdhocSession is = w4.complete();
    OscoreContext client = OscoreContext.fromEdhoc(is);
    OscoreContext server = r3.oscoreContext();
    assertThat(installed).containsExactly(server);
    assertThat(client.senderId()).isEqualTo(v2.connectionIdR());
    assertThat(client.recipientId()).isEqualTo(v2.connectionIdI());
    assertThat(client.peerView()).isEqualTo(server);
    assertThat(client.senderKey()).isEqualTo(server.recipientKey());
    assertThat(client.commonIv()).isEqualTo(server.commonIv());
    assertThat(client.masterSecret()).hasSize(suite.applicationAead().keyLength());
    assertThat(client.masterSalt()).hasSize(8);
    assertThat(client.aead()).isEqualTo(suite.applicationAead());
    assertThat(client.hkdf()).isEqualTo(suite.applicationHash());
    assertThat(r3.session().role()).isEqualTo(Role.RESPONDER);
  }

  private static final Fixtures F2 = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);

  @Test
  void message4WhenConfiguredAndAiocoapStyleMessage1WithEad15() throws Exception {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).message4(true).build();
    // aiocoap sends one non-critical value-less EAD_1 item with label 15
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(F2.initiator).writeMessage1(List.of(new EadItem(15, null)));
    ResponderEngine.Result r1 = engine.handle(cat(TRUE, w2.message1()));
    assertThat(r1.status()).isEqualTo(ResponderEngine.Status.OK);
    Initiator.Message2Verified v2 = w2.readMessage2(r1.body());
    Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
    ResponderEngine.Result r3 = engine.handle(cat(ConnectionIdCodec.encode(v2.connectionIdR()), w4.message3()));
    assertThat(r3.status()).isEqualTo(ResponderEngine.Status.OK);
    EdhocSession is = w4.readMessage4(r3.body());
    assertThat(OscoreContext.fromEdhoc(is).peerView()).isEqualTo(r3.oscoreContext());
  }

  @Test
  void combinedMessage3WhenTheProfileUsesMessage4IsAClientError() throws Exception {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).message4(true).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(F2.initiator).writeMessage1();
    Initiator.Message2Verified v2 = w2.readMessage2(engine.handle(cat(TRUE, w2.message1())).body());
    ResponderEngine.Result r3 = engine.handleMessage3(v2.connectionIdR(), v2.writeMessage3().message3(), true);
    assertThat(r3.status()).isEqualTo(ResponderEngine.Status.CLIENT_ERROR);
    assertThat(ErrorMessage.parse(r3.body()).code()).isEqualTo(1);
    assertThat(engine.sessionStore().size()).isZero();
  }

  @Test
  void combinedMessage3GetsNoMessage4() throws Exception {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(F2.initiator).writeMessage1();
    Initiator.Message2Verified v2 = w2.readMessage2(engine.handle(cat(TRUE, w2.message1())).body());
    Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
    ResponderEngine.Result r3 = engine.handleMessage3(v2.connectionIdR(), w4.message3(), true);
    assertThat(r3.completed()).isTrue();
    assertThat(r3.body()).isEmpty();
  }

  @Test
  void message4UnlessCombinedServesBothKindsOfClient() throws Exception {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).message4(ResponderEngine.Message4.UNLESS_COMBINED).build();
    // message_3 alone: message_4 comes back and verifies
    Initiator.AwaitingMessage2 a2 = Edhoc.initiator(F2.initiator).writeMessage1();
    Initiator.Message2Verified a3 = a2.readMessage2(engine.handle(cat(TRUE, a2.message1())).body());
    Initiator.AwaitingMessage4 a4 = a3.writeMessage3();
    ResponderEngine.Result plain = engine.handleMessage3(a3.connectionIdR(), a4.message3(), false);
    assertThat(plain.completed()).isTrue();
    EdhocSession is = a4.readMessage4(plain.body());
    assertThat(OscoreContext.fromEdhoc(is).peerView()).isEqualTo(plain.oscoreContext());
    // combined request: accepted, no message_4
    Initiator.AwaitingMessage2 b2 = Edhoc.initiator(F2.initiator).writeMessage1();
    Initiator.Message2Verified b3 = b2.readMessage2(engine.handle(cat(TRUE, b2.message1())).body());
    Initiator.AwaitingMessage4 b4 = b3.writeMessage3();
    ResponderEngine.Result combined = engine.handleMessage3(b3.connectionIdR(), b4.message3(), true);
    assertThat(combined.completed()).isTrue();
    assertThat(combined.body()).isEmpty();
    assertThat(OscoreContext.fromEdhoc(b4.complete()).peerView()).isEqualTo(combined.oscoreContext());
  }

  @Test
  void multiByteConnectionIdentifierTravelsAsBstrPrefix() throws Exception {
    byte[] cR = HexFormat.of().parseHex("a1b2");
    ResponderEngine engine = ResponderEngine.builder(F2.responder).connectionIdAllocator(ConnectionIdAllocator.fixed(cR)).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(F2.initiator).writeMessage1();
    Initiator.Message2Verified v2 = w2.readMessage2(engine.handle(cat(TRUE, w2.message1())).body());
    assertThat(v2.connectionIdR()).isEqualTo(cR);
    Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
    byte[] prefix = ConnectionIdCodec.encode(cR);
    assertThat(prefix).containsExactly(0x42, 0xa1, 0xb2);
    ResponderEngine.Result r3 = engine.handle(cat(prefix, w4.message3()));
    assertThat(r3.completed()).isTrue();
    assertThat(r3.oscoreContext().recipientId()).isEqualTo(cR);
  }

  @Test
  void unknownConnectionIdentifierIsAClientErrorWithErrCode1() throws Exception {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).build();
    ResponderEngine.Result r = engine.handle(new byte[] {0x05, 0x41, 0x00});
    assertThat(r.status()).isEqualTo(ResponderEngine.Status.UNKNOWN_SESSION);
    assertThat(r.status().isClientError()).isTrue();
    assertThat(r.isErrorMessage()).isTrue();
    assertThat(ErrorMessage.parse(r.body()).code()).isEqualTo(1);
  }

  @Test
  void invalidMessage3FailsAndLeavesNoSession() throws Exception {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(F2.initiator).writeMessage1();
    Initiator.Message2Verified v2 = w2.readMessage2(engine.handle(cat(TRUE, w2.message1())).body());
    byte[] m3 = v2.writeMessage3().message3();
    m3[m3.length - 1] ^= 1;
    byte[] prefix = ConnectionIdCodec.encode(v2.connectionIdR());
    ResponderEngine.Result r3 = engine.handle(cat(prefix, m3));
    assertThat(r3.status()).isEqualTo(ResponderEngine.Status.CLIENT_ERROR);
    assertThat(r3.isErrorMessage()).isTrue();
    assertThat(ErrorMessage.isErrorMessage(r3.body())).isTrue();
    assertThat(r3.completed()).isFalse();
    assertThat(engine.sessionStore().size()).isZero();
    assertThat(engine.pendingSessions()).isZero();
    // the same message_3 again: the session is gone
    assertThat(engine.handle(cat(prefix, m3)).status()).isEqualTo(ResponderEngine.Status.UNKNOWN_SESSION);
  }

  @Test
  void malformedMessage1IsAClientErrorAndStoresNothing() {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).build();
    ResponderEngine.Result r = engine.handle(new byte[] {(byte) 0xf5, 0x03, 0x02});
    assertThat(r.status()).isEqualTo(ResponderEngine.Status.CLIENT_ERROR);
    assertThat(r.isErrorMessage()).isTrue();
    assertThat(engine.sessionStore().size()).isZero();
  }

  @Test
  void unframedAndEmptyBodiesAreClientErrors() {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).build();
    assertThat(engine.handle(new byte[0]).status()).isEqualTo(ResponderEngine.Status.CLIENT_ERROR);
    assertThat(engine.handle(new byte[] {(byte) 0xa0}).status()).isEqualTo(ResponderEngine.Status.CLIENT_ERROR);
    // a one-byte-int value sent as a bstr violates RFC 9528 3.3.2
    assertThat(engine.handle(new byte[] {0x41, 0x05, 0x00}).status()).isEqualTo(ResponderEngine.Status.CLIENT_ERROR);
  }

  @Test
  void wrongSelectedSuiteAnswersErrCode2() throws Exception {
    Fixtures f0 = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_0);
    ResponderEngine engine = ResponderEngine.builder(F2.responder).build();
    ResponderEngine.Result r = engine.handle(cat(TRUE, Edhoc.initiator(f0.initiator).writeMessage1().message1()));
    assertThat(r.status()).isEqualTo(ResponderEngine.Status.CLIENT_ERROR);
    assertThat(ErrorMessage.parse(r.body()).code()).isEqualTo(2);
    assertThat(ErrorMessage.parse(r.body()).suitesR()).containsExactly(2);
  }

  @Test
  void peerErrorInsteadOfMessage3DropsTheSession() throws Exception {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(F2.initiator).writeMessage1();
    Initiator.Message2Verified v2 = w2.readMessage2(engine.handle(cat(TRUE, w2.message1())).body());
    ResponderEngine.Result r = engine.handle(cat(ConnectionIdCodec.encode(v2.connectionIdR()), ErrorMessage.unspecified("no")));
    assertThat(r.step()).isEqualTo(ResponderEngine.Step.PEER_ERROR);
    assertThat(r.body()).isEmpty();
    assertThat(engine.sessionStore().size()).isZero();
  }

  @Test
  void listenerFailureIsAServerErrorAndNoContextIsReported() throws Exception {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).listener((s, c) -> {
      throw new IllegalStateException("recipient ID taken");
    }).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(F2.initiator).writeMessage1();
    Initiator.Message2Verified v2 = w2.readMessage2(engine.handle(cat(TRUE, w2.message1())).body());
    ResponderEngine.Result r3 = engine.handle(cat(ConnectionIdCodec.encode(v2.connectionIdR()), v2.writeMessage3().message3()));
    assertThat(r3.status()).isEqualTo(ResponderEngine.Status.SERVER_ERROR);
    assertThat(r3.isErrorMessage()).isTrue();
    assertThat(r3.completed()).isFalse();
    assertThat(r3.oscoreContext()).isNull();
  }

  @Test
  void fullStoreIsAServerError() throws Exception {
    ResponderEngine engine = ResponderEngine.builder(F2.responder).sessionStore(new InMemoryResponderSessionStore(1)).build();
    assertThat(engine.handle(cat(TRUE, Edhoc.initiator(F2.initiator).writeMessage1().message1())).status()).isEqualTo(ResponderEngine.Status.OK);
    ResponderEngine.Result r = engine.handle(cat(TRUE, Edhoc.initiator(F2.initiator).writeMessage1().message1()));
    assertThat(r.status()).isEqualTo(ResponderEngine.Status.SERVER_ERROR);
    assertThat(engine.sessionStore().size()).isEqualTo(1);
  }

  @Test
  void expiredSessionIsUnknown() throws Exception {
    Fixtures.MutableClock clock = new Fixtures.MutableClock();
    ResponderEngine engine = ResponderEngine.builder(F2.responder).sessionStore(new InMemoryResponderSessionStore(10, clock))
        .sessionTimeToLive(Duration.ofSeconds(5)).build();
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(F2.initiator).writeMessage1();
    Initiator.Message2Verified v2 = w2.readMessage2(engine.handle(cat(TRUE, w2.message1())).body());
    clock.advance(Duration.ofSeconds(6));
    ResponderEngine.Result r = engine.handle(cat(ConnectionIdCodec.encode(v2.connectionIdR()), v2.writeMessage3().message3()));
    assertThat(r.status()).isEqualTo(ResponderEngine.Status.UNKNOWN_SESSION);
    assertThat(engine.sessionStore().evictions()).isEqualTo(1);
  }

  @Test
  void connectionIdentifierEqualToPeersIsRefused() throws Exception {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(F2.initiator).writeMessage1();
    ResponderEngine probe = ResponderEngine.builder(F2.responder).build();
    // learn C_I from a first run, then force C_R = C_I
    byte[] m1 = w2.message1();
    Responder.Message1Received r1 = Edhoc.responder(F2.responder).readMessage1(m1);
    byte[] cI = r1.connectionIdI();
    ResponderEngine engine = ResponderEngine.builder(F2.responder).connectionIdAllocator(ConnectionIdAllocator.fixed(cI)).build();
    ResponderEngine.Result r = engine.handle(cat(TRUE, m1));
    assertThat(r.status()).isEqualTo(ResponderEngine.Status.SERVER_ERROR);
    assertThat(engine.sessionStore().size()).isZero();
    assertThat(probe.pendingSessions()).isZero();
  }

  @Test
  void allocatorAvoidsRecipientIdsInUseAndPendingOnes() throws Exception {
    // every one-byte CBOR int but 0x07 is an application Recipient ID
    Set<String> inUse = new HashSet<>();
    for (int v = 0; v < 48; v++) {
      if (v != 7) {
        inUse.add(HexFormat.of().formatHex(new byte[] {(byte) (v < 24 ? v : 0x20 + v - 24)}));
      }
    }
    ResponderEngine engine = ResponderEngine.builder(F2.responder).recipientIdsInUse(id -> inUse.contains(HexFormat.of().formatHex(id)))
        .recipientIdsInUseCount(inUse::size).build();
    Set<String> pending = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      Initiator.AwaitingMessage2 a = Edhoc.initiator(F2.initiator).writeMessage1();
      Initiator.Message2Verified va = a.readMessage2(engine.handle(cat(TRUE, a.message1())).body());
      String cR = HexFormat.of().formatHex(va.connectionIdR());
      assertThat(inUse).doesNotContain(cR);
      assertThat(pending.add(cR)).as("never a pending C_R").isTrue();
      assertThat(va.connectionIdR().length).isBetween(1, 7);
    }
    // 47 in use: drawn from the 256 one-byte values (a space at least four times the live count)
    assertThat(pending).allMatch(h -> h.length() <= 4);
    assertThat(engine.recipientIdAllocator().candidatesTried()).isLessThan(40 * 3);
  }

  /**
   * Two engine calls interleaved on one thread: while the engine stores handshake A's state, the
   * store runs handshake B's message_1 through the same engine (as a store, allocator or listener
   * calling back into the engine would). Each call must release exactly the identifier it
   * reserved: with a per-thread "last allocated" slot, B's call overwrote and cleared A's entry,
   * so A's C_R stayed reserved for good (a leaked identifier, still "in use" after A completed).
   */
  @Test
  void interleavedCallsOnOneThreadEachReleaseTheirOwnConnectionIdentifier() throws Exception {
    InMemoryResponderSessionStore backing = new InMemoryResponderSessionStore(100);
    java.util.concurrent.atomic.AtomicReference<ResponderEngine> engineRef = new java.util.concurrent.atomic.AtomicReference<>();
    Initiator.AwaitingMessage2 a = Edhoc.initiator(F2.initiator).writeMessage1();
    Initiator.AwaitingMessage2 b = Edhoc.initiator(F2.initiator).writeMessage1();
    List<ResponderEngine.Result> nested = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    ResponderSessionStore reentrant = new ResponderSessionStore() {
      @Override
      public boolean put(byte[] connectionIdR, byte[] state, Duration timeToLive) {
        threads.add(Thread.currentThread());
        if (nested.isEmpty()) {
          nested.add(null); // only the first put nests a call
          nested.set(0, engineRef.get().handle(cat(TRUE, b.message1())));
        }
        return backing.put(connectionIdR, state, timeToLive);
      }

      @Override
      public byte[] take(byte[] connectionIdR) {
        return backing.take(connectionIdR);
      }

      @Override
      public boolean contains(byte[] connectionIdR) {
        return backing.contains(connectionIdR);
      }

      @Override
      public int size() {
        return backing.size();
      }

      @Override
      public long evictions() {
        return backing.evictions();
      }
    };
    ResponderEngine engine = ResponderEngine.builder(F2.responder).sessionStore(reentrant).build();
    engineRef.set(engine);

    ResponderEngine.Result ra = engine.handle(cat(TRUE, a.message1()));
    assertThat(ra.status()).isEqualTo(ResponderEngine.Status.OK);
    assertThat(nested).hasSize(1);
    assertThat(nested.get(0).status()).isEqualTo(ResponderEngine.Status.OK);
    assertThat(threads).hasSize(2).allMatch(t -> t == Thread.currentThread());
    Initiator.Message2Verified va = a.readMessage2(ra.body());
    Initiator.Message2Verified vb = b.readMessage2(nested.get(0).body());
    byte[] cRa = va.connectionIdR();
    byte[] cRb = vb.connectionIdR();
    assertThat(cRa).as("the nested call drew while A's C_R was reserved").isNotEqualTo(cRb);
    assertThat(engine.inUse(cRa)).isTrue();
    assertThat(engine.inUse(cRb)).isTrue();

    // both complete; afterwards neither identifier is held by anything (no listener installs a context)
    ResponderEngine.Result rb3 = engine.handle(cat(ConnectionIdCodec.encode(cRb), vb.writeMessage3().message3()));
    ResponderEngine.Result ra3 = engine.handle(cat(ConnectionIdCodec.encode(cRa), va.writeMessage3().message3()));
    assertThat(ra3.completed()).isTrue();
    assertThat(rb3.completed()).isTrue();
    assertThat(ra3.oscoreContext().recipientId()).isEqualTo(cRa);
    assertThat(rb3.oscoreContext().recipientId()).isEqualTo(cRb);
    assertThat(engine.inUse(cRb)).as("the nested call's C_R is released").isFalse();
    assertThat(engine.inUse(cRa)).as("the outer call's C_R is released, not leaked by the nested call").isFalse();
    assertThat(engine.pendingSessions()).isZero();
  }

  @Test
  void recipientIdAllocatorFailsLoudlyWhenExhausted() {
    RecipientIdAllocator a = new RecipientIdAllocator(new java.security.SecureRandom(), 1, id -> true);
    assertThatThrownBy(() -> a.allocate(null)).isInstanceOf(IllegalStateException.class);
    assertThat(RecipientIdAllocator.maxLengthFor(List.of(CipherSuite.SUITE_2))).isEqualTo(7);
    assertThat(RecipientIdAllocator.maxLengthFor(List.of(CipherSuite.SUITE_2, CipherSuite.SUITE_24))).isEqualTo(6);
  }

  @ParameterizedTest
  @CsvSource({"false", "true"})
  void reverseFlowServerIsInitiator(boolean message4) throws Exception {
    List<EdhocSession> established = new ArrayList<>();
    // the CoAP server is the EDHOC Initiator here: it runs with the initiator's identity
    ResponderEngine engine = ResponderEngine.builder(F2.initiator).reverseFlow(true).message4(message4)
        .listener((s, c) -> established.add(s)).build();
    ResponderEngine.Result r0 = engine.handle(new byte[0]);
    assertThat(r0.status()).isEqualTo(ResponderEngine.Status.OK);
    assertThat(r0.step()).isEqualTo(ResponderEngine.Step.REVERSE_START);
    Responder.Message1Received r1 = Edhoc.responder(F2.responder).readMessage1(r0.body());
    Responder.AwaitingMessage3 w3 = r1.writeMessage2();
    ResponderEngine.Result r2 = engine.handle(cat(ConnectionIdCodec.encode(r1.connectionIdI()), w3.message2()));
    assertThat(r2.status()).isEqualTo(ResponderEngine.Status.OK);
    assertThat(r2.step()).isEqualTo(ResponderEngine.Step.REVERSE_MESSAGE_2);
    Responder.Message3Verified v3 = w3.readMessage3(r2.body());
    OscoreContext serverCtx;
    EdhocSession clientSession;
    if (message4) {
      assertThat(r2.completed()).isFalse();
      Responder.Completed c = v3.writeMessage4();
      clientSession = c.session();
      ResponderEngine.Result r4 = engine.handle(cat(ConnectionIdCodec.encode(r1.connectionIdI()), c.message4()));
      assertThat(r4.completed()).isTrue();
      serverCtx = r4.oscoreContext();
    } else {
      clientSession = v3.complete();
      assertThat(r2.completed()).isTrue();
      serverCtx = r2.oscoreContext();
    }
    assertThat(established).hasSize(1);
    assertThat(established.get(0).role()).isEqualTo(Role.INITIATOR);
    assertThat(OscoreContext.fromEdhoc(clientSession).peerView()).isEqualTo(serverCtx);
    assertThat(engine.pendingSessions()).isZero();
  }
}
