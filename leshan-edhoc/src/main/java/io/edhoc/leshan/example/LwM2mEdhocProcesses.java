package io.edhoc.leshan.example;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.cose.CoseCurve;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.CredentialFiles;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.KeyGenerator;
import io.edhoc.credentials.OwnCredential;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.core.LwM2mId;
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
 * The example as two processes sharing development credentials in a directory (P-256 CCS, so
 * suites 2 and 3 with any method 0-3): {@code server} runs a Leshan server with the EDHOC
 * endpoint until stopped and, for each registration, reads and writes the Device object;
 * {@code client} runs a Leshan client that keys OSCORE with EDHOC, registers, and deregisters when
 * stopped (Ctrl-C).
 */
final class LwM2mEdhocProcesses {
  static final String USAGE = String.join("\n",
      "usage: LwM2mEdhocDemo [demo] [METHOD] [SUITE]      server and client in one JVM, one lifecycle",
      "       LwM2mEdhocDemo server [--port 5683] [--dir .lwm2m-edhoc-dev] [--method 3] [--suite 2] [--combined]",
      "       LwM2mEdhocDemo client [--server coap://127.0.0.1:5683] [--dir .lwm2m-edhoc-dev] [--endpoint urn:dev:edhoc-demo]",
      "                             [--method 3] [--suite 2] [--combined]",
      "server and client share the credentials generated in --dir on first use (suites 2 and 3).");

  private LwM2mEdhocProcesses() {}

