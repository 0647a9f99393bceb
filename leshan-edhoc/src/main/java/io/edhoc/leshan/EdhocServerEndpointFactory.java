package io.edhoc.leshan;

import io.edhoc.EdhocConfig;
import io.edhoc.oscore.EdhocResource;
import io.edhoc.oscore.ResponderEngine;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.oscore.OSCoreCtxDB;
import org.eclipse.californium.oscore.OSCoreEndpointContextInfo;
import org.eclipse.leshan.core.californium.identity.IdentityHandler;
import org.eclipse.leshan.core.californium.oscore.cf.InMemoryOscoreContextDB;
import org.eclipse.leshan.core.californium.oscore.cf.OscoreParameters;
import org.eclipse.leshan.core.californium.oscore.cf.OscoreStore;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.core.util.Hex;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.californium.LwM2mOscoreStore;
import org.eclipse.leshan.server.californium.OscoreContextCleaner;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerEndpointFactory;
import org.eclipse.leshan.server.observation.LwM2mNotificationReceiver;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.eclipse.leshan.server.security.EditableSecurityStore;
import org.eclipse.leshan.server.security.SecurityStore;

/**
 * A Leshan server CoAP endpoint ({@code coap://}) that keys OSCORE with EDHOC, beside Leshan's own
 * static OSCORE. It keeps what Leshan's {@code CoapOscoreServerEndpointFactory} sets up, Leshan's
 * {@link InMemoryOscoreContextDB} over {@link LwM2mOscoreStore} (static contexts from the
 * SecurityStore) and its {@link OscoreContextCleaner}, and adds:
 *
 * <ul>
 *   <li>the EDHOC stack: cf-oscore's layers plus the RFC 9668 combined-request layer;
 *   <li>{@link EdhocResource} on {@code /.well-known/edhoc}, over a {@link ResponderEngine} whose
 *       C_R (the server's Recipient ID) avoids every Recipient ID in that DB, in the SecurityStore
 *       and bound to EDHOC peers;
 *   <li>each established context installed into that same DB and bound to its peer ({@link
 *       EdhocPeerBindings}, {@link EndpointNameMapper}); never into the SecurityStore.
 * </ul>
 *
 * Use it with {@link EdhocAuthorizer} over the same bindings. One EDHOC endpoint per server.
 */
public class EdhocServerEndpointFactory extends CoapServerEndpointFactory {
  private final EdhocConfig config;
  private final EdhocPeerBindings bindings;
  private final EndpointNameMapper names;
  private UnaryOperator<ResponderEngine.Builder> engineCustomizer;
  private Consumer<EdhocResource> resourceCustomizer;
  private volatile EdhocServerStack edhoc;

  public EdhocServerEndpointFactory(URI uri, EdhocConfig config, EdhocPeerBindings bindings, EndpointNameMapper names) {
    this(uri, null, null, null, config, bindings, names);
  }

  public EdhocServerEndpointFactory(URI uri, String loggingTagPrefix, Configuration configuration,
      Consumer<CoapEndpoint.Builder> coapEndpointConfigInitializer, EdhocConfig config, EdhocPeerBindings bindings,
      EndpointNameMapper names) {
    super(uri, loggingTagPrefix, configuration, coapEndpointConfigInitializer);
    this.config = Objects.requireNonNull(config);
    this.bindings = Objects.requireNonNull(bindings);
    this.names = Objects.requireNonNull(names);
  }

  /** Engine settings (message_4 policy, session store, extra listeners...), applied before it is built. */
  public EdhocServerEndpointFactory engine(UnaryOperator<ResponderEngine.Builder> customizer) {
    this.engineCustomizer = customizer;
    return this;
  }

  /** Resource settings (Echo reachability check, body limit, hooks), applied when it is added. */
  public EdhocServerEndpointFactory resource(Consumer<EdhocResource> customizer) {
    this.resourceCustomizer = customizer;
    return this;
  }

  @Override
  public String getEndpointDescription() {
    return super.getEndpointDescription() + " with OSCORE keyed by EDHOC (and static OSCORE)";
  }

