package io.edhoc.oscore;

import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.EdhocPeerErrorException;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Responder;
import io.edhoc.credentials.ConnectionIdCodec;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.Objects;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.oscore.OSCoreCtx;

/**
 * EDHOC over CoAP as a client (RFC 9528 Appendix A.2) on Californium's {@link CoapClient}: runs a
 * handshake against a server, installs the OSCORE context of Appendix A.1 in the endpoint's
 * context DB (through {@link CaliforniumContexts}) and returns it. Requests through the same
 * endpoint to that server with an (empty) OSCORE option are then protected.
 *
 * <ul>
 *   <li>{@link #establish(String)}: forward flow, the client is the Initiator; message_3 in its own
 *       POST, message_4 read when {@link #expectMessage4(boolean)} (always for method 4);
 *   <li>{@link #establishCombined(String, Request)}: forward flow with the RFC 9668 combined
 *       request: message_3 travels with the first OSCORE request (needs the endpoint built with
 *       {@link EdhocOscoreStackFactory});
 *   <li>{@link #establishReverse(String)}: reverse flow, the client is the Responder;
 *   <li>{@link #keyUpdate(Established, byte[])}: EDHOC_KeyUpdate and atomic replacement.
 * </ul>
 *
 * The client's connection identifier (its Recipient ID) avoids identifiers installed in the DB. An
 * ERR_CODE 2 answer to message_1 is retried once with the suites the server supports. A 4.01 answer
 * carrying an Echo option (RFC 9175, the server's reachability check of RFC 9528 A.2) is answered
 * once by sending the same request again with that Echo value.
 */
public final class EdhocCoapClient {
  public static final String EDHOC_PATH = "/.well-known/edhoc";

  private final EdhocConfig config;
  private final Endpoint endpoint;
  private final CaliforniumContexts contexts;
  private final EdhocOscoreStackFactory stack;
  private boolean expectMessage4;
  private long timeoutMillis = 10_000;

  /** An established session, its OSCORE context and the Californium context installed for it. */
  public static final class Established {
    private final EdhocSession session;
    private final OscoreContext context;
    private final OSCoreCtx installed;
    private final String uri;

    Established(EdhocSession session, OscoreContext context, OSCoreCtx installed, String uri) {
      this.session = session;
      this.context = context;
      this.installed = installed;
      this.uri = uri;
    }

    public EdhocSession session() {
      return session;
    }

    public OscoreContext oscoreContext() {
      return context;
    }

    public OSCoreCtx installed() {
      return installed;
    }

    public String uri() {
      return uri;
    }
  }

  /** The result of a combined request: the handshake and the response to the first OSCORE request. */
  public record CombinedResult(Established established, CoapResponse response) {}

  /**
   * @param stack the endpoint's stack factory (needed for combined requests only, may be null)
   */
  public EdhocCoapClient(EdhocConfig config, Endpoint endpoint, CaliforniumContexts contexts, EdhocOscoreStackFactory stack) {
    this(config, endpoint, contexts, stack, null);
  }

  /**
   * @param connectionIds how this client picks its connection identifier (its OSCORE Recipient
   *     ID); null for a {@link RecipientIdAllocator} avoiding the IDs installed in the DB. A fixed
   *     identifier suits a client whose Recipient ID is provisioned (an LwM2M client's object 21):
   *     the caller then removes the previous context before running EDHOC again.
   */
  public EdhocCoapClient(EdhocConfig config, Endpoint endpoint, CaliforniumContexts contexts, EdhocOscoreStackFactory stack,
      io.edhoc.ConnectionIdAllocator connectionIds) {
    this.contexts = Objects.requireNonNull(contexts);
    this.endpoint = Objects.requireNonNull(endpoint);
    this.stack = stack;
    io.edhoc.ConnectionIdAllocator ids = connectionIds != null ? connectionIds
        : new RecipientIdAllocator(config.crypto().random(), RecipientIdAllocator.maxLengthFor(config.suites()), contexts::recipientIdInUse);
    this.config = config.toBuilder().connectionIds(ids).build();
  }

