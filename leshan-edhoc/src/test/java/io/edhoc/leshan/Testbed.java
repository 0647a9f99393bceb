package io.edhoc.leshan;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.cose.CoseCurve;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.KeyGenerator;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.eclipse.californium.core.coap.EmptyMessage;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.interceptors.MessageInterceptor;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.ClientProtocolProvider;
import org.eclipse.leshan.client.engine.DefaultRegistrationEngineFactory;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.resource.LwM2mInstanceEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpoint;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerProtocolProvider;
import org.eclipse.leshan.server.californium.endpoint.coaps.CoapsServerProtocolProvider;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.security.InMemorySecurityStore;

/** A real Leshan server (EDHOC endpoint, optionally a coaps endpoint) and real Leshan clients on 127.0.0.1. */
final class Testbed implements AutoCloseable {
  static final KeyGenerator KEYS = new KeyGenerator();

  final Method method;
  final CipherSuite suite;
  final KeyGenerator.CcsKeyPair serverKey;
  final InMemoryCredentialStore trustedClients = new InMemoryCredentialStore();
  final InMemorySecurityStore securityStore = new InMemorySecurityStore();
  EdhocPeerBindings bindings = new EdhocPeerBindings();
  LeshanServer server;
  EdhocServerEndpointFactory edhocFactory;
  final List<LeshanClient> clients = new ArrayList<>();
  /** Protected datagrams the server received, in order (raw bytes). */
  final List<byte[]> serverReceivedProtected = new CopyOnWriteArrayList<>();

  Testbed(Method method, CipherSuite suite) {
    this.method = method;
    this.suite = suite;
    this.serverKey = KEYS.ccs(method.responderSigns() ? suite.signatureCurve() : suite.dhCurve(), "lwm2m-server", new byte[] {0x32});
  }

  /** A client identity: a CCS whose subject is {@code subject}, trusted by the server. */
  KeyGenerator.CcsKeyPair clientIdentity(String subject, byte kid) {
    CoseCurve curve = method.initiatorSigns() ? suite.signatureCurve() : suite.dhCurve();
    KeyGenerator.CcsKeyPair k = KEYS.ccs(curve, subject, new byte[] {kid});
    trustedClients.add(k.ccs());
    return k;
  }

  final List<io.edhoc.credentials.PskCredential> pskEntries = new CopyOnWriteArrayList<>();

  /** Method 4: a fresh PSK entry whose CRED_I CCS names {@code subject}; the server knows it. */
  EdhocConfig pskClientConfig(String subject, byte kid) throws Exception {
    byte[] key = new byte[16];
    new java.security.SecureRandom().nextBytes(key);
    byte[] k = {kid};
    io.edhoc.credentials.PskCredential entry = io.edhoc.credentials.PskCredential.of(io.edhoc.credentials.IdCred.kid(k), key,
        io.edhoc.credentials.PskCredential.ccs(subject, k, key), io.edhoc.credentials.PskCredential.ccs("lwm2m-server", k, key));
    pskEntries.add(entry);
    return EdhocConfig.builder().methods(Method.PSK).suites(suite).psk(entry).build();
  }

  EdhocConfig serverConfig() {
    if (method == Method.PSK) {
      return EdhocConfig.builder().methods(method).suites(suite).psks(pskEntries).build();
    }
    return EdhocConfig.builder().methods(method).suites(suite).credential(serverKey.byReference()).peers(trustedClients).build();
  }

  EdhocConfig clientConfig(KeyGenerator.CcsKeyPair k) {
    return EdhocConfig.builder().methods(method).suites(suite).credential(k.byReference())
        .peers(new InMemoryCredentialStore().add(serverKey.ccs())).build();
  }

