package io.edhoc.leshan;

import java.util.Objects;
import java.util.function.Predicate;
import org.eclipse.leshan.core.peer.LwM2mIdentity;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.core.request.UplinkRequest;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.security.Authorization;
import org.eclipse.leshan.server.security.Authorizer;
import org.eclipse.leshan.server.security.DefaultAuthorizer;
import org.eclipse.leshan.server.security.SecurityStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leshan {@link Authorizer} for EDHOC-keyed OSCORE beside Leshan's own security:
 *
 * <ol>
 *   <li>a request on an EDHOC-keyed OSCORE context ({@link EdhocPeerBindings}) is admitted only
 *       when the registration's endpoint name is the one the peer that established the context
 *       may use (Register: 4.03 otherwise; Update/Deregister: Leshan's 4.00 "forbidden");
 *   <li>any other request for an endpoint name that currently has an EDHOC binding, or that
 *       {@link #requireEdhoc(Predicate)} names, is declined: nobody can take over an
 *       EDHOC-authenticated endpoint without OSCORE or with static keys or DTLS;
 *   <li>everything else goes to the delegate (by default Leshan's {@link DefaultAuthorizer} over the
 *       SecurityStore), so static OSCORE, DTLS and NoSec clients keep working as before.
 * </ol>
 */
public final class EdhocAuthorizer implements Authorizer {
  private static final Logger LOG = LoggerFactory.getLogger(EdhocAuthorizer.class);

  private final EdhocPeerBindings bindings;
  private final Authorizer delegate;
  private volatile Predicate<String> requireEdhoc = name -> false;

  public EdhocAuthorizer(EdhocPeerBindings bindings, SecurityStore securityStore) {
    this(bindings, new DefaultAuthorizer(securityStore));
  }

  public EdhocAuthorizer(EdhocPeerBindings bindings, Authorizer delegate) {
    this.bindings = Objects.requireNonNull(bindings);
    this.delegate = Objects.requireNonNull(delegate);
  }

  /** Endpoint names that must always come over an EDHOC-keyed context (default: none beyond live bindings). */
  public EdhocAuthorizer requireEdhoc(Predicate<String> endpointNames) {
    this.requireEdhoc = Objects.requireNonNull(endpointNames);
    return this;
  }

  @Override
  public Authorization isAuthorized(UplinkRequest<?> request, Registration registration, LwM2mPeer sender) {
    String endpoint = registration.getEndpoint();
    LwM2mIdentity identity = sender.getIdentity();
    if (identity instanceof OscoreIdentity oscore) {
      EdhocPeerBindings.Binding b = bindings.get(oscore.getRecipientId());
      if (b != null) {
        if (b.endpoint().equals(endpoint)) {
          return Authorization.approved();
        }
        LOG.debug("{} refused: endpoint name {} does not belong to EDHOC peer {} (allowed: {})", request.getClass().getSimpleName(),
            endpoint, b.peer(), b.endpoint());
        return Authorization.declined();
      }
    }
    if (bindings.forEndpoint(endpoint) != null || requireEdhoc.test(endpoint)) {
      LOG.debug("{} for endpoint {} refused: that endpoint is authenticated by EDHOC, the request was not on its context",
          request.getClass().getSimpleName(), endpoint);
      return Authorization.declined();
    }
    return delegate.isAuthorized(request, registration, sender);
  }
}