  /** The server sends message_4 after message_3 (application profile). */
  public EdhocCoapClient expectMessage4(boolean expect) {
    this.expectMessage4 = expect;
    return this;
  }

  public EdhocCoapClient timeoutMillis(long millis) {
    this.timeoutMillis = millis;
    return this;
  }

  /** Forward flow against {@code serverUri} (e.g. {@code coap://127.0.0.1:5683}); message_3 in its own POST. */
  public Established establish(String serverUri) throws EdhocException, IOException, ConnectorException {
    Initiator.AwaitingMessage4 w4 = firstRoundTrip(serverUri);
    byte[] cR = w4.connectionIdR();
    CoapResponse r = post(serverUri, concat(ConnectionIdCodec.encode(cR), w4.message3()));
    EdhocSession session;
    if (expectMessage4 || w4.method().isPsk()) {
      session = w4.readMessage4(r.getPayload());
    } else {
      if (!r.isSuccess()) {
        throw new IOException("server refused message_3: " + r.getCode() + describeError(r));
      }
      session = w4.complete();
    }
    return install(serverUri, session);
  }

  /**
   * Forward flow with the RFC 9668 combined request: after message_2, the OSCORE context is
   * installed and {@code firstRequest} (its URI on the same server) is sent OSCORE-protected with
   * message_3 and the EDHOC option. The server's OSCORE response is the key confirmation.
   */
  public CombinedResult establishCombined(String serverUri, Request firstRequest) throws EdhocException, IOException, ConnectorException {
    if (stack == null) {
      throw new IllegalStateException("combined requests need the endpoint built with EdhocOscoreStackFactory");
    }
    Initiator.AwaitingMessage4 w4 = firstRoundTrip(serverUri);
    byte[] m3 = w4.message3();
    // method 4: the Responder is authenticated only by a verified OSCORE response (draft-ietf-lake-edhoc-psk section 8)
    boolean psk = w4.method().isPsk();
    Established e = install(serverUri, psk ? w4.completeWithUnauthenticatedResponder() : w4.complete());
    firstRequest.getOptions().setOscore(Bytes.EMPTY);
    stack.attachMessage3(firstRequest, m3);
    try {
      CoapClient c = client(firstRequest.getURI());
      CoapResponse response = c.advanced(firstRequest);
      c.shutdown();
      if (response == null || (psk && !response.getOptions().hasOscore())) {
        if (psk) {
          // no verified OSCORE response: the PSK Responder is not authenticated, drop the keys
          contexts.remove(e.installed());
          e.session().close();
        }
        throw new IOException(response == null
            ? "no response to the EDHOC + OSCORE request within " + timeoutMillis + " ms"
            : "the response to the EDHOC + OSCORE request is not OSCORE-protected (" + response.getCode() + "): responder not authenticated");
      }
      if (psk) {
        e.session().markResponderAuthenticated();
      }
      return new CombinedResult(e, response);
    } finally {
      stack.detach(firstRequest);
    }
  }

  /** Reverse flow (A.2.2): an empty POST, the server is the Initiator and this client the Responder. */
  public Established establishReverse(String serverUri) throws EdhocException, IOException, ConnectorException {
    CoapResponse r1 = post(serverUri, new byte[0]);
    if (!r1.isSuccess()) {
      throw new IOException("server refused the reverse flow: " + r1.getCode());
    }
    Responder.Message1Received m1 = Edhoc.responder(config).readMessage1(r1.getPayload());
    Responder.AwaitingMessage3 w3 = m1.writeMessage2();
    byte[] prefix = ConnectionIdCodec.encode(w3.connectionIdI());
    CoapResponse r3 = post(serverUri, concat(prefix, w3.message2()));
    Responder.Message3Verified v3 = w3.readMessage3(r3.getPayload());
    EdhocSession session;
    if (expectMessage4 || w3.method().isPsk()) {
      Responder.Completed c = v3.writeMessage4();
      CoapResponse r4 = post(serverUri, concat(prefix, c.message4()));
      if (!r4.isSuccess()) {
        c.session().close();
        throw new IOException("server refused message_4: " + r4.getCode() + describeError(r4));
      }
      session = c.session();
    } else {
      session = v3.complete();
    }
    return install(serverUri, session);
  }