  void startServer(int port, boolean withDtls) {
    edhocFactory = new EdhocServerEndpointFactory(URI.create("coap://127.0.0.1:" + port), serverConfig(), bindings,
        EndpointNameMapper.ccsSubject());
    CaliforniumServerEndpointsProvider.Builder endpoints = withDtls
        ? new CaliforniumServerEndpointsProvider.Builder(new CoapServerProtocolProvider(), new CoapsServerProtocolProvider())
        : new CaliforniumServerEndpointsProvider.Builder(new CoapServerProtocolProvider());
    endpoints.addEndpoint(edhocFactory);
    if (withDtls) {
      endpoints.addEndpoint("coaps://127.0.0.1:0");
    }
    LeshanServerBuilder b = new LeshanServerBuilder();
    b.setEndpointsProviders(endpoints.build());
    b.setSecurityStore(securityStore);
    b.setAuthorizer(new EdhocAuthorizer(bindings, securityStore));
    server = b.build();
    server.start();
    coapEndpoint().addInterceptor(new MessageInterceptor() {
      @Override
      public void sendRequest(Request request) {}

      @Override
      public void sendResponse(Response response) {}

      @Override
      public void sendEmptyMessage(EmptyMessage message) {}

      @Override
      public void receiveRequest(Request request) {
        if (request.getOptions().hasOscore() && request.getBytes() != null) {
          serverReceivedProtected.add(request.getBytes().clone());
        }
      }

      @Override
      public void receiveResponse(Response response) {}

      @Override
      public void receiveEmptyMessage(EmptyMessage message) {}
    });
  }

  CoapEndpoint coapEndpoint() {
    return (CoapEndpoint) ((CaliforniumServerEndpoint) server.getEndpoint(Protocol.COAP)).getCoapEndpoint();
  }

  URI coapUri() {
    return server.getEndpoint(Protocol.COAP).getURI();
  }

  URI coapsUri() {
    return server.getEndpoint(Protocol.COAPS).getURI();
  }

  void stopServer() {
    if (server != null) {
      server.destroy();
      server = null;
    }
  }

  /** What one client did: its observer callbacks, and every message its CoAP endpoint sent or received. */
  static final class ClientRecord extends LwM2mClientObserverAdapter implements MessageInterceptor {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Wire> wire = new CopyOnWriteArrayList<>();
    final Map<String, ResponseCode> failures = new ConcurrentHashMap<>();
    volatile String registrationId;

    record Wire(boolean outgoing, boolean request, String code, boolean oscore, String path, boolean edhocOption) {}

    private void add(boolean out, Message m) {
      String path = m instanceof Request r ? r.getOptions().getUriPathString() : "";
      String code = m instanceof Request r ? r.getCode().name() : ((Response) m).getCode().toString();
      wire.add(new Wire(out, m instanceof Request, code, m.getOptions().hasOscore(), path,
          m.getOptions().hasOption(io.edhoc.oscore.EdhocOption.DEFINITION)));
    }

    @Override
    public void sendRequest(Request request) {
      add(true, request);
    }

    @Override
    public void sendResponse(Response response) {
      add(true, response);
    }

    @Override
    public void sendEmptyMessage(EmptyMessage message) {}

    @Override
    public void receiveRequest(Request request) {
      add(false, request);
    }

    @Override
    public void receiveResponse(Response response) {
      add(false, response);
    }

    @Override
    public void receiveEmptyMessage(EmptyMessage message) {}

    @Override
    public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationID) {
      registrationId = registrationID;
      events.add("registered");
    }

    @Override
    public void onRegistrationFailure(LwM2mServer server, RegisterRequest request, ResponseCode responseCode, String errorMessage,
        Exception cause) {
      events.add("register-failed " + responseCode);
      if (responseCode != null) {
        failures.put("register", responseCode);
      }
    }

    @Override
    public void onUpdateSuccess(LwM2mServer server, org.eclipse.leshan.core.request.UpdateRequest request) {
      events.add("updated");
    }

    @Override
    public void onUpdateFailure(LwM2mServer server, org.eclipse.leshan.core.request.UpdateRequest request, ResponseCode responseCode,
        String errorMessage, Exception cause) {
      events.add("update-failed " + responseCode);
    }

