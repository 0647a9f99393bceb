package io.edhoc.leshan;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Method;
import java.util.List;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;
import org.eclipse.leshan.server.registration.Registration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real Leshan server with the EDHOC endpoint and a real Leshan client over the EDHOC client
 * factory, on 127.0.0.1: EDHOC, Register, server Read and Write, Update, Deregister, and on the
 * client's own CoAP endpoint nothing but the two EDHOC POSTs (and their responses) unprotected.
 */
class LeshanEdhocLoopbackTest {

  @BeforeAll
  static void californium() {
    CoapConfig.register();
    UdpConfig.register();
    Configuration.setStandard(Configuration.createStandardWithoutFile());
  }

  @ParameterizedTest(name = "method {0}, suite {1}")
  @CsvSource({"STAT_STAT, SUITE_2", "SIG_SIG, SUITE_2", "STAT_STAT, SUITE_0", "SIG_SIG, SUITE_0", "STAT_STAT, SUITE_6",
      "SIG_SIG, SUITE_6"})
  void lifecycleIsOscoreProtectedAfterTheTwoEdhocPosts(Method method, CipherSuite suite) throws Exception {
    lifecycle(method, suite, false);
  }

  @ParameterizedTest(name = "method {0}, suite {1}")
  @CsvSource({"STAT_STAT, SUITE_2", "SIG_SIG, SUITE_0"})
  void registerAsRfc9668CombinedRequest(Method method, CipherSuite suite) throws Exception {
    lifecycle(method, suite, true);
  }

  @org.junit.jupiter.api.Test
  void method4Psk() throws Exception {
    lifecycle(Method.PSK, CipherSuite.SUITE_2, false);
  }

  private static void lifecycle(Method method, CipherSuite suite, boolean combined) throws Exception {
    try (Testbed bed = new Testbed(method, suite)) {
      io.edhoc.EdhocConfig clientConfig = method == Method.PSK ? bed.pskClientConfig("urn:dev:edhoc-1", (byte) 0x11)
          : bed.clientConfig(bed.clientIdentity("urn:dev:edhoc-1", (byte) 0x2b));
      bed.startServer(0, false);
      Testbed.EdhocClient c = bed.edhocClient("urn:dev:edhoc-1", clientConfig, new byte[] {0x07}, combined);
      c.client.start();
      Registration reg = c.awaitRegistered(bed, "urn:dev:edhoc-1");

      // the registration is on the EDHOC context: the server's Recipient ID is the client's C_R
      assertThat(reg.getClientTransportData().getIdentity()).isInstanceOf(OscoreIdentity.class);
      byte[] serverRid = ((OscoreIdentity) reg.getClientTransportData().getIdentity()).getRecipientId();
      assertThat(bed.bindings.get(serverRid).endpoint()).isEqualTo("urn:dev:edhoc-1");
      assertThat(c.oscore.senderId()).isEqualTo(serverRid); // object 21 refreshed: Sender ID = C_R
      assertThat(c.oscore.recipientId()).containsExactly(0x07);

      ReadResponse read = bed.server.send(reg, new ReadRequest(3, 0, 0));
      assertThat(read.isSuccess()).as("server Read: %s", read).isTrue();
      assertThat(read.getContent().toString()).contains("io.edhoc");
      WriteResponse write = bed.server.send(reg, new WriteRequest(3, 0, 14, "+02:00"));
      assertThat(write.isSuccess()).as("server Write: %s", write).isTrue();
      assertThat(bed.server.send(reg, new ReadRequest(3, 0, 14)).getContent().toString()).contains("+02:00");

      int updatesBefore = count(c.record.events, "updated");
      c.client.triggerRegistrationUpdate();
      Testbed.await(() -> count(c.record.events, "updated") > updatesBefore, "Update " + c.record.events);

      c.client.stop(true);
      Testbed.await(() -> c.record.events.contains("deregistered"), "Deregister");
      assertThat(bed.server.getRegistrationService().getByEndpoint("urn:dev:edhoc-1")).isNull();
      // the server's listeners run once the Deregister response is sent
      Testbed.await(() -> bed.bindings.get(serverRid) == null, "deregistration to remove the EDHOC binding");
      assertThat(bed.edhocFactory.contextDb().getContext(serverRid)).as("and the context").isNull();

      assertOnlyEdhocUnprotected(c.record.wire, combined ? 1 : 2);
      List<Testbed.ClientRecord.Wire> withEdhocOption = c.record.wire.stream().filter(Testbed.ClientRecord.Wire::edhocOption).toList();
      if (combined) {
        assertThat(withEdhocOption).as("the Register carries message_3 (RFC 9668)").hasSize(1);
        assertThat(withEdhocOption.get(0).oscore()).isTrue();
        assertThat(withEdhocOption.get(0).outgoing()).isTrue();
      } else {
        assertThat(withEdhocOption).isEmpty();
      }
      assertThat(c.session().handshakes()).isEqualTo(1);
    }
  }

  /** On the client endpoint: the EDHOC POSTs to /.well-known/edhoc and their responses unprotected, all else OSCORE. */
  static void assertOnlyEdhocUnprotected(List<Testbed.ClientRecord.Wire> wire, int edhocPosts) {
    List<Testbed.ClientRecord.Wire> requestsOut = wire.stream().filter(w -> w.outgoing() && w.request()).toList();
    assertThat(requestsOut.size()).as("requests sent: %s", wire).isGreaterThanOrEqualTo(edhocPosts + 3); // EDHOC, Register, Update, Deregister
    for (int i = 0; i < requestsOut.size(); i++) {
      Testbed.ClientRecord.Wire w = requestsOut.get(i);
      if (i < edhocPosts) {
        assertThat(w.path()).as("request %d", i).isEqualTo(".well-known/edhoc");
        assertThat(w.code()).isEqualTo("POST");
        assertThat(w.oscore()).as("EDHOC POST is not OSCORE").isFalse();
      } else {
        assertThat(w.oscore()).as("request %d after EDHOC must be OSCORE-protected: %s", i, w).isTrue();
        assertThat(w.path()).as("the real path is inside the ciphertext").isEmpty();
      }
    }
    List<Testbed.ClientRecord.Wire> unprotectedResponsesIn = wire.stream().filter(w -> !w.outgoing() && !w.request() && !w.oscore()).toList();
    assertThat(unprotectedResponsesIn).as("unprotected responses received: only the EDHOC ones").hasSize(edhocPosts);
    List<Testbed.ClientRecord.Wire> fromServer = wire.stream().filter(w -> !w.outgoing() && w.request()).toList();
    assertThat(fromServer).as("server requests (Read, Write)").hasSizeGreaterThanOrEqualTo(2).allMatch(Testbed.ClientRecord.Wire::oscore);
    assertThat(wire.stream().filter(w -> w.outgoing() && !w.request()).toList()).as("responses to the server")
        .hasSizeGreaterThanOrEqualTo(2).allMatch(Testbed.ClientRecord.Wire::oscore);
  }

  static int count(List<String> events, String e) {
    return (int) events.stream().filter(e::equals).count();
  }
}
