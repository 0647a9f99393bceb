package io.edhoc.leshan;

import java.util.Objects;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointFactory;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapClientProtocolProvider;

/**
 * {@code coap://} for a Leshan client over this project's OSCORE stack: pass it to {@code
 * CaliforniumClientEndpointsProvider.Builder}; its endpoints come from the given {@link
 * EdhocClientEndpointFactory}.
 */
public class EdhocClientProtocolProvider extends CoapClientProtocolProvider {
  private final EdhocClientEndpointFactory factory;

  public EdhocClientProtocolProvider(EdhocClientEndpointFactory factory) {
    this.factory = Objects.requireNonNull(factory);
  }

  @Override
  public CaliforniumClientEndpointFactory createDefaultEndpointFactory() {
    return factory;
  }
}
