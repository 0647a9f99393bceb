package io.edhoc.leshan;

import io.edhoc.EdhocConfig;
import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.EdhocOption;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import io.edhoc.oscore.EdhocResource;
import io.edhoc.oscore.ResponderEngine;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSCoreCtxDB;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server and bootstrap server endpoint factories share: for one Leshan OSCORE context DB,
 * a {@link ResponderEngine} whose C_R avoids every Recipient ID of that DB (and of the
 * SecurityStore behind it), a listener installing each established context into the DB and
 * binding it to its peer's endpoint name, the RFC 9668 stack and the {@code /.well-known/edhoc}
 * resource.
 */
final class EdhocServerStack {
  private static final Logger LOG = LoggerFactory.getLogger(EdhocServerStack.class);

  private final OSCoreCtxDB db;
  private final CaliforniumContexts contexts;
  private final ResponderEngine engine;
  private final EdhocOscoreStackFactory stack;
  private EdhocResource resource;

  /**
   * @param staticRecipientIds true for a Recipient ID Leshan's SecurityStore holds (checked first,
   *     so that probing never makes Leshan's DB derive a static context)
   */
  EdhocServerStack(EdhocConfig config, OSCoreCtxDB db, Predicate<byte[]> staticRecipientIds, EdhocPeerBindings bindings,
      EndpointNameMapper names, UnaryOperator<ResponderEngine.Builder> engineCustomizer) {
    this.db = Objects.requireNonNull(db);
    this.contexts = new CaliforniumContexts(db);
    ResponderEngine.Builder b = ResponderEngine.builder(config)
        .recipientIdsInUse(rid -> staticRecipientIds.test(rid) || bindings.get(rid) != null || contexts.recipientIdInUse(rid))
        .listener((session, ctx) -> {
          String endpoint = names.endpointName(session);
          if (endpoint == null) {
            throw new IllegalStateException("no LwM2M endpoint name for EDHOC peer " + session.describePeer());
          }
          OSCoreCtx installed = contexts.installServer(ctx);
          bindings.bind(ctx.recipientId(), endpoint, session.describePeer(), installed, db);
          LOG.debug("EDHOC context {} installed for endpoint {}", HexFormat.of().formatHex(ctx.recipientId()), endpoint);
        });
    if (engineCustomizer != null) {
      b = engineCustomizer.apply(b);
    }
    // last listener: nothing keeps the EDHOC session (no EDHOC_KeyUpdate on this path), wipe it
    this.engine = b.listener((session, ctx) -> session.close()).build();
    this.stack = new EdhocOscoreStackFactory(db, engine);
  }

  /** Our stack (OSCORE + RFC 9668 combined requests) and the EDHOC option on Leshan's builder. */
  void configure(CoapEndpoint.Builder builder) {
    builder.setCoapStackFactory(stack).setCustomCoapStackArgument(db).setOptionRegistry(EdhocOption.REGISTRY);
  }

  /** Adds {@code /.well-known/edhoc} (once) to the CoAP server of the provider that is creating the endpoint. */
  synchronized void addResourceTo(Collection<?> endpointsProviders, Consumer<EdhocResource> customizer) {
    if (resource != null) {
      return;
    }
    CoapServer server = null;
    // The composite provider creates its providers' endpoints in order; the one creating ours is the
    // last whose CoapServer exists already.
    for (Object p : endpointsProviders) {
      CoapServer s = coapServerOf(p);
      if (s != null) {
        server = s;
      }
    }
    if (server == null) {
      throw new IllegalStateException("EDHOC endpoint needs a Californium endpoints provider");
    }
    resource = EdhocResource.addTo(server, engine);
    if (customizer != null) {
      customizer.accept(resource);
    }
  }

  private static CoapServer coapServerOf(Object provider) {
    if (provider instanceof org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider p) {
      return p.getCoapServer();
    }
    if (provider instanceof org.eclipse.leshan.server.californium.bootstrap.endpoint.CaliforniumBootstrapServerEndpointsProvider p) {
      return p.getCoapServer();
    }
    return null;
  }

  OSCoreCtxDB db() {
    return db;
  }

  ResponderEngine engine() {
    return engine;
  }

  synchronized EdhocResource resource() {
    return resource;
  }
}
