package io.edhoc.leshan;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Method;
import io.edhoc.credentials.KeyGenerator;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.coap.EmptyMessage;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.interceptors.MessageInterceptor;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.engine.DefaultRegistrationEngineFactory;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.SecurityMode;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.server.bootstrap.BootstrapConfig;
import org.eclipse.leshan.server.bootstrap.BootstrapFailureCause;
import org.eclipse.leshan.server.bootstrap.BootstrapSession;
import org.eclipse.leshan.server.bootstrap.BootstrapSessionAdapter;
import org.eclipse.leshan.server.bootstrap.InMemoryBootstrapConfigStore;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServer;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServerBuilder;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.CaliforniumBootstrapServerEndpoint;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.CaliforniumBootstrapServerEndpointsProvider;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coap.CoapBootstrapServerProtocolProvider;
import org.eclipse.leshan.server.security.BootstrapSecurityStoreAdapter;
import org.eclipse.leshan.server.security.InMemorySecurityStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A client bootstraps over EDHOC-keyed OSCORE with a real Leshan bootstrap server, then registers with the DM server. */
class LeshanEdhocBootstrapTest {
  private static final String EP = "urn:dev:edhoc-bs";

  @BeforeAll
  static void californium() {
    CoapConfig.register();
    UdpConfig.register();
    Configuration.setStandard(Configuration.createStandardWithoutFile());
  }

