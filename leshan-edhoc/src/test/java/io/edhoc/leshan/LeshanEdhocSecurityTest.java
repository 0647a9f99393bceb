package io.edhoc.leshan;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Arrays;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCoapStackFactory;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapOscoreProtocolProvider;
import org.eclipse.leshan.client.californium.endpoint.coaps.CoapsClientProtocolProvider;
import org.eclipse.leshan.client.object.Oscore;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.oscore.AeadAlgorithm;
import org.eclipse.leshan.core.oscore.HkdfAlgorithm;
import org.eclipse.leshan.core.oscore.OscoreSetting;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.core.peer.PskIdentity;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.security.SecurityInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The replay trap, endpoint-name binding, context retirement, and Leshan's own security beside EDHOC. */
class LeshanEdhocSecurityTest {
  private static final String EP = "urn:dev:edhoc-sec";

  @BeforeAll
  static void californium() {
    CoapConfig.register();
    UdpConfig.register();
    Configuration.setStandard(Configuration.createStandardWithoutFile());
  }

  @Test
  void registerReplayedAfterDeregistrationIsRejected() throws Exception {
    try (Testbed bed = new Testbed(Method.STAT_STAT, CipherSuite.SUITE_2)) {
      bed.startServer(0, false);
      Testbed.EdhocClient c = bed.edhocClient(EP, bed.clientIdentity(EP, (byte) 0x2b), new byte[] {0x07});
      c.client.start();
      c.awaitRegistered(bed, EP);
      byte[] register = bed.serverReceivedProtected.get(0);
      InetSocketAddress server = new InetSocketAddress(bed.coapUri().getHost(), bed.coapUri().getPort());

      c.client.stop(true);
      Testbed.await(() -> bed.bindings.size() == 0, "deregistration");
      Response r = sendRaw(register, server);
      assertThat(r.getCode()).as("Register replayed after deregistration").isEqualTo(CoAP.ResponseCode.UNAUTHORIZED);
      assertThat(bed.server.getRegistrationService().getByEndpoint(EP)).isNull();
    }
  }

  @Test
  void registerReplayedAfterServerRestartIsRejectedAndTheClientRekeysAfter401() throws Exception {
    try (Testbed bed = new Testbed(Method.STAT_STAT, CipherSuite.SUITE_2)) {
      bed.startServer(0, false);
      Testbed.EdhocClient c = bed.edhocClient(EP, bed.clientIdentity(EP, (byte) 0x2b), new byte[] {0x07});
      c.client.start();
      c.awaitRegistered(bed, EP);
      byte[] register = bed.serverReceivedProtected.get(0);
      int port = bed.coapUri().getPort();

      bed.stopServer(); // no deregistration: the client still believes in its context
      bed.bindings = new EdhocPeerBindings();
      bed.startServer(port, false);
      Response r = sendRaw(register, new InetSocketAddress("127.0.0.1", port));
      assertThat(r.getCode()).as("Register replayed after a server restart").isEqualTo(CoAP.ResponseCode.UNAUTHORIZED);
      assertThat(bed.server.getRegistrationService().getByEndpoint(EP)).isNull();

      // the client's next Update gets 4.01; the hook makes it run EDHOC again and register
      c.client.triggerRegistrationUpdate();
      Registration reg = c.awaitRegistered(bed, EP);
      assertThat(c.record.events).contains("update-failed UNAUTHORIZED(401)");
      assertThat(c.session().handshakes()).isEqualTo(2);
      assertThat(bed.server.send(reg, new ReadRequest(3, 0, 0)).isSuccess()).isTrue();
    }
  }

  @Test
  void endpointNameOtherThanTheCredentialsGets403() throws Exception {
    try (Testbed bed = new Testbed(Method.STAT_STAT, CipherSuite.SUITE_2)) {
      bed.startServer(0, false);
      Testbed.EdhocClient c = bed.edhocClient("urn:dev:mallory", bed.clientIdentity("urn:dev:alice", (byte) 0x2b), new byte[] {0x07});
      c.client.start();
      Testbed.await(() -> c.record.failures.containsKey("register"), "the Register to be refused");
      assertThat(c.record.failures.get("register")).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(c.session().handshakes()).as("EDHOC itself succeeded").isEqualTo(1);
      assertThat(bed.server.getRegistrationService().getAllRegistrations()).isExhausted();
      c.client.destroy(false);
    }
  }

  @Test
  void secondEdhocRunMakesTheOldContextUnusable() throws Exception {
    try (Testbed bed = new Testbed(Method.STAT_STAT, CipherSuite.SUITE_2)) {
      bed.startServer(0, false);
      Testbed.EdhocClient c = bed.edhocClient(EP, bed.clientIdentity(EP, (byte) 0x2b), new byte[] {0x07});
      c.client.start();
      Registration reg = c.awaitRegistered(bed, EP);
      byte[] oldRid = ((OscoreIdentity) reg.getClientTransportData().getIdentity()).getRecipientId();
      OSCoreCtx old = c.session().currentContext();
      URI serverUri = bed.coapUri();

      // positive control: a fresh request on the old context (same keys, next sequence number) is accepted
      assertThat(updateWith(old, serverUri, reg.getId())).isEqualTo(CoAP.ResponseCode.CHANGED);

      c.session().establish(); // the same peer runs EDHOC again
      assertThat(bed.bindings.get(oldRid)).as("old binding retired").isNull();
      assertThat(bed.bindings.retired()).isEqualTo(1);
      int updates = LeshanEdhocLoopbackTest.count(c.record.events, "updated");
      c.client.triggerRegistrationUpdate();
      Testbed.await(() -> LeshanEdhocLoopbackTest.count(c.record.events, "updated") > updates, "Update on the new context");
      Registration updated = bed.server.getRegistrationService().getByEndpoint(EP);
      byte[] newRid = ((OscoreIdentity) updated.getClientTransportData().getIdentity()).getRecipientId();
      assertThat(newRid).isNotEqualTo(oldRid);

      assertThat(updateWith(old, serverUri, reg.getId())).as("old context after the new handshake").isEqualTo(CoAP.ResponseCode.UNAUTHORIZED);
      ReadResponse read = bed.server.send(updated, new ReadRequest(3, 0, 0));
      assertThat(read.isSuccess()).isTrue();
    }
  }