  /** EDHOC_KeyUpdate(context) and atomic replacement of the installed context; returns the new state. */
  public Established keyUpdate(Established e, byte[] context) {
    OscoreContext updated = OscoreContext.keyUpdate(e.session(), context, e.oscoreContext());
    OSCoreCtx ctx = contexts.replace(e.installed(), updated, e.uri());
    return new Established(e.session(), updated, ctx, e.uri());
  }

  // ------------------------------------------------------------------------------------------

  private Initiator.AwaitingMessage4 firstRoundTrip(String serverUri) throws EdhocException, IOException, ConnectorException {
    Initiator initiator = Edhoc.initiator(config);
    for (int attempt = 0; ; attempt++) {
      Initiator.AwaitingMessage2 w2 = initiator.writeMessage1();
      CoapResponse r = post(serverUri, concat(new byte[] {(byte) 0xf5}, w2.message1()));
      if (r.getCode() == org.eclipse.californium.core.coap.CoAP.ResponseCode.UNAUTHORIZED) {
        throw new IOException("server answered message_1 with 4.01 Unauthorized" + (EchoOption.isChallenge(r.advanced())
            ? " again after the Echo option was repeated (RFC 9175 reachability check failed)" : ""));
      }
      try {
        Initiator.Message2Verified v2 = w2.readMessage2(r.getPayload());
        if (Arrays.equals(v2.connectionIdR(), v2.connectionIdI())) {
          throw new IOException("server chose C_R = C_I: refused (it would be both OSCORE Sender and Recipient ID)");
        }
        return v2.writeMessage3();
      } catch (EdhocPeerErrorException e) {
        if (attempt == 0 && e.peerErrorCode() == 2) {
          initiator = w2.retryAfter(e);
          continue;
        }
        throw e;
      }
    }
  }

  private Established install(String serverUri, EdhocSession session) {
    OscoreContext ctx = OscoreContext.fromEdhoc(session);
    try {
      OSCoreCtx installed = contexts.installClient(ctx, serverUri);
      return new Established(session, ctx, installed, serverUri);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  private CoapResponse post(String serverUri, byte[] payload) throws IOException, ConnectorException {
    CoapResponse r = post(serverUri, payload, null);
    if (EchoOption.isChallenge(r.advanced())) {
      // RFC 9175 2.3: repeat the request once with the Echo value; a second challenge is the answer
      r = post(serverUri, payload, EchoOption.get(r.getOptions()));
    }
    return r;
  }

  private CoapResponse post(String serverUri, byte[] payload, byte[] echo) throws IOException, ConnectorException {
    Request request = new Request(Code.POST);
    request.setURI(edhocUri(serverUri));
    request.setPayload(payload);
    if (payload.length > 0) {
      request.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
    }
    if (echo != null) {
      EchoOption.set(request.getOptions(), echo);
    }
    CoapClient c = client(request.getURI());
    try {
      CoapResponse r = c.advanced(request);
      if (r == null) {
        throw new IOException("no response from " + request.getURI() + " within " + timeoutMillis + " ms");
      }
      return r;
    } finally {
      c.shutdown();
    }
  }

  private CoapClient client(String uri) {
    CoapClient c = new CoapClient(uri);
    c.setEndpoint(endpoint);
    c.setTimeout(timeoutMillis);
    return c;
  }

  static String edhocUri(String serverUri) {
    URI u = URI.create(serverUri);
    return u.getScheme() + "://" + u.getRawAuthority() + EDHOC_PATH;
  }

  private static String describeError(CoapResponse r) {
    byte[] p = r.getPayload();
    if (p == null || p.length == 0) {
      return "";
    }
    try {
      return " " + io.edhoc.ErrorMessage.parse(p);
    } catch (Exception e) {
      return "";
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
