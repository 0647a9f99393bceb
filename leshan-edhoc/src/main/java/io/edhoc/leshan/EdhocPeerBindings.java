package io.edhoc.leshan;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSCoreCtxDB;
import org.eclipse.leshan.core.peer.LwM2mIdentity;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.eclipse.leshan.core.observation.Observation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which authenticated EDHOC peer established each EDHOC-keyed OSCORE context of a Leshan server:
 * OSCORE Recipient ID (the server's C_R) to LwM2M endpoint name (from {@link EndpointNameMapper})
 * and the installed Californium context. At most one binding per endpoint name:
 *
 * <ul>
 *   <li>{@link #bind}: a new EDHOC run by the same peer <em>retires</em> its previous context
 *       (removed from the context DB it was installed in), so the old keys stop working at once;
 *   <li>deregistration or expiry of a registration that used an EDHOC context removes that
 *       binding and its context ({@link RegistrationListener#unregistered});
 *   <li>nothing here ever goes to Leshan's SecurityStore: the context DB would otherwise re-derive
 *       a removed context from it with a fresh replay window (docs/lwm2m.md, the replay trap).
 * </ul>
 *
 * Thread-safe; every operation is O(1).
 */
public final class EdhocPeerBindings implements RegistrationListener {
  private static final Logger LOG = LoggerFactory.getLogger(EdhocPeerBindings.class);

  /** One EDHOC-keyed context: who established it and where it is installed. */
  public record Binding(byte[] recipientId, String endpoint, String peer, OSCoreCtx context, OSCoreCtxDB db) {
    public Binding {
      recipientId = recipientId.clone();
      Objects.requireNonNull(endpoint);
      Objects.requireNonNull(context);
      Objects.requireNonNull(db);
    }

    @Override
    public byte[] recipientId() {
      return recipientId.clone();
    }

    @Override
    public String toString() {
      return "Binding[rid=" + HexFormat.of().formatHex(recipientId) + ", endpoint=" + endpoint + ", peer=" + peer + "]";
    }
  }

  private final Map<IdKey, Binding> byRecipientId = new HashMap<>();
  private final Map<String, Binding> byEndpoint = new HashMap<>();
  private long retired;

  /**
   * Records that {@code context} (installed in {@code db}) was established by the peer allowed
   * {@code endpoint}. Returns the binding it replaced for that endpoint (its context now removed
   * from its DB), or null.
   */
  public Binding bind(byte[] recipientId, String endpoint, String peer, OSCoreCtx context, OSCoreCtxDB db) {
    Binding b = new Binding(recipientId, endpoint, peer, context, db);
    Binding old;
    synchronized (this) {
      Binding stale = byRecipientId.remove(new IdKey(recipientId));
      if (stale != null) { // its context was removed elsewhere and the ID reallocated
        byEndpoint.remove(stale.endpoint(), stale);
      }
      old = byEndpoint.put(endpoint, b);
      if (old != null) {
        byRecipientId.remove(new IdKey(old.recipientId));
        retired++;
      }
      byRecipientId.put(new IdKey(recipientId), b);
    }
    if (old != null) {
      removeContext(old);
      LOG.debug("new EDHOC run by the peer of endpoint {}: context {} retired", endpoint, HexFormat.of().formatHex(old.recipientId));
    }
    return old;
  }

  /** The binding of this Recipient ID, or null if the context was not keyed by EDHOC (or is gone). */
  public synchronized Binding get(byte[] recipientId) {
    return byRecipientId.get(new IdKey(recipientId));
  }

  /** The current EDHOC binding of this endpoint name, or null. */
  public synchronized Binding forEndpoint(String endpoint) {
    return byEndpoint.get(endpoint);
  }

  /** Removes the binding of this Recipient ID and its context. Returns it, or null. */
  public Binding remove(byte[] recipientId) {
    Binding b;
    synchronized (this) {
      b = byRecipientId.remove(new IdKey(recipientId));
      if (b != null) {
        byEndpoint.remove(b.endpoint(), b);
      }
    }
    if (b != null) {
      removeContext(b);
    }
    return b;
  }

  public synchronized int size() {
    return byRecipientId.size();
  }

  /** Contexts retired because their peer ran EDHOC again. */
  public synchronized long retired() {
    return retired;
  }

  private static void removeContext(Binding b) {
    OSCoreCtxDB db = b.db();
    synchronized (db) { // HashMapCtxDB's own lock: remove only the context we installed
      OSCoreCtx current;
      try {
        current = db.getContext(b.recipientId);
      } catch (RuntimeException e) {
        current = null;
      }
      if (current == b.context()) {
        db.removeContext(current);
      }
    }
  }

  // ---- RegistrationListener: deregistration / expiry removes the EDHOC context ----

  @Override
  public void registered(Registration registration, Registration previousReg, Collection<Observation> previousObservations) {
    // a re-registration by the same peer on a new context: the previous context was retired by bind()
  }

  @Override
  public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {}

  @Override
  public void unregistered(Registration registration, Collection<Observation> observations, boolean expired, Registration newReg) {
    if (newReg != null) {
      return; // replaced by a new registration of the same endpoint: keep the context it may use
    }
    LwM2mIdentity id = registration.getClientTransportData().getIdentity();
    if (id instanceof OscoreIdentity oscore) {
      Binding b = get(oscore.getRecipientId());
      if (b != null && b.endpoint().equals(registration.getEndpoint())) {
        remove(oscore.getRecipientId());
        LOG.debug("endpoint {} {}: its EDHOC context removed", registration.getEndpoint(), expired ? "expired" : "deregistered");
      }
    }
  }

  private record IdKey(byte[] id) {
    @Override
    public boolean equals(Object o) {
      return o instanceof IdKey k && Arrays.equals(id, k.id);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(id);
    }
  }
}
