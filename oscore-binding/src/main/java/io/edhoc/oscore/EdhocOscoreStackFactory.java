package io.edhoc.oscore;

import java.util.Map;
import java.util.Objects;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.ExtendedCoapStackFactory;
import org.eclipse.californium.core.network.Outbox;
import org.eclipse.californium.core.network.stack.BaseCoapStack;
import org.eclipse.californium.core.network.stack.BlockwiseLayer;
import org.eclipse.californium.core.network.stack.CoapStack;
import org.eclipse.californium.core.network.stack.CongestionControlLayer;
import org.eclipse.californium.core.network.stack.ExchangeCleanupLayer;
import org.eclipse.californium.core.network.stack.Layer;
import org.eclipse.californium.core.network.stack.ObserveLayer;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.oscore.OSCoreCtxDB;
import org.eclipse.californium.oscore.ObjectSecurityContextLayer;
import org.eclipse.californium.oscore.ObjectSecurityLayer;

/**
 * A UDP CoAP stack as cf-oscore's OSCoreUdpStack plus the {@link EdhocCombinedLayer} under the
 * OSCORE layer, for RFC 9668 combined requests (both sides). Use {@link #endpointBuilder} or set
 * it with {@code CoapEndpoint.Builder.setCoapStackFactory} together with {@link
 * EdhocOption#REGISTRY}. With a {@link StoreBackedCtxDB} its {@link OscoreEchoLayer} recovers the
 * replay window of contexts loaded from the store (RFC 8613 B.1.2).
 */
public final class EdhocOscoreStackFactory implements ExtendedCoapStackFactory {
  private final OSCoreCtxDB db;
  private final ResponderEngine engine;
  private final Map<Request, byte[]> pending = EdhocCombinedLayer.newPendingMap();
  private final Map<java.net.InetSocketAddress, byte[]> nextTo = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile java.util.function.Consumer<ResponderEngine.Result> combinedResults = r -> {};

  /** {@code engine}: the server's engine for combined requests, or null on a pure client. */
  public EdhocOscoreStackFactory(OSCoreCtxDB db, ResponderEngine engine) {
    this.db = Objects.requireNonNull(db);
    this.engine = engine;
  }

  /**
   * Server side: called with the engine's result of every RFC 9668 combined request (these reach
   * the engine from the stack, not through {@link EdhocResource}), e.g. to count failures. Set it
   * before building endpoints.
   */
  public EdhocOscoreStackFactory onCombinedResult(java.util.function.Consumer<ResponderEngine.Result> listener) {
    this.combinedResults = Objects.requireNonNull(listener);
    return this;
  }

  /** A CoapEndpoint builder with this stack and the EDHOC option registered. */
  public CoapEndpoint.Builder endpointBuilder(Configuration config) {
    return new CoapEndpoint.Builder().setConfiguration(config).setCoapStackFactory(this).setOptionRegistry(EdhocOption.REGISTRY);
  }

  /** Client side: the next time {@code request} leaves (OSCORE-protected), prepend message_3 and add the EDHOC option. */
  void attachMessage3(Request request, byte[] message3) {
    pending.put(request, message3.clone());
  }

  void detach(Request request) {
    pending.remove(request);
  }

  /**
   * Client side, for requests the application does not create itself (e.g. an LwM2M client's
   * Register): the next OSCORE-protected request to {@code destination} leaves as an RFC 9668
   * combined request carrying {@code message3}. Replaces an earlier armed message_3.
   */
  public void attachMessage3ToNext(java.net.InetSocketAddress destination, byte[] message3) {
    nextTo.put(Objects.requireNonNull(destination), message3.clone());
  }

  /** Disarms {@link #attachMessage3ToNext}; true if a message_3 was still waiting. */
  public boolean detachNext(java.net.InetSocketAddress destination) {
    return nextTo.remove(destination) != null;
  }

  @Override
  public CoapStack createCoapStack(String protocol, String tag, Configuration config, EndpointContextMatcher matcher, Outbox outbox,
      Object customStackArgument) {
    return new Stack(tag, config, matcher, outbox);
  }

  @Override
  public CoapStack createCoapStack(String protocol, String tag, Configuration config, Outbox outbox, Object customStackArgument) {
    return new Stack(tag, config, null, outbox);
  }

  private final class Stack extends BaseCoapStack {
    Stack(String tag, Configuration config, EndpointContextMatcher matcher, Outbox outbox) {
      super(outbox);
      setLayers(new Layer[] {
          new ObjectSecurityContextLayer(db),
          new ExchangeCleanupLayer(config),
          new ObserveLayer(config),
          new BlockwiseLayer(tag, false, config, matcher),
          CongestionControlLayer.newImplementation(tag, config),
          new OscoreEchoLayer(db),
          new ObjectSecurityLayer(db),
          new EdhocCombinedLayer(engine, pending, nextTo, r -> combinedResults.accept(r))});
    }
  }
}
