package io.edhoc.leshan.example;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.KeyGenerator;
import io.edhoc.leshan.EdhocAuthorizer;
import io.edhoc.leshan.EdhocBootstrapConsistencyChecker;
import io.edhoc.leshan.EdhocClientEndpointFactory;
import io.edhoc.leshan.EdhocClientProtocolProvider;
import io.edhoc.leshan.EdhocOscoreInstance;
import io.edhoc.leshan.EdhocPeerBindings;
import io.edhoc.leshan.EdhocRegistrationHook;
import io.edhoc.leshan.EdhocServerEndpointFactory;
import io.edhoc.leshan.EndpointNameMapper;
import io.edhoc.oscore.CaliforniumContexts;
import java.net.InetAddress;
import java.net.URI;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerProtocolProvider;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.eclipse.leshan.server.security.InMemorySecurityStore;

/**
 * A Leshan LwM2M server and client keyed by EDHOC, both in this JVM on 127.0.0.1 (ephemeral
 * ports, fresh CCS credentials): EDHOC (method 3, suite 2 by default), Register, a server Read and
 * Write, Update, Deregister, all OSCORE-protected. Arguments: {@code [demo] [method] [suite]}, e.g.
 * {@code 0 6}; or {@code server ...} / {@code client ...} to run them as two processes
 * ({@link LwM2mEdhocProcesses}). See docs/lwm2m.md.
 */
