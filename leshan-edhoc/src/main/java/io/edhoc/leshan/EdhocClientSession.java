package io.edhoc.leshan;

import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.EdhocCoapClient;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import io.edhoc.oscore.OscoreContext;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSCoreCtxDB;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EDHOC state of a Leshan client towards one server: runs the handshake on the client's own
 * CoAP endpoint (the two EDHOC POSTs are the only unprotected requests), installs the OSCORE
 * context in that endpoint's context DB, retires the previous one first, and reports the new
 * context (to refresh object 21). The client's C_I (its Recipient ID) is fixed, from object 21:
 * Leshan identifies the server's requests by it.
 */
public final class EdhocClientSession {
  private static final Logger LOG = LoggerFactory.getLogger(EdhocClientSession.class);

  private final URI serverUri;
  private final String base;
  private final OSCoreCtxDB db;
  private final CaliforniumContexts contexts;
  private final EdhocCoapClient client;
  private final EdhocConfig flowConfig;
  private final Endpoint endpoint;
  private final EdhocOscoreStackFactory stack;
  private final java.net.InetSocketAddress destination;
  private final long timeoutMillis;
  private volatile boolean awaitingConfirmation;
  private final List<Consumer<OscoreContext>> listeners = new CopyOnWriteArrayList<>();
  private OSCoreCtx current;
  private volatile boolean valid;
  private int handshakes;

  EdhocClientSession(URI serverUri, java.net.InetSocketAddress destination, EdhocConfig config, byte[] connectionIdI, Endpoint endpoint,
      OSCoreCtxDB db, EdhocOscoreStackFactory stack, boolean expectMessage4, long timeoutMillis) {
    this.destination = destination;
    this.endpoint = endpoint;
    this.stack = stack;
    this.timeoutMillis = timeoutMillis;
    this.serverUri = Objects.requireNonNull(serverUri);
    this.base = serverUri.getScheme() + "://" + serverUri.getRawAuthority();
    this.db = db;
    this.contexts = new CaliforniumContexts(db);
    byte[] cI = connectionIdI.clone();
    this.client = new EdhocCoapClient(config, endpoint, contexts, stack, peer -> cI.clone()).expectMessage4(expectMessage4)
        .timeoutMillis(timeoutMillis);
    this.flowConfig = config.toBuilder().connectionIds(peer -> cI.clone()).build();
  }

  public URI serverUri() {
    return serverUri;
  }

  /** Called with each new context (after it is installed). */
  public void addListener(Consumer<OscoreContext> listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  /** Runs EDHOC unless a context established here is believed valid. */
  public synchronized void ensure() throws EdhocException, IOException, ConnectorException {
    if (!valid) {
      establish();
    }
  }

  /** Runs EDHOC now: the previous context (if any) is removed first and never used again. */
  public synchronized OscoreContext establish() throws EdhocException, IOException, ConnectorException {
    retire();
    EdhocCoapClient.Established e = client.establish(base);
    current = e.installed();
    handshakes++;
    valid = true;
    OscoreContext ctx = e.oscoreContext();
    e.session().close(); // no EDHOC_KeyUpdate on this path: wipe the session's secrets
    LOG.debug("EDHOC with {} done ({} {}), OSCORE context installed", serverUri, ctx.aead(), e.installed().getSenderIdString());
    for (Consumer<OscoreContext> l : listeners) {
      l.accept(ctx);
    }
    return ctx;
  }

  /**
   * RFC 9668: runs the first round trip (message_1 / message_2), installs the context and arms the
   * endpoint so that the <em>next</em> OSCORE-protected request to the server (the Register that
   * follows) carries message_3 and the EDHOC option; the server's protected response confirms the
   * keys ({@link #confirmed()}). Methods 0-3 (method 4 needs message_4 or a verified response
   * before the keys may be used: falls back to {@link #establish()}). Does nothing if a valid
   * context exists.
   */
  public synchronized void ensureCombined() throws EdhocException, IOException, ConnectorException {
    if (valid) {
      return;
    }
    retire();
    io.edhoc.oscore.InitiatorFlow.FirstLeg leg;
    try {
      leg = new io.edhoc.oscore.InitiatorFlow(flowConfig, new io.edhoc.oscore.CoapEdhocTransport(endpoint, base, timeoutMillis))
          .firstRoundTrip().get(2 * timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("EDHOC with " + serverUri + " failed: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("EDHOC with " + serverUri + ": no message_2 within " + 2 * timeoutMillis + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    io.edhoc.Initiator.AwaitingMessage4 w4 = leg.state();
    if (w4.method().isPsk()) {
      w4.completeWithUnauthenticatedResponder().close(); // wipe; method 4 runs the full flow
      establish();
      return;
    }
    byte[] m3 = w4.message3();
    io.edhoc.EdhocSession session = w4.complete();
    OscoreContext ctx;
    try {
      ctx = OscoreContext.fromEdhoc(session);
      current = contexts.installClient(ctx, base);
    } finally {
      session.close();
    }
    stack.attachMessage3ToNext(destination, m3);
    handshakes++;
    valid = true;
    awaitingConfirmation = true;
    LOG.debug("EDHOC with {}: message_3 goes with the next OSCORE request (RFC 9668)", serverUri);
    for (Consumer<OscoreContext> l : listeners) {
      l.accept(ctx);
    }
  }

  /** The server answered a request on the new context: a combined handshake is confirmed. */
  public void confirmed() {
    awaitingConfirmation = false;
  }

  /** True between {@link #ensureCombined()} and the first answer on that context. */
  public boolean awaitingConfirmation() {
    return awaitingConfirmation;
  }

  /** The server refused our context (4.01): the next {@link #ensure()} runs EDHOC again. */
  public void invalidate() {
    valid = false;
    if (awaitingConfirmation) {
      stack.detachNext(destination);
      awaitingConfirmation = false;
    }
  }

  public boolean isValid() {
    return valid;
  }

  /** The Californium context in use, or null. */
  public synchronized OSCoreCtx currentContext() {
    return current;
  }

  public synchronized int handshakes() {
    return handshakes;
  }

  private void retire() {
    valid = false;
    awaitingConfirmation = false;
    stack.detachNext(destination);
    if (current != null) {
      contexts.remove(current);
    }
    current = null;
  }
}
