package io.edhoc.oscore;

import io.edhoc.oscore.store.LongLongTable;
import io.edhoc.oscore.store.OscoreContextStore;
import io.edhoc.oscore.store.StoredContext;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.oscore.CoapOSException;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSCoreCtxDB;
import org.eclipse.californium.oscore.OSException;

/**
 * Californium's OSCORE context DB in front of an {@link OscoreContextStore}: server contexts are
 * created in the store (by {@link CaliforniumContexts} after EDHOC) and cached in a {@link
 * HashMapCtxDB}; a request whose kid is not cached looks the store up before Californium answers
 * 4.01, and a context found there is loaded as a {@link StoredOSCoreCtx}: the store raises the
 * context's Sender Sequence Number bound by one step and makes this copy its holder (so the copy
 * starts above every number ever reserved), and the copy has no replay window until the client
 * answers an Echo challenge ({@link OscoreEchoLayer}, part of {@link EdhocOscoreStackFactory}).
 *
 * <p><b>Built on first use.</b> A context established by EDHOC through {@link #establish} is
 * created in the store only; its Californium copy (about 1 KB of keys, COSE objects and replay
 * state) is built when the first OSCORE request looks its Recipient ID up, fresh (Sender Sequence
 * Number 0, empty replay window) exactly as if it had been built at once, because nothing can have
 * used it before. A handshake whose keys are never used costs the store record alone, and a
 * responder under load does not keep a second, larger copy of every context alive for as long as
 * the store's bound keeps it. The fresh build is allowed once per creation (the pending entry is
 * removed atomically before building), and only while the store still names this DB's copy as the
 * holder; otherwise the request takes the load path above, so a Sender Sequence Number is never
 * reused. The first context of each AEAD algorithm is built at once, so that an algorithm
 * Californium refuses fails the handshake rather than the first request.
 *
 * <p>Copies that are no longer the holder (another node or process took the context over, a key
 * update replaced it, it was removed or evicted from the store) are dropped from the cache when
 * the store reports the change, so a stale replay window is never used. Client contexts (added by
 * URI) stay local only.
 *
 * <p>An application server that runs no EDHOC itself uses this DB over the same store as the
 * key-establishment service, with {@link EdhocOscoreStackFactory} (docs/oscore.md).
 */
public final class StoreBackedCtxDB implements OSCoreCtxDB {
  private final HashMapCtxDB local = new HashMapCtxDB();
  private final OscoreContextStore store;
  private final int ssnStep;
  private final int replayWindow;
  /**
   * Loads and first-use builds of one Recipient ID are serialised (so that two first requests do
   * not race a fresh build against a takeover); different Recipient IDs use different stripes, so
   * building one context (key derivation) never holds up the first request of another.
   */
  private final Object[] loadLocks = java.util.stream.Stream.generate(Object::new).limit(64).toArray();
  private final AtomicInteger echoLayers = new AtomicInteger();
  private final AtomicLong loaded = new AtomicLong();
  private final AtomicLong echoRecoveries = new AtomicLong();
  private final AtomicLong reservations = new AtomicLong();
  /**
   * Contexts created here by {@link #establish} and not yet built: Recipient ID ({@link
   * OscoreContextStore#packedId}) -> holder of the creation (never 0), under its own lock. A
   * primitive table: one entry is written per handshake and lives as long as its context stays
   * unused, and a map of objects would mark a card of the old generation per write for the next
   * young collection to scan (docs/performance.md).
   */
  private final LongLongTable unbuilt = new LongLongTable();
  /** AEAD algorithms Californium has built a context for here (later ones of the same kind are built lazily). */
  private final Set<io.edhoc.crypto.AeadAlgorithm> provenAeads = ConcurrentHashMap.newKeySet();
  private final AtomicLong builtOnFirstUse = new AtomicLong();

  public StoreBackedCtxDB(OscoreContextStore store) {
    this(store, OscoreContextStore.DEFAULT_SSN_STEP, CaliforniumContexts.DEFAULT_REPLAY_WINDOW);
  }