  @Test
  void staticOscoreAndDtlsClientsStillWorkBesideEdhoc() throws Exception {
    try (Testbed bed = new Testbed(Method.STAT_STAT, CipherSuite.SUITE_2)) {
      bed.startServer(0, true);
      byte[] secret = new byte[16];
      Arrays.fill(secret, (byte) 0x5a);
      byte[] salt = {1, 2, 3, 4, 5, 6, 7, 8};
      bed.securityStore.add(SecurityInfo.newOscoreInfo("urn:dev:static", new OscoreSetting(new byte[] {0x05}, new byte[] {0x06}, secret,
          AeadAlgorithm.AES_CCM_16_64_128, HkdfAlgorithm.HKDF_HMAC_SHA_256, salt)));
      byte[] psk = new byte[16];
      Arrays.fill(psk, (byte) 0x33);
      bed.securityStore.add(SecurityInfo.newPreSharedKeyInfo("urn:dev:dtls", "dtls-identity", psk));

      Testbed.EdhocClient edhoc = bed.edhocClient(EP, bed.clientIdentity(EP, (byte) 0x2b), new byte[] {0x07});
      edhoc.client.start();
      LeshanClient stat = bed.client("urn:dev:static", new CoapOscoreProtocolProvider(), Security.oscoreOnly(bed.coapUri().toString(), 123, 0),
          new Oscore(0, new OscoreSetting(new byte[] {0x06}, new byte[] {0x05}, secret, AeadAlgorithm.AES_CCM_16_64_128,
              HkdfAlgorithm.HKDF_HMAC_SHA_256, salt)));
      stat.start();
      LeshanClient dtls = bed.client("urn:dev:dtls", new CoapsClientProtocolProvider(),
          Security.psk(bed.coapsUri().toString(), 123, "dtls-identity".getBytes(java.nio.charset.StandardCharsets.UTF_8), psk), null);
      dtls.start();

      Registration e = edhoc.awaitRegistered(bed, EP);
      Registration s = bed.awaitRegistration("urn:dev:static");
      Registration d = bed.awaitRegistration("urn:dev:dtls");
      assertThat(((OscoreIdentity) s.getClientTransportData().getIdentity()).getRecipientId()).containsExactly(0x06);
      assertThat(d.getClientTransportData().getIdentity()).isInstanceOf(PskIdentity.class);
      byte[] edhocRid = ((OscoreIdentity) e.getClientTransportData().getIdentity()).getRecipientId();
      assertThat(edhocRid).as("C_R avoids the static Recipient ID").isNotEqualTo(new byte[] {0x06});
      for (Registration reg : new Registration[] {e, s, d}) {
        ReadResponse read = bed.server.send(reg, new ReadRequest(3, 0, 0));
        assertThat(read.isSuccess()).as("Read on %s: %s", reg.getEndpoint(), read).isTrue();
      }
      assertThat(bed.bindings.get(new byte[] {0x06})).as("static context is not an EDHOC binding").isNull();
      assertThat(bed.edhocFactory.responderEngine().inUse(new byte[] {0x06})).as("static rid never allocated as C_R").isTrue();
    }
  }

  private static CoAP.ResponseCode updateWith(OSCoreCtx ctx, URI server, String registrationId) throws Exception {
    HashMapCtxDB db = new HashMapCtxDB();
    String base = "coap://" + server.getHost() + ":" + server.getPort();
    db.addContext(base, ctx);
    CoapEndpoint ep = new CoapEndpoint.Builder().setCoapStackFactory(new OSCoreCoapStackFactory()).setCustomCoapStackArgument(db)
        .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
    try {
      ep.start();
      Request post = Request.newPost();
      post.setURI(base + "/rd/" + registrationId);
      post.getOptions().setOscore(Bytes.EMPTY);
      CoapClient client = new CoapClient();
      client.setEndpoint(ep);
      client.setTimeout(5000L);
      CoapResponse r = client.advanced(post);
      client.shutdown();
      assertThat(r).as("response").isNotNull();
      return r.getCode();
    } finally {
      ep.destroy();
    }
  }

  /** Sends one datagram as is from a fresh socket and parses the answer. */
  static Response sendRaw(byte[] datagram, InetSocketAddress to) throws Exception {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      s.setSoTimeout(5000);
      s.send(new DatagramPacket(datagram, datagram.length, to));
      byte[] buf = new byte[2048];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      s.receive(p);
      Message m = new UdpDataParser().parseMessage(Arrays.copyOf(buf, p.getLength()));
      assertThat(m).isInstanceOf(Response.class);
      return (Response) m;
    }
  }
}
