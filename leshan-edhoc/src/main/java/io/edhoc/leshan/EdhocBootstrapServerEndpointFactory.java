package io.edhoc.leshan;

import io.edhoc.EdhocConfig;
import io.edhoc.oscore.EdhocResource;
import io.edhoc.oscore.ResponderEngine;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.oscore.OSCoreCtxDB;
import org.eclipse.leshan.core.californium.identity.IdentityHandler;
import org.eclipse.leshan.core.californium.oscore.cf.InMemoryOscoreContextDB;
import org.eclipse.leshan.core.peer.LwM2mIdentity;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.server.bootstrap.BootstrapFailureCause;
import org.eclipse.leshan.server.bootstrap.BootstrapSession;
import org.eclipse.leshan.server.bootstrap.BootstrapSessionAdapter;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServer;
import org.eclipse.leshan.server.californium.bootstrap.BootstrapOscoreContextCleaner;
import org.eclipse.leshan.server.californium.bootstrap.LwM2mBootstrapOscoreStore;
import org.eclipse.leshan.server.californium.bootstrap.OscoreBootstrapListener;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coap.CoapBootstrapServerEndpointFactory;
import org.eclipse.leshan.server.security.BootstrapSecurityStore;

/**
 * {@link EdhocServerEndpointFactory} for Leshan's bootstrap server: Leshan's OSCORE context DB over
 * {@link LwM2mBootstrapOscoreStore}, its {@link OscoreBootstrapListener} and {@link
 * BootstrapOscoreContextCleaner}, plus the EDHOC stack, {@code /.well-known/edhoc} and the
 * peer bindings. A bootstrap session that ends or fails removes its EDHOC context and binding (a
 * client runs EDHOC again for its next bootstrap). Use with {@link EdhocBootstrapAuthorizer}.
 */
public class EdhocBootstrapServerEndpointFactory extends CoapBootstrapServerEndpointFactory {
  private final EdhocConfig config;
  private final EdhocPeerBindings bindings;
  private final EndpointNameMapper names;
  private UnaryOperator<ResponderEngine.Builder> engineCustomizer;
  private Consumer<EdhocResource> resourceCustomizer;
  private volatile EdhocServerStack edhoc;

  public EdhocBootstrapServerEndpointFactory(URI uri, EdhocConfig config, EdhocPeerBindings bindings, EndpointNameMapper names) {
    super(uri);
    this.config = Objects.requireNonNull(config);
    this.bindings = Objects.requireNonNull(bindings);
    this.names = Objects.requireNonNull(names);
  }

  public EdhocBootstrapServerEndpointFactory engine(UnaryOperator<ResponderEngine.Builder> customizer) {
    this.engineCustomizer = customizer;
    return this;
  }

  public EdhocBootstrapServerEndpointFactory resource(Consumer<EdhocResource> customizer) {
    this.resourceCustomizer = customizer;
    return this;
  }

  @Override
  public String getEndpointDescription() {
    return super.getEndpointDescription() + " with OSCORE keyed by EDHOC (and static OSCORE)";
  }

  @Override
  protected CoapEndpoint.Builder createEndpointBuilder(InetSocketAddress address, Configuration coapConfig, LeshanBootstrapServer server) {
    if (edhoc != null) {
      throw new IllegalStateException("an EdhocBootstrapServerEndpointFactory creates one endpoint");
    }
    CoapEndpoint.Builder builder = super.createEndpointBuilder(address, coapConfig, server);
    BootstrapSecurityStore securityStore = server.getSecurityStore();
    InMemoryOscoreContextDB db;
    if (securityStore != null) {
      OscoreBootstrapListener sessions = new OscoreBootstrapListener();
      server.addListener(sessions);
      db = new InMemoryOscoreContextDB(new LwM2mBootstrapOscoreStore(securityStore, sessions));
    } else {
      db = new InMemoryOscoreContextDB(EdhocServerEndpointFactory.NO_STATIC_CONTEXTS);
    }
    server.addListener(new BootstrapOscoreContextCleaner(db));
    server.addListener(new BootstrapSessionAdapter() {
      @Override
      public void end(BootstrapSession session) {
        forget(session);
      }

      @Override
      public void failed(BootstrapSession session, BootstrapFailureCause cause) {
        forget(session);
      }
    });
    EdhocServerStack s = new EdhocServerStack(config, db,
        rid -> securityStore != null && securityStore.getByOscoreIdentity(new OscoreIdentity(rid)) != null, bindings, names,
        engineCustomizer);
    s.configure(builder);
    s.addResourceTo(server.getEndpointsProvider(), resourceCustomizer);
    edhoc = s;
    return builder;
  }

  private void forget(BootstrapSession session) {
    LwM2mIdentity id = session.getClientTransportData() == null ? null : session.getClientTransportData().getIdentity();
    if (id instanceof OscoreIdentity oscore) {
      bindings.remove(oscore.getRecipientId());
    }
  }

  public OSCoreCtxDB contextDb() {
    return stack().db();
  }

  public ResponderEngine responderEngine() {
    return stack().engine();
  }

  public EdhocResource edhocResource() {
    return stack().resource();
  }

  private EdhocServerStack stack() {
    EdhocServerStack s = edhoc;
    if (s == null) {
      throw new IllegalStateException("the endpoint is created when the LeshanBootstrapServer is built");
    }
    return s;
  }

  @Override
  public IdentityHandler createIdentityHandler() {
    return EdhocServerEndpointFactory.OSCORE_IDENTITY;
  }
}