  /** {@code ssnStep}: Sender Sequence Numbers reserved per store write (K of RFC 8613 B.1.1). */
  public StoreBackedCtxDB(OscoreContextStore store, int ssnStep, int replayWindow) {
    this.store = Objects.requireNonNull(store);
    if (ssnStep < 1) {
      throw new IllegalArgumentException("ssnStep must be positive");
    }
    if (replayWindow < 1 || replayWindow > 32) {
      throw new IllegalArgumentException("replay window must be 1..32 in Californium");
    }
    this.ssnStep = ssnStep;
    this.replayWindow = replayWindow;
    store.addListener(this::storeChanged);
  }

  public OscoreContextStore store() {
    return store;
  }

  public int ssnStep() {
    return ssnStep;
  }

  /** Contexts loaded from the store into this DB (restart, takeover, application server). */
  public long contextsLoaded() {
    return loaded.get();
  }

  /** Loaded contexts whose replay window was initialised by an Echo round trip. */
  public long echoRecoveries() {
    return echoRecoveries.get();
  }

  /** Sender Sequence Number ranges reserved in the store by this DB (creation, load, and each further step). */
  public long ssnReservations() {
    return reservations.get();
  }

  // --- server contexts through CaliforniumContexts ------------------------------------------------

  /** Creates the context in the store (refused if its Recipient ID is stored) and caches it, fresh. */
  StoredOSCoreCtx create(OscoreContext c) {
    long holder = OscoreContextStore.newGeneration();
    CaliforniumContexts.validate(c);
    StoredContext r = createRecord(c, holder);
    try {
      StoredOSCoreCtx ctx = build(c, r, holder, 0, true);
      local.addContext(ctx);
      provenAeads.add(c.aead());
      return ctx;
    } catch (RuntimeException e) {
      store.remove(c.recipientId(), r.generation());
      throw e;
    }
  }

  /**
   * Creates the context in the store (refused if its Recipient ID is stored) and leaves the
   * Californium copy to the first request that needs it (see the class description). Returns the
   * built copy when it was built at once (the first context of its AEAD algorithm), else null.
   */
  StoredOSCoreCtx establish(OscoreContext c) {
    if (!provenAeads.contains(c.aead())) {
      return create(c);
    }
    long holder = OscoreContextStore.newGeneration();
    CaliforniumContexts.validate(c);
    long key = OscoreContextStore.packedId(c.recipientId()); // validated: at most 7 bytes, never 0
    boolean present;
    synchronized (unbuilt) { // before the record exists, so that a change event can never miss it
      present = unbuilt.containsKey(key);
      if (!present) {
        unbuilt.put(key, holder, 0);
      }
    }
    if (present) {
      throw new CaliforniumContexts.UnsupportedOscoreContextException("OSCORE Recipient ID " + HexFormat.of().formatHex(c.recipientId())
          + " is already stored; it would replace that context");
    }
    try {
      createRecord(c, holder);
    } catch (RuntimeException e) {
      synchronized (unbuilt) {
        if (unbuilt.get(key, 0) == holder) {
          unbuilt.remove(key, 0);
        }
      }
      throw e;
    }
    return null;
  }

  private StoredContext createRecord(OscoreContext c, long holder) {
    StoredContext r = store.create(c, holder, ssnStep);
    if (r == null) {
      throw new CaliforniumContexts.UnsupportedOscoreContextException("OSCORE Recipient ID " + HexFormat.of().formatHex(c.recipientId())
          + " is already stored; it would replace that context");
    }
    reservations.incrementAndGet();
    return r;
  }

  /** Contexts established here whose Californium copy has not been built yet. */
  public int unbuiltContexts() {
    synchronized (unbuilt) {
      return unbuilt.size();
    }
  }

  /** Contexts established here and built fresh by their first request. */
  public long builtOnFirstUse() {
    return builtOnFirstUse.get();
  }

