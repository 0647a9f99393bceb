package io.edhoc.service.coap;

import io.edhoc.service.EdhocEndpoint;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import org.eclipse.californium.oscore.OSCoreResource;

/**
 * CoAP over UDP (Californium) in the service process: {@code /.well-known/edhoc} and the example
 * OSCORE-protected resource ({@code /hello} by default), on one endpoint whose stack unprotects
 * OSCORE requests with the contexts EDHOC established ({@link ServerContexts}).
 */
public final class CoapTransport implements AutoCloseable {
  private final CoapServer server;
  private final CoapEndpoint endpoint;

  public CoapTransport(String host, int port, EdhocEndpoint edhoc, ServerContexts contexts, int maxBody, String helloPath) {
    Configuration cfg = configuration();
    // the binding's stack: OSCORE plus the RFC 9668 EDHOC option layer (combined requests go to the engine)
    this.endpoint = new EdhocOscoreStackFactory(contexts.db(), edhoc.engine()).endpointBuilder(cfg)
        .setInetSocketAddress(new InetSocketAddress(host, port))
        .build();
    this.server = new CoapServer(cfg);
    server.addEndpoint(endpoint);
    CoapResource wellKnown = new CoapResource(".well-known");
    wellKnown.setVisible(false);
    wellKnown.add(new CoapEdhocResource(edhoc, maxBody));
    server.add(wellKnown);
    if (helloPath != null && !helloPath.isEmpty()) {
      server.add(new HelloResource(helloPath));
    }
  }

  /** Californium configuration without writing Californium3.properties into the working directory. */
  public static synchronized Configuration configuration() {
    CoapConfig.register();
    UdpConfig.register();
    Configuration cfg = Configuration.createStandardWithoutFile();
    Configuration.setStandard(cfg);
    return cfg;
  }

  public void start() {
    server.start();
  }

  /** The bound UDP port (after start). */
  public int port() {
    return endpoint.getAddress().getPort();
  }

  @Override
  public void close() {
    server.destroy();
  }

  /** The example resource: answers GET only through OSCORE (4.01 without it). */
  static final class HelloResource extends OSCoreResource {
    HelloResource(String name) {
      super(name, true);
      getAttributes().setTitle("Hello, over OSCORE keyed by EDHOC");
    }

    @Override
    public void handleGET(CoapExchange ex) {
      ex.respond(ResponseCode.CONTENT, "Hello from the EDHOC service, over OSCORE".getBytes(StandardCharsets.UTF_8),
          MediaTypeRegistry.TEXT_PLAIN);
    }
  }
}
