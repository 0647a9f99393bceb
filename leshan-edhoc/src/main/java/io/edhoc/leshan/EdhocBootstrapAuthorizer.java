package io.edhoc.leshan;

import java.util.Objects;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.core.request.BootstrapRequest;
import org.eclipse.leshan.server.bootstrap.DefaultBootstrapAuthorizer;
import org.eclipse.leshan.server.security.Authorization;
import org.eclipse.leshan.server.security.BootstrapAuthorizer;
import org.eclipse.leshan.server.security.BootstrapSecurityStore;

/**
 * {@link EdhocAuthorizer}'s rules for the bootstrap server: a Bootstrap-Request on an EDHOC-keyed
 * context is admitted only for the endpoint name of the peer that established it; a request for an
 * endpoint name with a live EDHOC binding on any other security is declined; everything else goes
 * to Leshan's {@link DefaultBootstrapAuthorizer}.
 */
public final class EdhocBootstrapAuthorizer implements BootstrapAuthorizer {
  private final EdhocPeerBindings bindings;
  private final BootstrapAuthorizer delegate;

  public EdhocBootstrapAuthorizer(EdhocPeerBindings bindings, BootstrapSecurityStore securityStore) {
    this(bindings, new DefaultBootstrapAuthorizer(securityStore));
  }

  public EdhocBootstrapAuthorizer(EdhocPeerBindings bindings, BootstrapAuthorizer delegate) {
    this.bindings = Objects.requireNonNull(bindings);
    this.delegate = Objects.requireNonNull(delegate);
  }

  @Override
  public Authorization isAuthorized(BootstrapRequest request, LwM2mPeer client) {
    String endpoint = request.getEndpointName();
    if (client.getIdentity() instanceof OscoreIdentity oscore) {
      EdhocPeerBindings.Binding b = bindings.get(oscore.getRecipientId());
      if (b != null) {
        return b.endpoint().equals(endpoint) ? Authorization.approved() : Authorization.declined();
      }
    }
    if (bindings.forEndpoint(endpoint) != null) {
      return Authorization.declined();
    }
    return delegate.isAuthorized(request, client);
  }
}