  /** Key update: replaces {@code old} in the store (compare-and-set on its generation) and here. */
  StoredOSCoreCtx replace(StoredOSCoreCtx old, OscoreContext updated) {
    CaliforniumContexts.validate(updated);
    long holder = OscoreContextStore.newGeneration();
    StoredContext r = store.replace(old.recipientIdCopy(), old.generation(), updated, holder, ssnStep);
    if (r == null) {
      throw new IllegalStateException("key update refused: the stored context was replaced or removed meanwhile");
    }
    reservations.incrementAndGet();
    StoredOSCoreCtx ctx = build(updated, r, holder, 0, true);
    synchronized (local) {
      local.removeContext(old);
      old.retire();
      local.addContext(ctx);
    }
    return ctx;
  }

  /** Removes a context from the store (if still that generation) and from this DB. */
  void removeStored(StoredOSCoreCtx ctx) {
    store.remove(ctx.recipientIdCopy(), ctx.generation());
    dropLocal(ctx);
  }

  /** True if the Recipient ID is cached or stored. */
  boolean inUse(byte[] recipientId) {
    try {
      if (local.getContext(recipientId) != null) {
        return true;
      }
    } catch (RuntimeException e) {
      return true;
    }
    return store.contains(recipientId);
  }

  private StoredOSCoreCtx build(OscoreContext c, StoredContext r, long holder, long start, boolean fresh) {
    if (c.aead() == io.edhoc.crypto.AeadAlgorithm.CHACHA20_POLY1305) {
      CaliforniumContexts.rekeyThreadChaChaCipher();
    }
    StoredOSCoreCtx ctx;
    try {
      ctx = new StoredOSCoreCtx(c, replayWindow, this, r, holder, start, fresh);
    } catch (OSException | RuntimeException e) {
      throw new CaliforniumContexts.UnsupportedOscoreContextException("Californium refused the stored OSCORE context: " + e.getMessage());
    }
    CaliforniumContexts.verifySame(ctx, c);
    return ctx;
  }

  // --- hooks of StoredOSCoreCtx and OscoreEchoLayer ------------------------------------------------

  long reserveMore(StoredOSCoreCtx ctx) {
    try {
      long bound = store.reserve(ctx.recipientIdCopy(), ctx.generation(), ctx.holder(), ssnStep);
      if (bound >= 0) {
        reservations.incrementAndGet();
      }
      return bound;
    } catch (RuntimeException e) {
      return -1; // store unreachable or failing: no number beyond the reservation is used
    }
  }

  void dropLocal(StoredOSCoreCtx ctx) {
    ctx.retire();
    synchronized (local) {
      OSCoreCtx current = local.getContext(ctx.recipientIdCopy());
      if (current == ctx) {
        local.removeContext(ctx);
      }
    }
  }

  void echoRecovered() {
    echoRecoveries.incrementAndGet();
  }

  void echoLayerCreated() {
    echoLayers.incrementAndGet();
  }

  boolean hasEchoLayer() {
    return echoLayers.get() > 0;
  }

  private void storeChanged(byte[] recipientId, long holder) {
    long id = OscoreContextStore.packedId(recipientId);
    if (id != 0) {
      synchronized (unbuilt) {
        long h = unbuilt.get(id, 0);
        if (h != 0 && h != holder) {
          unbuilt.remove(id, 0); // taken over, replaced or gone: never build it fresh
        }
      }
    }
    OSCoreCtx c;
    try {
      c = local.getContext(recipientId);
    } catch (RuntimeException e) {
      return;
    }
    if (c instanceof StoredOSCoreCtx s && s.holder() != holder) {
      dropLocal(s); // taken over elsewhere, key-updated, removed or evicted
    }
  }