    @Override
    public void onDeregistrationSuccess(LwM2mServer server, org.eclipse.leshan.core.request.DeregisterRequest request) {
      events.add("deregistered");
    }
  }

  /** An EDHOC client: the object 21 instance and the factory are returned through {@code out}. */
  static final class EdhocClient {
    LeshanClient client;
    EdhocClientEndpointFactory factory;
    EdhocOscoreInstance oscore;
    final ClientRecord record = new ClientRecord();

    String serverUri;

    /** The server's registration, once the client has also seen the Register response. */
    Registration awaitRegistered(Testbed bed, String endpoint) {
      Registration reg = bed.awaitRegistration(endpoint);
      await(() -> record.registrationId != null, "the client to see its Register answered");
      return reg;
    }

    EdhocClientSession session() {
      return factory.session(serverUri);
    }
  }

  EdhocClient edhocClient(String endpoint, KeyGenerator.CcsKeyPair identity, byte[] connectionIdI) {
    return edhocClient(endpoint, identity, connectionIdI, false);
  }

  EdhocClient edhocClient(String endpoint, KeyGenerator.CcsKeyPair identity, byte[] connectionIdI, boolean combinedRegister) {
    return edhocClient(endpoint, clientConfig(identity), connectionIdI, combinedRegister);
  }

  EdhocClient edhocClient(String endpoint, EdhocConfig clientConfig, byte[] connectionIdI, boolean combinedRegister) {
    EdhocClient c = new EdhocClient();
    c.oscore = new EdhocOscoreInstance(0, connectionIdI, io.edhoc.oscore.CaliforniumContexts.aead(suite.applicationAead()).AsCBOR().AsInt32());
    c.factory = new EdhocClientEndpointFactory(clientConfig).onEndpoint(e -> e.addInterceptor(c.record))
        .onSession(s -> s.addListener(c.oscore::refresh)).combinedRegister(combinedRegister);
    c.serverUri = coapUri().toString();
    c.client = client(endpoint, new EdhocClientProtocolProvider(c.factory), Security.oscoreOnly(c.serverUri, 123, 0), c.oscore);
    c.client.addObserver(new EdhocRegistrationHook(c.factory));
    c.client.addObserver(c.record);
    return c;
  }

  LeshanClient client(String endpoint, ClientProtocolProvider protocol, Security security, LwM2mInstanceEnabler oscore) {
    ObjectsInitializer init = new ObjectsInitializer();
    init.setInstancesForObject(LwM2mId.SECURITY, security);
    init.setInstancesForObject(LwM2mId.SERVER, new Server(123, 300));
    init.setInstancesForObject(LwM2mId.DEVICE, new Device("io.edhoc", "leshan-edhoc-test", "sn-" + endpoint));
    if (oscore != null) {
      init.setInstancesForObject(LwM2mId.OSCORE, oscore);
    }
    CaliforniumClientEndpointsProvider.Builder endpoints = new CaliforniumClientEndpointsProvider.Builder(protocol);
    endpoints.setClientAddress(InetAddress.getLoopbackAddress());
    DefaultRegistrationEngineFactory engine = new DefaultRegistrationEngineFactory();
    engine.setRetryWaitingTimeInMs(300);
    LeshanClientBuilder b = new LeshanClientBuilder(endpoint);
    b.setObjects(init.createAll());
    b.setEndpointsProviders(endpoints.build());
    b.setRegistrationEngineFactory(engine);
    b.setBootstrapConsistencyChecker(new EdhocBootstrapConsistencyChecker());
    LeshanClient client = b.build();
    clients.add(client);
    return client;
  }

  Registration awaitRegistration(String endpoint) {
    await(() -> server.getRegistrationService().getByEndpoint(endpoint) != null, "registration of " + endpoint);
    return server.getRegistrationService().getByEndpoint(endpoint);
  }

  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    for (LeshanClient c : clients) {
      try {
        c.destroy(false);
      } catch (RuntimeException ignored) {
        // already destroyed
      }
    }
    stopServer();
  }
}