  @Test
  void bootstrapOverEdhocThenRegister() throws Exception {
    try (Testbed dm = new Testbed(Method.STAT_STAT, CipherSuite.SUITE_2)) {
      dm.startServer(0, false); // the DM server: NoSec for this client (Leshan's default authorizer)
      KeyGenerator.CcsKeyPair clientKey = dm.clientIdentity(EP, (byte) 0x2b);

      // bootstrap server with the EDHOC endpoint (same server credential as the DM server's, for brevity)
      EdhocPeerBindings bsBindings = new EdhocPeerBindings();
      EdhocBootstrapServerEndpointFactory bsFactory = new EdhocBootstrapServerEndpointFactory(URI.create("coap://127.0.0.1:0"),
          dm.serverConfig(), bsBindings, EndpointNameMapper.ccsSubject());
      CaliforniumBootstrapServerEndpointsProvider.Builder bsEndpoints = new CaliforniumBootstrapServerEndpointsProvider.Builder(
          new CoapBootstrapServerProtocolProvider());
      bsEndpoints.addEndpoint(bsFactory);
      InMemoryBootstrapConfigStore configs = new InMemoryBootstrapConfigStore();
      BootstrapConfig config = new BootstrapConfig();
      config.toDelete = List.of("/0", "/1");
      BootstrapConfig.ServerSecurity dmSecurity = new BootstrapConfig.ServerSecurity();
      dmSecurity.uri = dm.coapUri().toString();
      dmSecurity.serverId = 123;
      dmSecurity.securityMode = SecurityMode.NO_SEC;
      config.security.put(1, dmSecurity);
      BootstrapConfig.ServerConfig dmServer = new BootstrapConfig.ServerConfig();
      dmServer.shortId = 123;
      config.servers.put(0, dmServer);
      configs.add(EP, config);
      BootstrapSecurityStoreAdapter bsSecurity = new BootstrapSecurityStoreAdapter(new InMemorySecurityStore());
      LeshanBootstrapServerBuilder bsb = new LeshanBootstrapServerBuilder();
      bsb.setEndpointsProviders(bsEndpoints.build());
      bsb.setConfigStore(configs);
      bsb.setSecurityStore(bsSecurity);
      bsb.setAuthorizer(new EdhocBootstrapAuthorizer(bsBindings, bsSecurity));
      LeshanBootstrapServer bs = bsb.build();
      List<String> sessions = new CopyOnWriteArrayList<>();
      bs.addListener(new BootstrapSessionAdapter() {
        @Override
        public void authorized(BootstrapSession session) {
          sessions.add("authorized " + (session.getClientTransportData().getIdentity() instanceof OscoreIdentity ? "oscore" : "other"));
        }

        @Override
        public void end(BootstrapSession session) {
          sessions.add("end");
        }

        @Override
        public void failed(BootstrapSession session, BootstrapFailureCause cause) {
          sessions.add("failed " + cause);
        }
      });
      List<Boolean> bsReceivedOscore = new CopyOnWriteArrayList<>();
      List<Boolean> bsSentOscore = new CopyOnWriteArrayList<>();
      bs.start();
      ((CaliforniumBootstrapServerEndpoint) bs.getEndpoint(Protocol.COAP)).getCoapEndpoint().addInterceptor(new MessageInterceptor() {
        @Override
        public void receiveRequest(Request request) {
          bsReceivedOscore.add(request.getOptions().hasOscore());
        }

        @Override
        public void sendRequest(Request request) {
          bsSentOscore.add(request.getOptions().hasOscore());
        }

        @Override
        public void sendResponse(Response response) {}

        @Override
        public void sendEmptyMessage(EmptyMessage message) {}

        @Override
        public void receiveResponse(Response response) {}

        @Override
        public void receiveEmptyMessage(EmptyMessage message) {}
      });
      URI bsUri = bs.getEndpoint(Protocol.COAP).getURI();

      // client: only a bootstrap account, keyed by EDHOC
      EdhocOscoreInstance oscore = new EdhocOscoreInstance(0, new byte[] {0x09}, 10);
      EdhocClientEndpointFactory factory = new EdhocClientEndpointFactory(dm.clientConfig(clientKey))
          .onSession(s -> s.addListener(oscore::refresh));
      ObjectsInitializer init = new ObjectsInitializer();
      init.setInstancesForObject(LwM2mId.SECURITY, Security.oscoreOnlyBootstrap(bsUri.toString(), 0));
      init.setInstancesForObject(LwM2mId.OSCORE, oscore);
      init.setInstancesForObject(LwM2mId.DEVICE, new Device("io.edhoc", "bootstrap-test", "sn-bs"));
      CaliforniumClientEndpointsProvider.Builder endpoints = new CaliforniumClientEndpointsProvider.Builder(
          new EdhocClientProtocolProvider(factory));
      endpoints.setClientAddress(InetAddress.getLoopbackAddress());
      DefaultRegistrationEngineFactory engine = new DefaultRegistrationEngineFactory();
      engine.setRetryWaitingTimeInMs(300);
      LeshanClientBuilder cb = new LeshanClientBuilder(EP);
      init.setClassForObject(LwM2mId.SERVER, org.eclipse.leshan.client.object.Server.class);
      cb.setObjects(init.createAll());
      cb.setEndpointsProviders(endpoints.build());
      cb.setRegistrationEngineFactory(engine);
      cb.setBootstrapConsistencyChecker(new EdhocBootstrapConsistencyChecker());
      LeshanClient client = cb.build();
      client.addObserver(new EdhocRegistrationHook(factory));
      dm.clients.add(client);
      try {
        client.start();
        dm.awaitRegistration(EP);
        assertThat(sessions).containsExactly("authorized oscore", "end");
        assertThat(factory.session(bsUri.toString()).handshakes()).isEqualTo(1);
        // the client sends message_1, message_3 and the Bootstrap-Request; the rest comes from the server
        assertThat(bsReceivedOscore).as("requests the bootstrap server received").hasSize(3);
        assertThat(bsReceivedOscore.subList(0, 2)).as("the two EDHOC POSTs").containsOnly(false);
        assertThat(bsReceivedOscore.subList(2, bsReceivedOscore.size())).as("Bootstrap-Request and the rest").containsOnly(true);
        assertThat(bsSentOscore).as("Delete, Writes, Bootstrap-Finish from the server").hasSizeGreaterThanOrEqualTo(3).containsOnly(true);
        Testbed.await(() -> bsBindings.size() == 0, "the end of the bootstrap session to remove the EDHOC binding");
        assertThat(bsFactory.contextDb().getContext(oscore.senderId())).as("and its context").isNull();
      } finally {
        bs.destroy();
      }
    }
  }
}
