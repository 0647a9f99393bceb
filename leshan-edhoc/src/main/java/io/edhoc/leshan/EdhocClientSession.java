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
  private final List<Consumer<OscoreContext>> listeners = new CopyOnWriteArrayList<>();
  private EdhocCoapClient.Established current;
  private volatile boolean valid;
  private int handshakes;

  EdhocClientSession(URI serverUri, EdhocConfig config, byte[] connectionIdI, Endpoint endpoint, OSCoreCtxDB db,
      EdhocOscoreStackFactory stack, boolean expectMessage4, long timeoutMillis) {
    this.serverUri = Objects.requireNonNull(serverUri);
    this.base = serverUri.getScheme() + "://" + serverUri.getRawAuthority();
    this.db = db;
    this.contexts = new CaliforniumContexts(db);
    byte[] cI = connectionIdI.clone();
    this.client = new EdhocCoapClient(config, endpoint, contexts, stack, peer -> cI.clone()).expectMessage4(expectMessage4)
        .timeoutMillis(timeoutMillis);
  }

  public URI serverUri() {
    return serverUri;
  }

  /** Called with each new context (after it is installed). */
  public void addListener(Consumer<OscoreContext> listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  /** Runs EDHOC unless a context established here is believed valid. */
  public void ensure() throws EdhocException, IOException, ConnectorException {
    if (!valid) {
      establish();
    }
  }

  /** Runs EDHOC now: the previous context (if any) is removed first and never used again. */
  public synchronized OscoreContext establish() throws EdhocException, IOException, ConnectorException {
    retire();
    EdhocCoapClient.Established e = client.establish(base);
    current = e;
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

  /** The server refused our context (4.01): the next {@link #ensure()} runs EDHOC again. */
  public void invalidate() {
    valid = false;
  }

  public boolean isValid() {
    return valid;
  }

  /** The Californium context in use, or null. */
  public synchronized OSCoreCtx currentContext() {
    return current == null ? null : current.installed();
  }

  public synchronized int handshakes() {
    return handshakes;
  }

  private void retire() {
    valid = false;
    if (current != null) {
      synchronized (db) {
        contexts.remove(current.installed());
      }
      current = null;
    }
  }
}