  private OSCoreCtx load(byte[] recipientId) {
    synchronized (loadLocks[java.util.Arrays.hashCode(recipientId) & (loadLocks.length - 1)]) {
      OSCoreCtx cached = local.getContext(recipientId);
      if (cached != null) {
        return cached;
      }
      long id = OscoreContextStore.packedId(recipientId);
      long created;
      synchronized (unbuilt) {
        created = id == 0 ? 0 : unbuilt.remove(id, 0);
      } // at most one fresh build per creation
      if (created != 0) {
        OSCoreCtx fresh = buildFresh(recipientId, created);
        if (fresh != null) {
          return fresh;
        } // else another copy took it over meanwhile: acquire it like any stored context
      }
      long holder = OscoreContextStore.newGeneration();
      StoredContext r;
      try {
        r = store.acquire(recipientId, holder, ssnStep);
      } catch (RuntimeException e) {
        return null; // store unavailable: 4.01 as for an unknown kid
      }
      if (r == null) {
        return null;
      }
      reservations.incrementAndGet();
      StoredOSCoreCtx ctx;
      try {
        ctx = build(r.context(), r, holder, r.ssnBound() - ssnStep, false);
      } catch (RuntimeException e) {
        return null;
      }
      local.addContext(ctx);
      loaded.incrementAndGet();
      // another copy may have taken it over between acquire and addContext (its event found nothing here)
      OscoreContextStore.Versioned now = store.read(recipientId);
      if (now == null || now.record().holder() != holder) {
        dropLocal(ctx);
        return null;
      }
      return ctx;
    }
  }

  /**
   * The first use of a context established here: if the store still names {@code holder} (so no
   * other copy ever reserved a number, and the record still holds [0, step) from its creation),
   * builds it fresh from Sender Sequence Number 0. Null if the store changed meanwhile.
   */
  private OSCoreCtx buildFresh(byte[] recipientId, long holder) {
    OscoreContextStore.Versioned v;
    try {
      v = store.read(recipientId);
    } catch (RuntimeException e) {
      return null;
    }
    if (v == null || v.record().holder() != holder) {
      return null;
    }
    StoredContext r = v.record();
    StoredOSCoreCtx ctx;
    try {
      ctx = build(r.context(), r, holder, 0, true);
    } catch (RuntimeException e) {
      store.remove(recipientId, r.generation()); // unusable here: the peer runs EDHOC again
      return null;
    }
    local.addContext(ctx);
    builtOnFirstUse.incrementAndGet();
    OscoreContextStore.Versioned now;
    try {
      now = store.read(recipientId);
    } catch (RuntimeException e) {
      now = null; // unconfirmed: no copy left behind; the load path below reads the store again
    }
    if (now == null || now.record().holder() != holder) {
      dropLocal(ctx); // taken over between the read and addContext (its event found nothing here)
      return null;
    }
    return ctx;
  }

  // --- OSCoreCtxDB ------------------------------------------------------------------------------

  @Override
  public OSCoreCtx getContext(byte[] rid, byte[] idContext) throws CoapOSException {
    OSCoreCtx c = local.getContext(rid, idContext);
    if (c == null && rid != null && idContext == null) {
      c = load(rid);
    }
    return c;
  }

  @Override
  public OSCoreCtx getContext(byte[] rid) {
    OSCoreCtx c = local.getContext(rid);
    if (c == null && rid != null) {
      c = load(rid);
    }
    return c;
  }

  /** The cached context for a Recipient ID without loading it (null if not cached here). */
  public OSCoreCtx cached(byte[] rid) {
    return local.getContext(rid);
  }

  @Override
  public OSCoreCtx getContextByToken(Token token) {
    return local.getContextByToken(token);
  }

  @Override
  public void addContext(Token token, OSCoreCtx ctx) {
    local.addContext(token, ctx);
  }

  @Override
  public void addContext(String uri, OSCoreCtx ctx) throws OSException {
    local.addContext(uri, ctx);
  }

  @Override
  public void addContext(OSCoreCtx ctx) {
    local.addContext(ctx);
  }

  @Override
  public void removeContext(OSCoreCtx ctx) {
    local.removeContext(ctx);
  }

  @Override
  public OSCoreCtx getContext(String uri) throws OSException {
    return local.getContext(uri);
  }

  @Override
  public boolean tokenExist(Token token) {
    return local.tokenExist(token);
  }

  @Override
  public void purge() {
    local.purge();
  }

  @Override
  public void removeToken(Token token) {
    local.removeToken(token);
  }

  @Override
  public String toString() {
    return "StoreBackedCtxDB[" + store + ", step " + ssnStep + "]";
  }
}
