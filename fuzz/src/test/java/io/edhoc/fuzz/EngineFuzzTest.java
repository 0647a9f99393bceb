package io.edhoc.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.edhoc.ConnectionIdAllocator;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.EdhocSession;
import io.edhoc.ErrorMessage;
import io.edhoc.Failure;
import io.edhoc.Initiator;
import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.fuzz.Traces.Trace;
import io.edhoc.oscore.InMemoryResponderSessionStore;
import io.edhoc.oscore.ResponderEngine;
import io.edhoc.oscore.ResponderEngine.Result;
import io.edhoc.oscore.ResponderEngine.Status;
import io.edhoc.oscore.ResponderEngine.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The transport-neutral server of RFC 9528 Appendix A.2 ({@link ResponderEngine#handle}), whole
 * request bodies: {@code true || message_1}, {@code C_R || message_3}, and anything else.
 */
class EngineFuzzTest {
  private static final byte TRUE = (byte) 0xf5;

  /** Hands out the trace's C_R first, then identifiers that differ from it and from the peer's. */
  private static ConnectionIdAllocator traceFirst(byte[] cR) {
    int[] n = {0};
    return peer -> {
      while (true) {
        int i = n[0]++;
        byte[] id = i == 0 ? cR.clone() : new byte[] {(byte) 0x40, (byte) i};
        if (peer == null || !Arrays.equals(id, peer)) {
          return id;
        }
      }
    };
  }

  private static void noInternal(Result r) {
    if (r.failure() == Failure.INTERNAL) {
      throw new AssertionError("hostile request caused an internal error: " + r);
    }
    if ((r.status() == Status.CLIENT_ERROR || r.status() == Status.UNKNOWN_SESSION || r.status() == Status.SERVER_ERROR)) {
      if (!r.isErrorMessage()) {
        throw new AssertionError("a failure without an EDHOC error message: " + r);
      }
      try {
        ErrorMessage.parse(r.body());
      } catch (CborException e) {
        throw new AssertionError("the error body does not parse: " + r, e);
      }
    }
  }

  /**
   * Bit 0 of the selector byte picks the trace. The engine has the trace's message_1 answered (its
   * state stored under the trace's C_R) before it sees the fuzzed body, so {@code C_R || message_3}
   * seeds complete and mutations of them meet a pending session. Afterwards the number of pending
   * sessions must be exactly what the request justifies: a failed message_3 leaves nothing behind.
   */
  @FuzzTest
  void handle(byte[] data) {
    if (data.length == 0) {
      return;
    }
    Trace t = Traces.select(data[0]);
    byte[] body = Fuzz.rest(data);
    ResponderEngine engine = ResponderEngine.builder(t.responder()).message4(true)
        .sessionStore(new InMemoryResponderSessionStore(16)).connectionIdAllocator(traceFirst(t.cR)).build();
    Result m2 = engine.handle(Traces.concat(new byte[] {TRUE}, t.get("message_1")));
    if (m2.status() != Status.OK || !Arrays.equals(m2.body(), t.get("message_2"))) {
      throw new IllegalStateException("trace message_1 not answered with the trace's message_2: " + m2);
    }
    Result r = engine.handle(body);
    noInternal(r);
    int expected;
    if (body.length > 0 && body[0] == TRUE) {
      expected = r.status() == Status.OK ? 2 : 1;
    } else {
      byte[] prefix = null;
      try {
        prefix = ConnectionIdCodec.read(new CborReader(body), "C_R");
      } catch (CborException e) {
        // unframed
      }
      expected = prefix != null && Arrays.equals(prefix, t.cR) ? 0 : 1;
      if (r.completed()) {
        if (r.oscoreContext() == null || r.body().length == 0) {
          throw new AssertionError("completed without an OSCORE context or message_4");
        }
        r.session().close();
      }
    }
    if (engine.pendingSessions() != expected) {
      throw new AssertionError("pending sessions " + engine.pendingSessions() + ", expected " + expected + " after " + r);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** One initiator slot of the stateful target. */
  private static final class Slot {
    Initiator.AwaitingMessage2 w2;
    byte[] m1;
    byte[] m2;
    Initiator.AwaitingMessage4 w4;
    byte[] m3;
    byte[] cR; // C_R as the initiator read it from message_2
    byte[] allocated; // C_R the engine allocated for this slot's message_1 (known before message_2 is read)
    boolean consumed; // the engine no longer holds this slot's session
    boolean dead; // the initiator failed
  }

  private static EdhocConfig initiatorFor(Trace t) {
    return EdhocConfig.builder().methods(t.method).suites(t.suite).credential(t.ownI).peers(new InMemoryCredentialStore().add(t.credR)).build();
  }

  private static byte[] framed(byte[] cR, byte[] m) {
    return Traces.concat(ConnectionIdCodec.encode(cR), m);
  }

  private static void expect(boolean ok, String what, Result r) {
    if (!ok) {
      throw new AssertionError(what + ": " + r);
    }
  }

  /**
   * A responder engine and up to three initiators (either trace's credentials, fresh ephemeral
   * keys) driven by a fuzzer-chosen sequence: start, repeat message_1, read message_2 (the right
   * one or another session's), send message_3 (again after completion, under another session's
   * C_R, truncated), an error message or message_1 in place of message_3, raw bytes. After every
   * request the engine's pending sessions must match the model exactly, completed handshakes must
   * agree on their keys, and nothing may fail internally.
   */
  @FuzzTest
  void stateful(FuzzedDataProvider in) throws EdhocException {
    ResponderEngine.Message4 policy = in.consumeBoolean() ? ResponderEngine.Message4.ALWAYS : ResponderEngine.Message4.NEVER;
    // C_R from a counter (never reused within an input): replays of an input must see the same
    // identifiers, which the engine's random allocator does not give. The model records each slot's
    // C_R when the engine allocates it: raw bytes naming that C_R can consume the session before
    // the initiator has read message_2 (docs/testing.md, finding 5)
    int[] next = {0};
    byte[][] last = {null};
    ConnectionIdAllocator unique = peer -> {
      while (true) {
        byte[] id = {(byte) 0x40, (byte) next[0]++};
        if (peer == null || !Arrays.equals(id, peer)) {
          last[0] = id.clone();
          return id;
        }
      }
    };
    ResponderEngine engine = ResponderEngine.builder(Traces.bothResponder().build()).message4(policy)
        .sessionStore(new InMemoryResponderSessionStore(64)).connectionIdAllocator(unique).build();
    Slot[] slots = {new Slot(), new Slot(), new Slot()};
    List<EdhocSession> open = new ArrayList<>();
    int pending = 0;
    try {
      for (int step = 0; step < 16 && in.remainingBytes() > 0; step++) {
        int op = in.consumeInt(0, 9);
        Slot s = slots[in.consumeInt(0, 2)];
        Slot o = slots[in.consumeInt(0, 2)];
        switch (op) {
          case 0 -> { // start a handshake in an empty slot
            if (s.m1 != null) {
              continue;
            }
            Trace t = in.consumeBoolean() ? Traces.SECTION_2 : Traces.SECTION_3;
            s.w2 = Edhoc.initiator(initiatorFor(t)).writeMessage1();
            s.m1 = s.w2.message1();
            Result r = engine.handle(Traces.concat(new byte[] {TRUE}, s.m1));
            expect(r.status() == Status.OK && r.step() == Step.MESSAGE_1, "genuine message_1 refused", r);
            s.m2 = r.body();
            s.allocated = last[0];
            pending++;
          }
          case 1 -> { // message_1 repeated: a second, independent session at the engine
            if (s.m1 == null) {
              continue;
            }
            Result r = engine.handle(Traces.concat(new byte[] {TRUE}, s.m1));
            expect(r.status() == Status.OK, "repeated message_1 refused", r);
            pending++;
          }
          case 2 -> { // the initiator reads its message_2, or another slot's (interleaved)
            if (s.w2 == null || s.dead || o.m2 == null) {
              continue;
            }
            Initiator.AwaitingMessage2 w2 = s.w2;
            s.w2 = null;
            try {
              Initiator.Message2Verified v2 = w2.readMessage2(o.m2);
              if (o != s) {
                throw new AssertionError("an initiator accepted another session's message_2");
              }
              s.w4 = v2.writeMessage3();
              s.m3 = s.w4.message3();
              s.cR = v2.connectionIdR();
              if (!Arrays.equals(s.cR, s.allocated)) {
                throw new AssertionError("message_2 carries a C_R other than the one the engine stored");
              }
            } catch (EdhocException e) {
              if (o == s) {
                throw new AssertionError("genuine message_2 rejected", e);
              }
              Fuzz.checkFailure(e);
              s.dead = true;
            }
          }
          case 3 -> { // message_3 under its own C_R (completes once; unknown afterwards)
            if (s.m3 == null) {
              continue;
            }
            Result r = engine.handle(framed(s.cR, s.m3));
            if (s.consumed) {
              if (r.status() != Status.UNKNOWN_SESSION) {
                // the engine may give a freed C_R to a later session (a repeated message_1 or another
                // slot): the replay then meets that session, which must fail and be dropped
                expect(!r.completed() && r.status() == Status.CLIENT_ERROR, "replayed message_3 accepted", r);
                pending--;
                for (Slot x : slots) {
                  if (x != s && x.allocated != null && !x.consumed && Arrays.equals(x.allocated, s.cR)) {
                    x.consumed = true;
                  }
                }
              }
              continue;
            }
            expect(r.status() == Status.OK && r.completed(), "genuine message_3 refused", r);
            pending--;
            s.consumed = true;
            open.add(r.session());
            if (s.w4 != null) {
              Initiator.AwaitingMessage4 w4 = s.w4;
              s.w4 = null;
              EdhocSession mine = policy == ResponderEngine.Message4.ALWAYS ? w4.readMessage4(r.body()) : w4.complete();
              open.add(mine);
              if (!Arrays.equals(mine.exporter(0, new byte[0], 16), r.session().exporter(0, new byte[0], 16))) {
                throw new AssertionError("completed handshake: keys differ");
              }
            }
          }
          case 4 -> { // another slot's message_3 under this slot's C_R
            if (s.cR == null || s.consumed || o.m3 == null || o == s) {
              continue;
            }
            Result r = engine.handle(framed(s.cR, o.m3));
            noInternal(r);
            expect(r.status() == Status.CLIENT_ERROR && !r.completed(), "foreign message_3 accepted", r);
            pending--;
            s.consumed = true;
          }
          case 5 -> { // truncated message_3
            if (s.m3 == null || s.consumed) {
              continue;
            }
            int n = in.consumeInt(0, s.m3.length - 1);
            Result r = engine.handle(framed(s.cR, Arrays.copyOf(s.m3, n)));
            noInternal(r);
            expect(!r.completed() && r.status() != Status.OK, "truncated message_3 accepted", r);
            pending--;
            s.consumed = true;
          }
          case 6 -> { // an error message in place of message_3
            if (s.cR == null || s.consumed) {
              continue;
            }
            Result r = engine.handle(framed(s.cR, ErrorMessage.unspecified("abort")));
            expect(r.step() == Step.PEER_ERROR && !r.completed(), "error message not taken as the peer's abort", r);
            pending--;
            s.consumed = true;
          }
          case 7 -> { // message_1 (or message_2) in place of message_3: out of order
            if (s.cR == null || s.consumed) {
              continue;
            }
            Result r = engine.handle(framed(s.cR, in.consumeBoolean() ? s.m1 : s.m2));
            noInternal(r);
            // message_1 starts with an int (METHOD), so the engine takes it for the peer's error
            // message (RFC 9528 section 6) and drops the session; message_2 fails to decrypt
            expect(!r.completed() && (r.status() != Status.OK || r.step() == Step.PEER_ERROR), "out-of-order message accepted as message_3", r);
            pending--;
            s.consumed = true;
          }
          default -> { // raw bytes
            byte[] body = in.consumeBytes(in.consumeInt(0, 80));
            int before = engine.pendingSessions();
            Result r = engine.handle(body);
            noInternal(r);
            if (body.length > 0 && body[0] == TRUE) {
              pending += r.status() == Status.OK ? 1 : 0;
            } else if (before != engine.pendingSessions()) {
              // the prefix named a pending session; find which, if it is one of the slots'
              byte[] prefix = ConnectionIdCodec.read(new CborReader(body), "C_R");
              pending--;
              for (Slot x : slots) {
                if (x.allocated != null && !x.consumed && Arrays.equals(x.allocated, prefix)) {
                  x.consumed = true;
                }
              }
              if (r.completed()) {
                throw new AssertionError("raw bytes completed a handshake");
              }
            }
          }
        }
        for (Slot a : slots) {
          for (Slot b : slots) {
            if (a != b && a.allocated != null && b.allocated != null && !a.consumed && !b.consumed && Arrays.equals(a.allocated, b.allocated)) {
              throw new AssertionError("two pending sessions were given the same C_R");
            }
          }
        }
        if (engine.pendingSessions() != pending) {
          throw new AssertionError("engine holds " + engine.pendingSessions() + " pending sessions, model " + pending + " after op " + op);
        }
      }
    } catch (CborException e) {
      throw new AssertionError("a prefix that consumed a session does not parse", e);
    } finally {
      for (EdhocSession x : open) {
        x.close();
      }
    }
  }
}