  static final class Options {
    int port = 5683;
    Path dir = Paths.get(".lwm2m-edhoc-dev");
    Method method = Method.STAT_STAT;
    CipherSuite suite = CipherSuite.SUITE_2;
    String server = "coap://127.0.0.1:5683";
    String endpoint = "urn:dev:edhoc-demo";
    boolean combined;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--combined")) {
          o.combined = true;
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
        }
        String v = args[++i];
        switch (a) {
          case "--port" -> o.port = Integer.parseInt(v);
          case "--dir" -> o.dir = Paths.get(v);
          case "--method" -> o.method = Method.fromId(Integer.parseInt(v));
          case "--suite" -> o.suite = CipherSuite.fromId(Integer.parseInt(v));
          case "--server" -> o.server = v;
          case "--endpoint" -> o.endpoint = v;
          default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
        }
      }
      if (o.suite.signatureCurve() != CoseCurve.P_256 || o.suite.dhCurve() != CoseCurve.P_256) {
        throw new IllegalArgumentException("the two-process example uses P-256 credentials: suite 2 or 3 (the in-JVM demo runs any)");
      }
      return o;
    }
  }

  /** Creates the development credentials once: server and client CCS (the client's subject is the endpoint name). */
  private static void ensureCredentials(Options o) throws Exception {
    Files.createDirectories(o.dir);
    KeyGenerator keys = new KeyGenerator();
    if (!Files.exists(o.dir.resolve("server.ccs"))) {
      KeyGenerator.CcsKeyPair k = keys.ccs(CoseCurve.P_256, "lwm2m-server", new byte[] {0x32});
      CredentialFiles.writeCbor(o.dir.resolve("server.ccs"), k.ccs().cred());
      CredentialFiles.writePrivateKey(o.dir.resolve("server.key.pem"), k.privateKey());
    }
    if (!Files.exists(o.dir.resolve("client.ccs"))) {
      KeyGenerator.CcsKeyPair k = keys.ccs(CoseCurve.P_256, o.endpoint, new byte[] {0x2b});
      CredentialFiles.writeCbor(o.dir.resolve("client.ccs"), k.ccs().cred());
      CredentialFiles.writePrivateKey(o.dir.resolve("client.key.pem"), k.privateKey());
    }
  }

  private static EdhocConfig config(Options o, String own, String peer) throws Exception {
    CcsCredential mine = CredentialFiles.readCcs(o.dir.resolve(own + ".ccs"));
    return EdhocConfig.builder().methods(o.method).suites(o.suite)
        .credential(OwnCredential.byReference(mine, CredentialFiles.readPrivateKey(o.dir.resolve(own + ".key.pem"))))
        .peers(new InMemoryCredentialStore().add(CredentialFiles.readCcs(o.dir.resolve(peer + ".ccs")))).build();
  }

  static void server(Options o) throws Exception {
    ensureCredentials(o);
    EdhocPeerBindings bindings = new EdhocPeerBindings();
    InMemorySecurityStore securityStore = new InMemorySecurityStore();
    EdhocServerEndpointFactory edhoc = new EdhocServerEndpointFactory(URI.create("coap://127.0.0.1:" + o.port), config(o, "server", "client"),
        bindings, EndpointNameMapper.ccsSubject());
    CaliforniumServerEndpointsProvider.Builder endpoints = new CaliforniumServerEndpointsProvider.Builder(new CoapServerProtocolProvider());
    endpoints.addEndpoint(edhoc);
    LeshanServerBuilder b = new LeshanServerBuilder();
    b.setEndpointsProviders(endpoints.build());
    b.setSecurityStore(securityStore);
    b.setAuthorizer(new EdhocAuthorizer(bindings, securityStore));
    LeshanServer server = b.build();
    server.getRegistrationService().addListener(new RegistrationListener() {
      @Override
      public void registered(Registration reg, Registration previous, Collection<Observation> obs) {
        String rid = reg.getClientTransportData().getIdentity() instanceof OscoreIdentity id ? HexFormat.of().formatHex(id.getRecipientId()) : "-";
        System.out.printf("registered: %s (OSCORE Recipient ID %s)%n", reg.getEndpoint(), rid);
        new Thread(() -> {
          try {
            System.out.println("  Read /3/0/0 -> " + server.send(reg, new ReadRequest(3, 0, 0)).getContent());
            System.out.println("  Write /3/0/14 -> " + server.send(reg, new WriteRequest(3, 0, 14, "+01:00")).getCode());
          } catch (Exception e) {
            System.out.println("  request failed: " + e);
          }
        }, "demo-requests").start();
      }

      @Override
      public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {
        System.out.println("updated: " + updatedReg.getEndpoint());
      }

      @Override
      public void unregistered(Registration reg, Collection<Observation> obs, boolean expired, Registration newReg) {
        System.out.printf("%s: %s; EDHOC contexts left: %d%n", expired ? "expired" : "deregistered", reg.getEndpoint(), bindings.size());
      }
    });
    server.start();
    System.out.printf("LwM2M server on %s, EDHOC on /.well-known/edhoc (method %d, suite %d); credentials in %s; Ctrl-C stops%n",
        server.getEndpoints().get(0).getURI(), o.method.id(), o.suite.id(), o.dir.toAbsolutePath());
    Runtime.getRuntime().addShutdownHook(new Thread(server::destroy));
    new CountDownLatch(1).await();
  }

  static void client(Options o) throws Exception {
    ensureCredentials(o);
    EdhocOscoreInstance oscore = new EdhocOscoreInstance(0, new byte[] {0x07}, CaliforniumContexts.aead(o.suite.applicationAead()).AsCBOR().AsInt32());
    EdhocClientEndpointFactory factory = new EdhocClientEndpointFactory(config(o, "client", "server")).combinedRegister(o.combined)
        .onSession(s -> s.addListener(ctx -> {
          oscore.refresh(ctx);
          System.out.printf("EDHOC done: OSCORE Sender ID %s, Recipient ID %s%s%n", HexFormat.of().formatHex(ctx.senderId()),
              HexFormat.of().formatHex(ctx.recipientId()), o.combined ? " (message_3 goes with the Register)" : "");
        }));
    ObjectsInitializer init = new ObjectsInitializer();
    init.setInstancesForObject(LwM2mId.SECURITY, Security.oscoreOnly(o.server, 123, 0));
    init.setInstancesForObject(LwM2mId.SERVER, new Server(123, 300));
    init.setInstancesForObject(LwM2mId.DEVICE, new Device("io.edhoc", "leshan-edhoc example", "0001"));
    init.setInstancesForObject(LwM2mId.OSCORE, oscore);
    CaliforniumClientEndpointsProvider.Builder endpoints = new CaliforniumClientEndpointsProvider.Builder(new EdhocClientProtocolProvider(factory));
    endpoints.setClientAddress(InetAddress.getLoopbackAddress());
    LeshanClientBuilder b = new LeshanClientBuilder(o.endpoint);
    b.setObjects(init.createAll());
    b.setEndpointsProviders(endpoints.build());
    b.setBootstrapConsistencyChecker(new EdhocBootstrapConsistencyChecker());
    LeshanClient client = b.build();
    client.addObserver(new EdhocRegistrationHook(factory));
    client.addObserver(new org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter() {
      @Override
      public void onRegistrationSuccess(org.eclipse.leshan.client.servers.LwM2mServer server,
          org.eclipse.leshan.core.request.RegisterRequest request, String registrationID) {
        System.out.println("registered with " + server.getUri() + " as " + o.endpoint + " (" + registrationID + "); Ctrl-C deregisters");
      }

      @Override
      public void onRegistrationFailure(org.eclipse.leshan.client.servers.LwM2mServer server,
          org.eclipse.leshan.core.request.RegisterRequest request, org.eclipse.leshan.core.ResponseCode code, String message, Exception cause) {
        System.out.println("Register failed: " + (code != null ? code : cause));
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      client.destroy(true);
      System.out.println("deregistered");
    }));
    client.start();
    new CountDownLatch(1).await();
  }
}