public final class LwM2mEdhocDemo {
  private LwM2mEdhocDemo() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("demo.verbose") == null) {
      quietLogs();
    }
    CoapConfig.register();
    UdpConfig.register();
    Configuration.setStandard(Configuration.createStandardWithoutFile());
    String mode = args.length > 0 && !Character.isDigit(args[0].charAt(0)) ? args[0] : "demo";
    String[] rest = mode.equals("demo") && (args.length == 0 || Character.isDigit(args[0].charAt(0))) ? args
        : java.util.Arrays.copyOfRange(args, 1, args.length);
    switch (mode) {
      case "demo" -> demo(rest);
      case "server" -> LwM2mEdhocProcesses.server(LwM2mEdhocProcesses.Options.parse(rest));
      case "client" -> LwM2mEdhocProcesses.client(LwM2mEdhocProcesses.Options.parse(rest));
      default -> {
        System.err.println(LwM2mEdhocProcesses.USAGE);
        System.exit(2);
      }
    }
  }

  /** Server and client in this JVM, one full lifecycle. Arguments: {@code [method] [suite]}. */
  static void demo(String[] args) throws Exception {
    Method method = args.length > 0 ? Method.fromId(Integer.parseInt(args[0])) : Method.STAT_STAT;
    CipherSuite suite = args.length > 1 ? CipherSuite.fromId(Integer.parseInt(args[1])) : CipherSuite.SUITE_2;

    String endpoint = "urn:dev:edhoc-demo";
    KeyGenerator keys = new KeyGenerator();
    KeyGenerator.CcsKeyPair serverKey = keys.ccs(method.responderSigns() ? suite.signatureCurve() : suite.dhCurve(), "lwm2m-server",
        new byte[] {0x32});
    // the client's CCS subject is its LwM2M endpoint name: EndpointNameMapper.ccsSubject() binds them
    KeyGenerator.CcsKeyPair clientKey = keys.ccs(method.initiatorSigns() ? suite.signatureCurve() : suite.dhCurve(), endpoint,
        new byte[] {0x2b});

    // ---- server: Leshan with the EDHOC endpoint and the EDHOC-aware authorizer ----
    EdhocConfig serverEdhoc = EdhocConfig.builder().methods(method).suites(suite).credential(serverKey.byReference())
        .peers(new InMemoryCredentialStore().add(clientKey.ccs())).build();
    EdhocPeerBindings bindings = new EdhocPeerBindings();
    InMemorySecurityStore securityStore = new InMemorySecurityStore();
    EdhocServerEndpointFactory edhocEndpoint = new EdhocServerEndpointFactory(URI.create("coap://127.0.0.1:0"), serverEdhoc, bindings,
        EndpointNameMapper.ccsSubject());
    CaliforniumServerEndpointsProvider.Builder endpoints = new CaliforniumServerEndpointsProvider.Builder(new CoapServerProtocolProvider());
    endpoints.addEndpoint(edhocEndpoint);
    LeshanServerBuilder sb = new LeshanServerBuilder();
    sb.setEndpointsProviders(endpoints.build());
    sb.setSecurityStore(securityStore);
    sb.setAuthorizer(new EdhocAuthorizer(bindings, securityStore));
    LeshanServer server = sb.build();
    CountDownLatch registered = new CountDownLatch(1);
    CountDownLatch updated = new CountDownLatch(1);
    CountDownLatch deregistered = new CountDownLatch(1);
    server.getRegistrationService().addListener(new RegistrationListener() {
      @Override
      public void registered(Registration reg, Registration previous, java.util.Collection<Observation> obs) {
        registered.countDown();
      }

      @Override
      public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {
        updated.countDown();
      }

      @Override
      public void unregistered(Registration reg, java.util.Collection<Observation> obs, boolean expired, Registration newReg) {
        deregistered.countDown();
      }
    });
    server.start();
    URI serverUri = server.getEndpoint(Protocol.COAP).getURI();
    System.out.printf("LwM2M server on %s (EDHOC on /.well-known/edhoc), method %d, suite %d%n", serverUri, method.id(), suite.id());

    // ---- client: Leshan over our OSCORE stack, object 21 keyed by EDHOC ----
    EdhocConfig clientEdhoc = EdhocConfig.builder().methods(method).suites(suite).credential(clientKey.byReference())
        .peers(new InMemoryCredentialStore().add(serverKey.ccs())).build();
    EdhocOscoreInstance oscore = new EdhocOscoreInstance(0, new byte[] {0x07}, CaliforniumContexts.aead(suite.applicationAead()).AsCBOR().AsInt32());
    EdhocClientEndpointFactory factory = new EdhocClientEndpointFactory(clientEdhoc).onSession(s -> s.addListener(ctx -> {
      oscore.refresh(ctx);
      System.out.printf("client: EDHOC done, OSCORE Sender ID %s, Recipient ID %s (object 21 refreshed)%n",
          HexFormat.of().formatHex(ctx.senderId()), HexFormat.of().formatHex(ctx.recipientId()));
    }));
    ObjectsInitializer init = new ObjectsInitializer();
    init.setInstancesForObject(LwM2mId.SECURITY, Security.oscoreOnly(serverUri.toString(), 123, 0));
    init.setInstancesForObject(LwM2mId.SERVER, new Server(123, 300));
    init.setInstancesForObject(LwM2mId.DEVICE, new Device("io.edhoc", "leshan-edhoc demo", "0001"));
    init.setInstancesForObject(LwM2mId.OSCORE, oscore);
    CaliforniumClientEndpointsProvider.Builder clientEndpoints = new CaliforniumClientEndpointsProvider.Builder(
        new EdhocClientProtocolProvider(factory));
    clientEndpoints.setClientAddress(InetAddress.getLoopbackAddress());
    LeshanClientBuilder cb = new LeshanClientBuilder(endpoint);
    cb.setObjects(init.createAll());
    cb.setEndpointsProviders(clientEndpoints.build());
    cb.setBootstrapConsistencyChecker(new EdhocBootstrapConsistencyChecker());
    LeshanClient client = cb.build();
    client.addObserver(new EdhocRegistrationHook(factory));
    client.start();

    try {
      require(registered.await(15, TimeUnit.SECONDS), "registration");
      Registration reg = server.getRegistrationService().getByEndpoint(endpoint);
      System.out.printf("server: %s registered on the EDHOC context with Recipient ID %s%n", endpoint,
          HexFormat.of().formatHex(((OscoreIdentity) reg.getClientTransportData().getIdentity()).getRecipientId()));
      System.out.println("server: Read /3/0/0 -> " + server.send(reg, new ReadRequest(3, 0, 0)).getContent());
      System.out.println("server: Write /3/0/14 \"+01:00\" -> " + server.send(reg, new WriteRequest(3, 0, 14, "+01:00")).getCode());
      client.triggerRegistrationUpdate();
      require(updated.await(15, TimeUnit.SECONDS), "update");
      System.out.println("client: Update done");
      client.stop(true);
      require(deregistered.await(15, TimeUnit.SECONDS), "deregistration");
      System.out.println("client: deregistered; the server removed its EDHOC context (" + bindings.size() + " left)");
    } finally {
      client.destroy(false);
      server.destroy();
    }
  }

  /** Californium and Leshan log every message at DEBUG without a logging configuration: WARN for the demo (if logback is there). */
  private static void quietLogs() {
    try {
      Object root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      Class<?> level = Class.forName("ch.qos.logback.classic.Level");
      root.getClass().getMethod("setLevel", level).invoke(root, level.getField("WARN").get(null));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // another SLF4J binding: its own configuration applies
    }
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("timed out waiting for " + what);
    }
  }
}
