package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.credentials.InMemoryCredentialStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The one initiator flow against the binding's ResponderEngine, through a transport that records every POST. */
class InitiatorFlowTest {
  /** Hands each body to the engine, as EdhocResource would, and records what went over the wire. */
  static final class EngineTransport implements EdhocTransport {
    final ResponderEngine engine;
    final List<byte[]> sent = new ArrayList<>();

    EngineTransport(ResponderEngine engine) {
      this.engine = engine;
    }

    @Override
    public CompletableFuture<Reply> post(byte[] body) {
      sent.add(body.clone());
      ResponderEngine.Result r = engine.handle(body);
      if (r.session() != null) {
        r.session().close();
      }
      Kind kind = r.status() == ResponderEngine.Status.OK ? Kind.SUCCESS : Kind.ERROR;
      String status = r.status() == ResponderEngine.Status.OK ? "2.04 Changed" : r.status().isClientError() ? "4.00 Bad request" : "5.00 Internal server error";
      return CompletableFuture.completedFuture(new Reply(kind, status, r.body(), true));
    }

    @Override
    public String target() {
      return "engine";
    }
  }

  static InitiatorFlow.FlowException failure(CompletableFuture<?> f) {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (InitiatorFlow.FlowException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the flow succeeded");
  }

  @Test
  void fullHandshakeTwoPosts() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    EngineTransport t = new EngineTransport(ResponderEngine.builder(f.responder).build());
    InitiatorFlow.Completed c = new InitiatorFlow(f.initiator, t).run().get(10, TimeUnit.SECONDS);
    assertThat(t.sent).hasSize(2);
    assertThat(t.sent.get(0)[0]).isEqualTo((byte) 0xf5);
    assertThat(c.negotiated()).isFalse();
    assertThat(c.message4Received()).isFalse();
    assertThat(c.oscore().senderId()).isEqualTo(c.session().connectionIdR());
    assertThat(t.engine.pendingSessions()).isZero();
    c.session().close();
  }

  @Test
  void errCode2IsNegotiatedOnceOrRefusedWhenNegotiationIsOff() throws Exception {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    // the initiator prefers suite 3 (same keys fit), the responder takes suite 2 only
    EdhocConfig initiator = f.initiator.toBuilder().suites(CipherSuite.SUITE_3, CipherSuite.SUITE_2).build();
    EngineTransport t = new EngineTransport(ResponderEngine.builder(f.responder).build());
    InitiatorFlow.Completed c = new InitiatorFlow(initiator, t).run().get(10, TimeUnit.SECONDS);
    assertThat(c.negotiated()).isTrue();
    assertThat(c.suitesR()).containsExactly(2);
    assertThat(c.session().suite()).isEqualTo(CipherSuite.SUITE_2);
    assertThat(t.sent).hasSize(3);
    c.session().close();

    InitiatorFlow.FlowException e = failure(new InitiatorFlow(initiator, t).negotiate(false).run());
    assertThat(e.kind()).isEqualTo(InitiatorFlow.FlowException.Kind.PEER_ERROR);
    assertThat(e.peerErrorCode()).isEqualTo(2);
    assertThat(e.getMessage()).contains("does not accept cipher suite 3").contains("offers suites [2]").contains("switched off");
  }

  @Test
  void message2ThatFailsVerificationIsAnsweredWithTheErrorMessageAndTheResponderDropsItsSession() {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    // the initiator does not know the responder's credential: message_2 fails (unknown ID_CRED_R)
    EdhocConfig stranger = f.initiator.toBuilder().peers(new InMemoryCredentialStore()).build();
    ResponderEngine engine = ResponderEngine.builder(f.responder).build();
    EngineTransport t = new EngineTransport(engine);
    InitiatorFlow.FlowException e = failure(new InitiatorFlow(stranger, t).run());
    assertThat(e.kind()).isEqualTo(InitiatorFlow.FlowException.Kind.REJECTED);
    assertThat(e.errorSent()).isTrue();
    assertThat(t.sent).hasSize(2);
    // C_R || EDHOC error message (RFC 9528 5.3.3 and A.2)
    byte[] second = t.sent.get(1);
    assertThat(second[0]).isNotEqualTo((byte) 0xf5);
    assertThat(engine.pendingSessions()).isZero();
  }

  @Test
  void answersThatAreNotEdhocAreNamedNotParsed() {
    Fixtures f = new Fixtures(Method.STAT_STAT, CipherSuite.SUITE_2);
    EdhocTransport notFound = fixed(new EdhocTransport.Reply(EdhocTransport.Kind.ERROR, "HTTP 404 Not Found", "<html>".getBytes(), false));
    InitiatorFlow.FlowException e = failure(new InitiatorFlow(f.initiator, notFound).run());
    assertThat(e.kind()).isEqualTo(InitiatorFlow.FlowException.Kind.UNEXPECTED_ANSWER);
    assertThat(e.getMessage()).contains("HTTP 404 Not Found").contains("no EDHOC resource at that path").doesNotContain("malformed");

    EdhocTransport shed = fixed(new EdhocTransport.Reply(EdhocTransport.Kind.OVERLOADED, "5.03 Service unavailable", null, false));
    assertThat(failure(new InitiatorFlow(f.initiator, shed).run()).kind()).isEqualTo(InitiatorFlow.FlowException.Kind.OVERLOADED);

    EdhocTransport down = new EdhocTransport() {
      @Override
      public CompletableFuture<Reply> post(byte[] body) {
        return CompletableFuture.failedFuture(new java.io.IOException("connection refused: nothing listens on 127.0.0.1:1 (TCP)"));
      }

      @Override
      public String target() {
        return "down";
      }
    };
    InitiatorFlow.FlowException d = failure(new InitiatorFlow(f.initiator, down).run());
    assertThat(d.kind()).isEqualTo(InitiatorFlow.FlowException.Kind.UNREACHABLE);
    assertThat(d.getMessage()).isEqualTo("connection refused: nothing listens on 127.0.0.1:1 (TCP)");
  }

  @Test
  void aSuccessWithoutMessage4WhereMethod4NeedsItFails() throws Exception {
    Fixtures f = Fixtures.psk(CipherSuite.SUITE_2);
    ResponderEngine engine = ResponderEngine.builder(f.responder).build();
    EngineTransport real = new EngineTransport(engine);
    InitiatorFlow.Completed c = new InitiatorFlow(f.initiator, real).run().get(10, TimeUnit.SECONDS);
    assertThat(c.message4Received()).isTrue();
    assertThat(c.session().isResponderAuthenticated()).isTrue();
    c.session().close();
    assertThatThrownBy(() -> new InitiatorFlow(f.initiator, Method.PSK, fixed(new EdhocTransport.Reply(EdhocTransport.Kind.SUCCESS, "2.04 Changed",
        new byte[0], true))).run().get()).hasCauseInstanceOf(InitiatorFlow.FlowException.class);
  }

  private static EdhocTransport fixed(EdhocTransport.Reply reply) {
    return new EdhocTransport() {
      @Override
      public CompletableFuture<Reply> post(byte[] body) {
        return CompletableFuture.completedFuture(reply);
      }

      @Override
      public String target() {
        return "fixed";
      }
    };
  }
}
