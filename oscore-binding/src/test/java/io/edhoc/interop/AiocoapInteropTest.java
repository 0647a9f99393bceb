package io.edhoc.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edhoc.CipherSuite;
import io.edhoc.ConnectionIdAllocator;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.EdhocCoapClient;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import io.edhoc.oscore.EdhocResource;
import io.edhoc.oscore.OscoreContext;
import io.edhoc.oscore.ResponderEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * aiocoap 0.4.17 (with lakers-python 0.6.2 inside) over CoAP on 127.0.0.1 against our side.
 *
 * <p>Our initiator against {@code interop/aiocoap_server.py} (EDHOC responder + OSCORE server):
 * message_1 and {@code C_R || message_3} are POSTed to /.well-known/edhoc (RFC 9528 A.2), message_4
 * is read from the second response, the OSCORE context of RFC 9528 A.1 is derived by our binding
 * ({@link OscoreContext#fromEdhoc}) and installed in Californium's OSCORE stack, and an
 * OSCORE-protected GET /hello must return 2.05 with aiocoap's greeting for our identity.
 *
 * <p>One aiocoap server per configuration, started on first use and killed after the class
 * (aiocoap serves about 47 EDHOC sessions per process). The suite fails (it never skips) when
 * {@code interop/.venv} is missing: run {@code bash interop/setup.sh}.
 */
class AiocoapInteropTest {
  private static final List<String> RESULTS = Collections.synchronizedList(new ArrayList<>());
  private static final Map<String, Server> SERVERS = new HashMap<>();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int CONTENT_FORMAT_EDHOC_CBOR_SEQ = 64;
  private static final int CONTENT_FORMAT_CID_EDHOC_CBOR_SEQ = 65;
  private static final long TIMEOUT_MS = 10_000;

  static final String CRED_I = "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820"
      + "ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb6225820"
      + "6e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8";
  static final String SK_I = "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b";
  static final String CRED_R = "a2026b6578616d706c652e65647508a101a501020241322001215820"
      + "bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f0225820"
      + "4519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072";
  static final String SK_R = "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac";

  private static Identity rfcI;
  private static Identity rfcR;
  private static Identity freshI;
  private static Identity freshR;
  private static Configuration coapConfig;

  record Identity(CcsCredential cred, byte[] d) {
    CosePrivateKey key() {
      return new CosePrivateKey(CoseCurve.P_256, d.clone(), cred.publicKey());
    }

    OwnCredential own(boolean byValue) {
      return byValue ? OwnCredential.byValue(cred, key()) : OwnCredential.byReference(cred, key());
    }
  }

  /** A running aiocoap_server.py and its port. */
  record Server(PythonProcess process, int port) {}

  @BeforeAll
  static void setUp() throws Exception {
    Path python = PythonProcess.python();
    assertTrue(Files.isExecutable(python),
        "interop venv missing: " + python + " does not exist. Run `bash interop/setup.sh` (test.sh does this) before the "
            + "interop tests; they fail instead of skipping so that a missing peer is noticed.");
    rfcI = new Identity(CcsCredential.parse(Hex.decode(CRED_I)), Hex.decode(SK_I));
    rfcR = new Identity(CcsCredential.parse(Hex.decode(CRED_R)), Hex.decode(SK_R));
    freshI = fresh("fresh-initiator", new byte[] {0x0a});
    freshR = fresh("fresh-responder", new byte[] {0x0b});
    CoapConfig.register();
    UdpConfig.register();
    coapConfig = Configuration.createStandardWithoutFile();
  }

  @AfterAll
  static void tearDown() throws IOException {
    synchronized (SERVERS) {
      for (Server s : SERVERS.values()) {
        s.process.close();
      }
      SERVERS.clear();
    }
    Path out = Paths.get("target", "interop", "aiocoap-results.txt");
    Files.createDirectories(out.getParent());
    List<String> lines = new ArrayList<>(RESULTS);
    Collections.sort(lines);
    Files.write(out, lines, StandardCharsets.UTF_8);
  }

  private static Identity fresh(String sub, byte[] kid) {
    CosePrivateKey k = CoseKeys.generate(CoseCurve.P_256, RANDOM);
    return new Identity(CcsCredential.create(sub, k.publicKey(), kid), k.exportSecret());
  }

  private static DynamicTest recorded(String name, Executable body) {
    return DynamicTest.dynamicTest(name, () -> {
      try {
        body.execute();
        RESULTS.add("PASS\t" + name);
      } catch (Throwable t) {
        RESULTS.add("FAIL\t" + name);
        throw t;
      }
    });
  }

  /** The aiocoap server for a configuration: own credential sent by kid or by value; RFC 9529 or fresh identities. */
  private static Server server(boolean serverByValue, boolean fresh) throws Exception {
    return server(serverByValue, fresh, "");
  }

  /** {@code tag}: a separate server for the same configuration (e.g. one whose C_R sequence is known). */
  private static Server server(boolean serverByValue, boolean fresh, String tag) throws Exception {
    String key = serverByValue + "/" + fresh + "/" + tag;
    synchronized (SERVERS) {
      Server s = SERVERS.get(key);
      if (s != null && s.process.isAlive()) {
        return s;
      }
      for (int attempt = 0; attempt < 5; attempt++) {
        int port = PythonProcess.freeUdpPort(5690, 5710);
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(port),
            "--cred-style", serverByValue ? "by-value" : "by-kid", "--max-seconds", "600", "-v"));
        if (fresh) {
          args.addAll(List.of("--own-cred", Hex.encode(freshR.cred.cred()), "--own-key", Hex.encode(freshR.d),
              "--peer-cred", Hex.encode(freshI.cred.cred())));
        }
        PythonProcess p = PythonProcess.start("aiocoap_server.py", "aiocoap-server-" + port, args);
        String first = p.nextLine(30);
        if ("ready".equals(first)) {
          s = new Server(p, port);
          SERVERS.put(key, s);
          return s;
        }
        int code = p.waitFor(10);
        p.close();
        if (code != 3) { // 3 = port taken between our probe and its bind: try another
          throw new AssertionError("aiocoap_server.py did not start (exit " + code + ")\n" + p.diagnostics());
        }
      }
      throw new AssertionError("aiocoap_server.py: no usable port");
    }
  }

  // ---------------------------------------------------------------- our initiator -> aiocoap responder

  @TestFactory
  Stream<DynamicTest> ourInitiatorAgainstAiocoapServer() {
    List<DynamicTest> tests = new ArrayList<>();
    for (boolean combined : new boolean[] {true, false}) {
      for (boolean fresh : new boolean[] {false, true}) {
        for (boolean serverByValue : new boolean[] {false, true}) {
          for (boolean ourByValue : new boolean[] {false, true}) {
            String name = "our initiator -> aiocoap responder, method 3 suite 2, " + (fresh ? "fresh P-256 CCS" : "RFC 9529 CCS")
                + ", ours " + (ourByValue ? "by value" : "kid") + ", aiocoap's " + (serverByValue ? "by value" : "kid")
                + (combined ? ", combined request (RFC 9668), no message_4" : ", no combined request, message_4") + ", OSCORE GET /hello";
            tests.add(recorded(name, () -> ourInitiatorCase(fresh, serverByValue, ourByValue, combined)));
          }
        }
      }
    }
    tests.add(recorded("our initiator -> aiocoap responder, method 3 suite 2, RFC 9529 CCS, kid, message_2 with the last bit flipped: "
        + "we reject with an EDHOC error message; aiocoap cannot process it (no success response)",
        this::flippedMessage2FromAiocoap));
    return tests.stream();
  }

  /** Through the binding: {@link EdhocCoapClient} on an endpoint with {@link EdhocOscoreStackFactory}. */
  private void ourInitiatorCase(boolean fresh, boolean serverByValue, boolean ourByValue, boolean combined) throws Exception {
    Server server = server(serverByValue, fresh);
    Identity me = fresh ? freshI : rfcI;
    Identity peer = fresh ? freshR : rfcR;
    EdhocConfig cfg = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).credential(me.own(ourByValue))
        .peers(new InMemoryCredentialStore().add(peer.cred)).build();
    String base = "coap://127.0.0.1:" + server.port;
    HashMapCtxDB db = new HashMapCtxDB();
    CaliforniumContexts contexts = new CaliforniumContexts(db);
    EdhocOscoreStackFactory stack = new EdhocOscoreStackFactory(db, null);
    CoapEndpoint endpoint = stack.endpointBuilder(coapConfig).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    CoapClient client = new CoapClient();
    try {
      endpoint.start();
      client.setEndpoint(endpoint);
      client.setTimeout(TIMEOUT_MS);
      EdhocCoapClient edhoc = new EdhocCoapClient(cfg, endpoint, contexts, stack).timeoutMillis(TIMEOUT_MS).expectMessage4(!combined);
      CoapResponse hello;
      EdhocCoapClient.Established established;
      if (combined) {
        Request get = Request.newGet();
        get.setURI(base + "/hello");
        EdhocCoapClient.CombinedResult r = edhoc.establishCombined(base, get);
        established = r.established();
        hello = r.response();
      } else {
        established = edhoc.establish(base);
        Request get = Request.newGet();
        get.setURI(base + "/hello");
        get.getOptions().setOscore(Bytes.EMPTY);
        hello = client.advanced(get);
      }
      assertNotNull(hello, "no response to the OSCORE GET /hello\n" + server.process.diagnostics());
      assertEquals(CoAP.ResponseCode.CONTENT, hello.getCode(), hello.getResponseText() + "\n" + server.process.diagnostics());
      assertThat(hello.getOptions().hasOscore()).as("the response is OSCORE-protected").isTrue();
      assertEquals("hello :peer-0", hello.getResponseText());
      established.session().close();
    } finally {
      client.shutdown();
      endpoint.destroy();
    }
  }

  /** Our core directly on Californium, to tamper with message_2 on the way in. */
  private void flippedMessage2FromAiocoap() throws Exception {
    // a server of its own, so that its first C_R is known: -24 (0x37), as C_I is fixed to 5
    Server server = server(false, false, "negative");
    EdhocConfig cfg = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).credential(rfcI.own(false))
        .peers(new InMemoryCredentialStore().add(rfcR.cred)).connectionIds(ConnectionIdAllocator.fixed(new byte[] {5})).build();
    String base = "coap://127.0.0.1:" + server.port;
    CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(coapConfig).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0))
        .build();
    CoapClient client = new CoapClient();
    client.setEndpoint(endpoint);
    client.setTimeout(TIMEOUT_MS);
    try {
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(cfg).writeMessage1();
      CoapResponse r2 = post(client, base + "/.well-known/edhoc", concat(new byte[] {(byte) 0xf5}, w2.message1()), server);
      byte[] m2 = r2.getPayload().clone();
      m2[m2.length - 1] ^= 1;
      EdhocException e = catchThrowableOfType(EdhocException.class, () -> w2.readMessage2(m2));
      assertThat(e).as("our initiator rejects the flipped message_2").isNotNull();
      assertThat(e.errorMessage()).as("an EDHOC error message to send").isNotNull();
      // C_R is in the plaintext_2 we could not decrypt; this server's first C_R is -24 (0x37)
      Request post = Request.newPost();
      post.setURI(base + "/.well-known/edhoc");
      post.getOptions().setContentFormat(CONTENT_FORMAT_CID_EDHOC_CBOR_SEQ);
      post.setPayload(concat(new byte[] {0x37}, e.errorMessage()));
      client.setTimeout(3000L);
      CoapResponse r = client.advanced(post);
      // aiocoap reads any C_R-prefixed payload as message_3; lakers 0.6.2 then panics in
      // parse_message_3 (edhoc.rs:724, slice index out of range) and no response comes back
      assertThat(r == null || !r.isSuccess()).as("aiocoap must not accept our error message as message_3 (%s)\n%s",
          r == null ? "no response" : r.getCode() + " " + r.getResponseText(), server.process.diagnostics()).isTrue();
      assertThat(server.process.isAlive()).as("the aiocoap server survives").isTrue();
    } finally {
      client.shutdown();
      endpoint.destroy();
    }
  }

  // ---------------------------------------------------------------- aiocoap initiator -> our responder

  /**
   * Our CoAP server on 127.0.0.1, built from the binding: {@link EdhocResource} at
   * /.well-known/edhoc over a {@link ResponderEngine}, {@link EdhocOscoreStackFactory} (OSCORE plus
   * the RFC 9668 combined-request layer, EDHOC option registered), contexts installed through
   * {@link CaliforniumContexts}, and /hello answering only OSCORE requests. {@code message4}: the
   * application profile's choice (aiocoap's plain message_3 POST needs it, RFC 9668 forbids it with
   * the combined request).
   */
  static final class OurServer implements AutoCloseable {
    final CoapServer server;
    final ResponderEngine engine;
    final int port;
    final List<OscoreContext> established = Collections.synchronizedList(new ArrayList<>());

    OurServer(EdhocConfig cfg, boolean message4) {
      HashMapCtxDB db = new HashMapCtxDB();
      CaliforniumContexts contexts = new CaliforniumContexts(db);
      engine = ResponderEngine.builder(cfg).message4(message4).recipientIdsInUse(contexts::recipientIdInUse)
          .listener(contexts.serverListener()).listener((session, oc) -> established.add(oc)).build();
      EdhocOscoreStackFactory stack = new EdhocOscoreStackFactory(db, engine);
      CoapEndpoint endpoint = stack.endpointBuilder(coapConfig).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
      server = new CoapServer(coapConfig);
      server.addEndpoint(endpoint);
      EdhocResource.addTo(server, engine);
      server.add(new CoapResource("hello") {
        @Override
        public void handleGET(CoapExchange exchange) {
          if (!exchange.getRequestOptions().hasOscore()) {
            exchange.respond(CoAP.ResponseCode.UNAUTHORIZED, "OSCORE required");
            return;
          }
          exchange.respond(CoAP.ResponseCode.CONTENT, "hello from Java");
        }
      });
      server.start();
      port = endpoint.getAddress().getPort();
    }

    @Override
    public void close() {
      server.destroy();
    }
  }

  @TestFactory
  Stream<DynamicTest> aiocoapInitiatorAgainstOurServer() {
    List<DynamicTest> tests = new ArrayList<>();
    for (boolean combined : new boolean[] {true, false}) {
      for (boolean fresh : new boolean[] {false, true}) {
        for (boolean clientByValue : new boolean[] {false, true}) {
          for (boolean ourByValue : new boolean[] {false, true}) {
            String name = "aiocoap initiator -> our responder, method 3 suite 2, " + (fresh ? "fresh P-256 CCS" : "RFC 9529 CCS")
                + ", ours " + (ourByValue ? "by value" : "kid") + ", aiocoap's " + (clientByValue ? "by value" : "kid")
                + (combined ? ", combined request (RFC 9668), no message_4" : ", no combined request, message_4") + ", OSCORE GET /hello";
            tests.add(recorded(name, () -> aiocoapClientCase(fresh, clientByValue, ourByValue, false, combined)));
          }
        }
      }
      tests.add(recorded("aiocoap initiator (TOFU: no expected CRED_R) -> our responder, method 3 suite 2, fresh P-256 CCS, ours by value, "
          + "aiocoap's kid" + (combined ? ", combined request (RFC 9668), no message_4" : ", no combined request, message_4")
          + ", OSCORE GET /hello", () -> aiocoapClientCase(true, false, true, true, combined)));
    }
    return tests.stream();
  }

  private void aiocoapClientCase(boolean fresh, boolean clientByValue, boolean ourByValue, boolean clientTofu, boolean combined)
      throws Exception {
    Identity me = fresh ? freshR : rfcR;
    Identity peer = fresh ? freshI : rfcI;
    EdhocConfig cfg = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).credential(me.own(ourByValue))
        .peers(new InMemoryCredentialStore().add(peer.cred)).build();
    try (OurServer server = new OurServer(cfg, !combined)) {
      List<String> args = new ArrayList<>(List.of("coap://127.0.0.1:" + server.port + "/hello",
          "--cred-style", clientByValue ? "by-value" : "by-kid", "--timeout", "10"));
      if (!combined) {
        args.add("--no-combined");
      }
      args.addAll(List.of("--own-cred", Hex.encode(peer.cred.cred()), "--own-key", Hex.encode(peer.d)));
      if (clientTofu) {
        args.add("--unauthenticated-peer");
      } else {
        args.addAll(List.of("--peer-cred", Hex.encode(me.cred.cred())));
      }
      try (PythonProcess client = PythonProcess.start("aiocoap_client.py", "aiocoap-client", args)) {
        int exit = client.waitFor(30);
        List<String> out = client.remainingLines();
        assertEquals(0, exit, "aiocoap_client.py exit status\n" + client.diagnostics());
        assertEquals(List.of("hello from Java"), out, client.diagnostics());
      }
      assertEquals(1, server.established.size(), "one EDHOC session completed on our side");
    }
  }

  private static CoapResponse post(CoapClient client, String uri, byte[] payload, Server server) throws Exception {
    Request post = Request.newPost();
    post.setURI(uri);
    post.getOptions().setContentFormat(CONTENT_FORMAT_CID_EDHOC_CBOR_SEQ);
    post.setPayload(payload);
    CoapResponse r = client.advanced(post);
    assertNotNull(r, "no response from aiocoap to POST " + uri + "\n" + server.process.diagnostics());
    assertTrue(r.isSuccess(), "aiocoap answered " + r.getCode() + " " + r.getResponseText() + "\n" + server.process.diagnostics());
    return r;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
