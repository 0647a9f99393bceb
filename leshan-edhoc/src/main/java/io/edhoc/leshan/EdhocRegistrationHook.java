package io.edhoc.leshan;

import java.util.Objects;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.request.BootstrapRequest;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.request.UpdateRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs EDHOC at the right moments of a Leshan client's registration engine (add it with {@code
 * LeshanClient.addObserver}):
 *
 * <ul>
 *   <li>before a Register or Bootstrap-Request to an EDHOC-keyed server, unless a context is
 *       believed valid (the observer is called on the registration engine's thread just before the
 *       request is sent; the handshake blocks that thread, as the request would);
 *   <li>after a 4.01 on Register or Update (the server lost or retired our context: restart,
 *       expiry, eviction): the context is marked invalid, and Leshan's engine, which registers again
 *       after a failed Update, runs into the first case.
 * </ul>
 *
 * A failed handshake is logged; the request then fails locally (no context: nothing is sent
 * unprotected) and Leshan retries later.
 */
public final class EdhocRegistrationHook extends LwM2mClientObserverAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(EdhocRegistrationHook.class);
  private final EdhocClientEndpointFactory factory;

  public EdhocRegistrationHook(EdhocClientEndpointFactory factory) {
    this.factory = Objects.requireNonNull(factory);
  }

  @Override
  public void onBootstrapStarted(LwM2mServer bsserver, BootstrapRequest request) {
    ensure(bsserver);
  }

  @Override
  public void onRegistrationStarted(LwM2mServer server, RegisterRequest request) {
    EdhocClientSession s = factory.session(server.getUri());
    if (s == null) {
      return;
    }
    try {
      if (factory.combinedRegister()) {
        s.ensureCombined();
      } else {
        s.ensure();
      }
    } catch (Exception e) {
      LOG.warn("EDHOC with {} failed: {}", server.getUri(), e.toString());
    }
  }

  @Override
  public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationID) {
    EdhocClientSession s = factory.session(server.getUri());
    if (s != null) {
      s.confirmed();
    }
  }

  @Override
  public void onRegistrationFailure(LwM2mServer server, RegisterRequest request, ResponseCode responseCode, String errorMessage,
      Exception cause) {
    unconfirmed(server);
    unauthorized(server, responseCode);
  }

  @Override
  public void onRegistrationTimeout(LwM2mServer server, RegisterRequest request) {
    unconfirmed(server);
  }

  /** A combined Register that got no success: its message_3 may not have been accepted, start over. */
  private void unconfirmed(LwM2mServer server) {
    EdhocClientSession s = factory.session(server.getUri());
    if (s != null && s.awaitingConfirmation()) {
      s.invalidate();
    }
  }

  @Override
  public void onUpdateFailure(LwM2mServer server, UpdateRequest request, ResponseCode responseCode, String errorMessage, Exception cause) {
    unauthorized(server, responseCode);
  }

  private void unauthorized(LwM2mServer server, ResponseCode code) {
    EdhocClientSession s = factory.session(server.getUri());
    if (s != null && code != null && code.getCode() == ResponseCode.UNAUTHORIZED_CODE) {
      LOG.info("{} refused our OSCORE context (4.01): EDHOC runs again before the next Register", server.getUri());
      s.invalidate();
    }
  }

  private void ensure(LwM2mServer server) {
    EdhocClientSession s = factory.session(server.getUri());
    if (s == null) {
      return;
    }
    try {
      s.ensure();
    } catch (Exception e) {
      LOG.warn("EDHOC with {} failed: {}", server.getUri(), e.toString());
    }
  }
}