  @Override
  protected CoapEndpoint.Builder createEndpointBuilder(InetSocketAddress address, Configuration coapConfig,
      LwM2mNotificationReceiver notificationReceiver, LeshanServer server) {
    if (edhoc != null) {
      throw new IllegalStateException("an EdhocServerEndpointFactory creates one endpoint");
    }
    CoapEndpoint.Builder builder = super.createEndpointBuilder(address, coapConfig, notificationReceiver, server);
    SecurityStore securityStore = server.getSecurityStore();
    OscoreStore store = securityStore != null ? new LwM2mOscoreStore(securityStore, server.getRegistrationStore()) : NO_STATIC_CONTEXTS;
    InMemoryOscoreContextDB db = new InMemoryOscoreContextDB(store);

    // Leshan's cleaner, except when a registration is replaced by one on the same context
    // (a Register again on the same keys): Leshan's would remove the context the new one uses.
    OscoreContextCleaner cleaner = new OscoreContextCleaner(db);
    server.getRegistrationService().addListener(new SameContextAwareCleaner(cleaner));
    if (securityStore instanceof EditableSecurityStore editable) {
      editable.addListener(cleaner);
    }
    server.getRegistrationService().addListener(bindings);

    EdhocServerStack s = new EdhocServerStack(config, db,
        rid -> securityStore != null && securityStore.getByOscoreIdentity(new OscoreIdentity(rid)) != null, bindings, names,
        engineCustomizer);
    s.configure(builder);
    s.addResourceTo(server.getEndpointsProvider(), resourceCustomizer);
    edhoc = s;
    return builder;
  }

  /** Leshan's OSCORE context DB of this endpoint (after the server was built). */
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
      throw new IllegalStateException("the endpoint is created when the LeshanServer is built");
    }
    return s;
  }

  @Override
  public IdentityHandler createIdentityHandler() {
    return OSCORE_IDENTITY;
  }

  /** As Leshan's OSCORE endpoints: an OSCORE-protected request's peer is identified by its context's Recipient ID. */
  static final IdentityHandler OSCORE_IDENTITY = new IdentityHandler() {
    @Override
    public LwM2mPeer getIdentity(Message receivedMessage) {
      EndpointContext context = receivedMessage.getSourceContext();
      Principal principal = context.getPeerIdentity();
      if (principal != null) {
        return null;
      }
      String rid = context.get(OSCoreEndpointContextInfo.OSCORE_RECIPIENT_ID);
      if (rid != null) {
        return new IpPeer(context.getPeerAddress(), new OscoreIdentity(Hex.decodeHex(rid.toCharArray())));
      }
      return new IpPeer(context.getPeerAddress());
    }

    @Override
    public EndpointContext createEndpointContext(LwM2mPeer client, boolean allowConnectionInitiation) {
      if (client instanceof IpPeer ip) {
        return new AddressEndpointContext(ip.getSocketAddress());
      }
      throw new IllegalStateException("Unsupported peer: " + client);
    }
  };

  static final OscoreStore NO_STATIC_CONTEXTS = new OscoreStore() {
    @Override
    public OscoreParameters getOscoreParameters(byte[] recipientID) {
      return null;
    }

    @Override
    public byte[] getRecipientId(String uri) {
      return null;
    }
  };

  private static final class SameContextAwareCleaner implements RegistrationListener {
    private final OscoreContextCleaner cleaner;

    SameContextAwareCleaner(OscoreContextCleaner cleaner) {
      this.cleaner = cleaner;
    }

    @Override
    public void registered(Registration registration, Registration previousReg, Collection<Observation> previousObservations) {
      cleaner.registered(registration, previousReg, previousObservations);
    }

    @Override
    public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {
      cleaner.updated(update, updatedReg, previousReg);
    }

    @Override
    public void unregistered(Registration registration, Collection<Observation> observations, boolean expired, Registration newReg) {
      if (newReg != null && Objects.equals(newReg.getClientTransportData().getIdentity(), registration.getClientTransportData().getIdentity())) {
        return;
      }
      cleaner.unregistered(registration, observations, expired, newReg);
    }
  }
}
