package io.edhoc.oscore;

import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
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
 *   <li>{@link #send(Request)}: an OSCORE request that answers one Echo challenge of a server
 *       that lost the context's replay window (RFC 8613 B.1.2).
 * </ul>
 *
 * The forward flows are {@link InitiatorFlow} over {@link CoapEdhocTransport}, the same initiator
 * code as the service's {@code connect} and {@code bench}: an ERR_CODE 2 answer to message_1 is
 * retried once with the suites the server supports ({@link #negotiate(boolean)}), a message_2 that
 * fails verification is answered with the EDHOC error message, and a 4.01 carrying an Echo option
 * (RFC 9175) is answered once by repeating the request with that Echo value. The client's
 * connection identifier (its Recipient ID) avoids identifiers installed in the DB.
 */
public final class EdhocCoapClient {
  public static final String EDHOC_PATH = "/.well-known/edhoc";

  private final EdhocConfig config;
  private final Endpoint endpoint;
  private final CaliforniumContexts contexts;
  private final EdhocOscoreStackFactory stack;
  private boolean expectMessage4;
  private boolean negotiate = true;
  private long timeoutMillis = 10_000;

  /** An established session, its OSCORE context and the Californium context installed for it. */
  public static final class Established {
    private final EdhocSession session;
    private final OscoreContext context;
    private final OSCoreCtx installed;
    private final String uri;

    private final boolean negotiated;

    Established(EdhocSession session, OscoreContext context, OSCoreCtx installed, String uri, boolean negotiated) {
      this.negotiated = negotiated;
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

    /** An ERR_CODE 2 answer made the client retry with another cipher suite (section 6.3). */
    public boolean negotiated() {
      return negotiated;
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

  /**
   * Whether an ERR_CODE 2 answer to message_1 leads to one retry with another of the configured
   * suites (default true).
   */
  public EdhocCoapClient negotiate(boolean on) {
    this.negotiate = on;
    return this;
  }

  /** Forward flow against {@code serverUri} (e.g. {@code coap://127.0.0.1:5683}); message_3 in its own POST. */
  public Established establish(String serverUri) throws EdhocException, IOException, ConnectorException {
    InitiatorFlow.Completed c = await(flow(serverUri).run());
    return install(serverUri, c.session(), c.oscore(), c.negotiated());
  }

  /**
   * Forward flow with the RFC 9668 combined request: after message_2, the OSCORE context is
   * installed and {@code firstRequest} (its URI on the same server) is sent OSCORE-protected with
   * message_3 and the EDHOC option. The server's OSCORE response is the key confirmation: until
   * it arrives the client has authenticated nothing of its own message_3's fate (an answer
   * without OSCORE, e.g. 4.00 with an EDHOC error message, means the server refused message_3).
   */
  public CombinedResult establishCombined(String serverUri, Request firstRequest) throws EdhocException, IOException, ConnectorException {
    if (stack == null) {
      throw new IllegalStateException("combined requests need the endpoint built with EdhocOscoreStackFactory");
    }
    InitiatorFlow.FirstLeg leg = await(flow(serverUri).firstRoundTrip());
    Initiator.AwaitingMessage4 w4 = leg.state();
    byte[] m3 = w4.message3();
    // method 4: the Responder is authenticated only by a verified OSCORE response (draft-ietf-lake-edhoc-psk section 8)
    boolean psk = w4.method().isPsk();
    EdhocSession session = psk ? w4.completeWithUnauthenticatedResponder() : w4.complete();
    Established e = install(serverUri, session, OscoreContext.fromEdhoc(session), leg.negotiated());
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
    return new Established(e.session(), updated, ctx, e.uri(), e.negotiated());
  }

  /**
   * Sends an OSCORE-protected request (set its OSCORE option, e.g. {@code Bytes.EMPTY}) through this
   * client's endpoint and answers one Echo challenge: a server that lost the context's replay
   * window (restart, another cluster node, RFC 8613 B.1.2) answers 4.01 + Echo, and the request is
   * sent once more with that value ({@link OscoreEchoClient}). Null on timeout.
   */
  public CoapResponse send(Request request) throws IOException, ConnectorException {
    CoapClient c = new CoapClient();
    c.setEndpoint(endpoint);
    c.setTimeout(timeoutMillis);
    try {
      return OscoreEchoClient.send(c, request);
    } finally {
      c.shutdown();
    }
  }

  // ------------------------------------------------------------------------------------------

  private InitiatorFlow flow(String serverUri) {
    return new InitiatorFlow(config, new CoapEdhocTransport(endpoint, edhocUri(serverUri), timeoutMillis)).negotiate(negotiate)
        .expectMessage4(expectMessage4);
  }

  /** Waits for the flow (bounded by the transport's timeout); its failures as this class has always thrown them. */
  private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws EdhocException, IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable t = e.getCause();
      if (t instanceof InitiatorFlow.FlowException fe) {
        EdhocException cause = fe.edhocCause();
        if (cause instanceof io.edhoc.EdhocPeerErrorException) {
          throw cause;
        }
        if (cause != null) {
          // same type and failure as the core's, with the flow's message (e.g. that the error message was sent)
          throw new EdhocException(cause.failure(), cause.errorCode(), cause.errorMessage(), fe.getMessage());
        }
        throw new IOException(fe.getMessage(), fe);
      }
      if (t instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(t.getMessage(), t);
    }
  }

  private Established install(String serverUri, EdhocSession session) {
    return install(serverUri, session, OscoreContext.fromEdhoc(session), false);
  }

  private Established install(String serverUri, EdhocSession session, OscoreContext ctx, boolean negotiated) {
    try {
      OSCoreCtx installed = contexts.installClient(ctx, serverUri);
      return new Established(session, ctx, installed, serverUri, negotiated);
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
