package io.edhoc.oscore;

import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.eclipse.californium.cose.AlgorithmID;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSCoreCtxDB;
import org.eclipse.californium.oscore.OSException;

/**
 * Turns {@link OscoreContext}s into Californium {@link OSCoreCtx}s and keeps them in an {@link
 * OSCoreCtxDB} (cf-oscore 3.13), refusing loudly what Californium would silently change:
 *
 * <ul>
 *   <li>Sender/Recipient IDs longer than nonce length - 6 (Californium swaps in a default ID);
 *   <li>HKDFs other than HKDF SHA-256 (suite 24 uses SHA-384, suite 25 SHAKE256: Californium 3.13
 *       cannot express them; use {@link OscoreContext}'s parameters with another OSCORE stack);
 *   <li>a Recipient ID already installed (Californium's HashMapCtxDB would replace that context).
 * </ul>
 *
 * After construction the adapter checks that Californium derived the same Sender Key, Recipient
 * Key and Common IV as {@link OscoreContext} (constant-time comparison). Compound operations
 * (check-then-add, key-update replacement) hold the DB's monitor, which is the lock {@code
 * HashMapCtxDB} uses for every method, so they are atomic for its other users.
 *
 * <p><b>Optional bound on server contexts.</b> {@link #maxServerContexts(int)} limits how many
 * server-side contexts installed through this object ({@link #installServer}, {@link
 * #serverListener()}) are kept: installing one more removes the <em>least recently installed</em>
 * one still present (a key update through {@link #replace} / {@link #keyUpdateServer} counts as
 * installing it again), and counts it in {@link #evictions()}. The peer whose context was dropped
 * gets 4.01 for its next OSCORE request and has to run EDHOC again. Without a bound (the default)
 * nothing is ever removed by this class. Contexts added to the DB by other code are neither
 * counted nor removed; client-side contexts are never bounded.
 *
 * <p><b>Over a context store.</b> With a {@link StoreBackedCtxDB}, server contexts live in its
 * {@link io.edhoc.oscore.store.OscoreContextStore}: {@link #installServer} creates them there
 * (refusing a Recipient ID stored by any node), {@link #replace} / {@link #keyUpdateServer} replace
 * them by compare-and-set (every other copy is dropped), {@link #remove} deletes them, and the
 * bound, the count and the evictions are the store's ({@link #maxServerContexts(int)} does not
 * apply: give the bound to the store). Client contexts stay in the local DB.
 */
public final class CaliforniumContexts {
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  /** Californium's largest replay window, and what aiocoap uses. */
  public static final int DEFAULT_REPLAY_WINDOW = 32;
  /** Californium's default MAX_UNFRAGMENTED_SIZE. */
  public static final int MAX_UNFRAGMENTED_SIZE = 4096;

  private final OSCoreCtxDB db;
  private final int replayWindow;
  /** Server contexts installed here, least recently installed first; guarded by the DB's monitor. */
  private final Map<IdKey, OSCoreCtx> serverOrder = new LinkedHashMap<>();
  private volatile int maxServerContexts = Integer.MAX_VALUE;
  private long evictions;

  public CaliforniumContexts(OSCoreCtxDB db) {
    this(db, DEFAULT_REPLAY_WINDOW);
  }

  public CaliforniumContexts(OSCoreCtxDB db, int replayWindow) {
    this.db = Objects.requireNonNull(db);
    if (replayWindow < 1 || replayWindow > 32) {
      throw new IllegalArgumentException("replay window must be 1..32 in Californium");
    }
    this.replayWindow = replayWindow;
  }

  public OSCoreCtxDB db() {
    return db;
  }

  /**
   * Keeps at most {@code max} server-side contexts installed through this object; beyond it the
   * least recently installed one is removed from the DB (see the class description). Lowering the
   * bound takes effect at the next installation.
   */
  public CaliforniumContexts maxServerContexts(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxServerContexts must be at least 1");
    }
    this.maxServerContexts = max;
    return this;
  }

  public int maxServerContexts() {
    return maxServerContexts;
  }

  /** Server-side contexts installed through this object and still tracked (for a gauge). */
  public int serverContexts() {
    if (db instanceof StoreBackedCtxDB s) {
      return s.store().size();
    }
    synchronized (db) {
      return serverOrder.size();
    }
  }

  /** Server-side contexts removed because of {@link #maxServerContexts(int)}. */
  public long evictions() {
    if (db instanceof StoreBackedCtxDB s) {
      return s.store().evictions();
    }
    synchronized (db) {
      return evictions;
    }
  }

  /** The Californium AEAD identifier. */
  public static AlgorithmID aead(AeadAlgorithm a) {
    switch (a) {
      case AES_CCM_16_64_128:
        return AlgorithmID.AES_CCM_16_64_128;
      case AES_CCM_16_128_128:
        return AlgorithmID.AES_CCM_16_128_128;
      case A128GCM:
        return AlgorithmID.AES_GCM_128;
      case A256GCM:
        return AlgorithmID.AES_GCM_256;
      case CHACHA20_POLY1305:
        return AlgorithmID.CHACHA20_POLY1305;
      default:
        throw new UnsupportedOscoreContextException("AEAD " + a + " has no Californium equivalent");
    }
  }

  /** True if Californium 3.13 can run this context (HKDF SHA-256, IDs within the nonce limit). */
  public static boolean isSupported(OscoreContext c) {
    return c.hkdf() == HashAlgorithm.SHA_256;
  }

  /**
   * Builds the Californium context ({@code client}: this side is the CoAP client). Throws {@link
   * UnsupportedOscoreContextException} for what Californium cannot express or would alter.
   */
  public OSCoreCtx toOSCoreCtx(OscoreContext c, boolean client) {
    validate(c);
    if (c.aead() == AeadAlgorithm.CHACHA20_POLY1305) {
      rekeyThreadChaChaCipher();
    }
    OSCoreCtx ctx;
    try {
      ctx = new OSCoreCtx(c.masterSecret(), client, aead(c.aead()), c.senderId(), c.recipientId(), AlgorithmID.HKDF_HMAC_SHA_256,
          replayWindow, c.masterSalt().length == 0 ? null : c.masterSalt(), c.idContext(), MAX_UNFRAGMENTED_SIZE);
    } catch (OSException | RuntimeException e) {
      throw new UnsupportedOscoreContextException("Californium refused the OSCORE context (" + c.aead() + "): " + e.getMessage());
    }
    verifySame(ctx, c);
    return ctx;
  }

  /** Refuses what Californium cannot express or would silently alter (HKDF, ID lengths). */
  static void validate(OscoreContext c) {
    if (c.hkdf() != HashAlgorithm.SHA_256) {
      throw new UnsupportedOscoreContextException("HKDF based on " + c.hkdf() + " cannot be used with Californium 3.13 (it accepts HKDF SHA-256"
          + " and SHA-512 only); suites 24 and 25 need another OSCORE implementation fed with OscoreContext's parameters");
    }
    int max = OscoreContext.maxIdLength(c.aead());
    if (c.senderId().length > max || c.recipientId().length > max) {
      throw new UnsupportedOscoreContextException("OSCORE ID longer than " + max + " bytes: Californium would replace it");
    }
  }

  /** Never trust silent substitutions: every parameter Californium derived must be what RFC 8613 3.2 gives. */
  static void verifySame(OSCoreCtx ctx, OscoreContext c) {
    boolean same = Arrays.equals(ctx.getSenderId(), c.senderId()) & Arrays.equals(ctx.getRecipientId(), c.recipientId())
        & Arrays.equals(ctx.getIdContext(), c.idContext());
    same &= MessageDigest.isEqual(ctx.getSenderKey(), c.senderKey()) & MessageDigest.isEqual(ctx.getRecipientKey(), c.recipientKey())
        & MessageDigest.isEqual(ctx.getCommonIV(), c.commonIv());
    same &= MessageDigest.isEqual(ctx.getMasterSecret(), c.masterSecret());
    if (!same) {
      throw new UnsupportedOscoreContextException("Californium derived a different OSCORE context than RFC 8613 3.2 gives for " + c);
    }
  }

  /** True if a context with this Recipient ID is installed (for connection identifier allocation). */
  public boolean recipientIdInUse(byte[] recipientId) {
    if (db instanceof StoreBackedCtxDB s) {
      return s.inUse(recipientId); // without loading it
    }
    try {
      return db.getContext(recipientId) != null;
    } catch (RuntimeException e) {
      return true; // several contexts share it (with ID contexts): certainly in use
    }
  }

  /** Installs a server-side context (looked up by Recipient ID). Refuses a Recipient ID in use. */
  public OSCoreCtx installServer(OscoreContext c) {
    if (db instanceof StoreBackedCtxDB s) {
      return s.create(c); // the store refuses a Recipient ID in use anywhere, and bounds the contexts
    }
    OSCoreCtx ctx = toOSCoreCtx(c, false);
    synchronized (db) {
      refuseInUse(c);
      db.addContext(ctx);
      serverOrder.remove(new IdKey(ctx.getRecipientId())); // a stale entry whose context was removed elsewhere
      serverOrder.put(new IdKey(ctx.getRecipientId()), ctx);
      enforceBound();
    }
    return ctx;
  }

  private void enforceBound() {
    Iterator<Map.Entry<IdKey, OSCoreCtx>> it = serverOrder.entrySet().iterator();
    while (serverOrder.size() > maxServerContexts && it.hasNext()) {
      Map.Entry<IdKey, OSCoreCtx> oldest = it.next();
      it.remove();
      OSCoreCtx current;
      try {
        current = db.getContext(oldest.getKey().id);
      } catch (RuntimeException e) {
        current = null;
      }
      if (current == oldest.getValue()) { // still the one we installed: drop it
        db.removeContext(current);
        evictions++;
      }
    }
  }

  /**
   * Installs a client-side context for requests to {@code uri} (Californium keys it by host and
   * port) and by Recipient ID. Refuses a Recipient ID in use.
   */
  public OSCoreCtx installClient(OscoreContext c, String uri) {
    OSCoreCtx ctx = toOSCoreCtx(c, true);
    synchronized (db) {
      refuseInUse(c);
      try {
        db.addContext(uri, ctx);
      } catch (OSException e) {
        throw new UnsupportedOscoreContextException("cannot install the OSCORE context for " + uri + ": " + e.getMessage());
      }
    }
    return ctx;
  }

  /**
   * Californium's OSCoreCtx probes its AEAD on construction by encrypting with a key and nonce
   * derived from the Sender and Recipient IDs alone, on a Cipher cached per thread. The JDK's
   * ChaCha20-Poly1305 refuses to be initialised twice in a row with the same key and nonce, so a
   * second context with the same IDs on the same thread (1-byte identifiers repeat) failed with
   * "Failed to initialize cipher". One encryption under a random key and nonce through
   * Californium's own COSE code puts that thread's cipher in another state first.
   */
  static void rekeyThreadChaChaCipher() {
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(key);
    RANDOM.nextBytes(nonce);
    try {
      org.eclipse.californium.cose.Encrypt0Message m = new org.eclipse.californium.cose.Encrypt0Message(false, true);
      m.SetContent(new byte[1]);
      m.addAttribute(org.eclipse.californium.cose.HeaderKeys.IV, com.upokecenter.cbor.CBORObject.FromObject(nonce),
          org.eclipse.californium.cose.Attribute.DO_NOT_SEND);
      m.addAttribute(org.eclipse.californium.cose.HeaderKeys.Algorithm, AlgorithmID.CHACHA20_POLY1305.AsCBOR(),
          org.eclipse.californium.cose.Attribute.DO_NOT_SEND);
      m.encrypt(key);
    } catch (org.eclipse.californium.cose.CoseException | RuntimeException e) {
      // the context construction below reports any real problem with the cipher
    } finally {
      java.util.Arrays.fill(key, (byte) 0);
    }
  }

  /** Removes an installed context (e.g. keys of a handshake whose peer turned out not to be authenticated). */
  public void remove(OSCoreCtx installed) {
    if (installed instanceof StoredOSCoreCtx stored && db instanceof StoreBackedCtxDB s) {
      s.removeStored(stored);
      return;
    }
    synchronized (db) {
      db.removeContext(installed);
      serverOrder.remove(new IdKey(installed.getRecipientId()), installed);
    }
  }

  /**
   * Key update: replaces {@code old} (as installed) by the context derived from {@code updated}
   * under the DB's lock, so no request sees neither or both. {@code uri} non-null for a client.
   */
  public OSCoreCtx replace(OSCoreCtx old, OscoreContext updated, String uri) {
    if (uri == null && old instanceof StoredOSCoreCtx stored && db instanceof StoreBackedCtxDB s) {
      return s.replace(stored, updated); // compare-and-set in the store: every node drops the old keys
    }
    OSCoreCtx ctx = toOSCoreCtx(updated, uri != null);
    synchronized (db) {
      if (!Arrays.equals(old.getRecipientId(), updated.recipientId())) {
        throw new IllegalArgumentException("key update keeps the Recipient ID");
      }
      db.removeContext(old);
      try {
        if (uri != null) {
          db.addContext(uri, ctx);
        } else {
          db.addContext(ctx);
        }
      } catch (OSException e) {
        db.addContext(old);
        throw new UnsupportedOscoreContextException("key update failed for " + uri + ": " + e.getMessage());
      }
      IdKey key = new IdKey(ctx.getRecipientId());
      if (serverOrder.remove(key, old)) { // a tracked server context: installed again, now the most recent
        serverOrder.put(key, ctx);
      }
    }
    return ctx;
  }

  /**
   * Server side key update: EDHOC_KeyUpdate(context) on the session, the new context derived and
   * swapped for the installed one (found by Recipient ID) atomically. Returns the new context.
   */
  public OscoreContext keyUpdateServer(io.edhoc.EdhocSession session, OscoreContext current, byte[] context) {
    OscoreContext updated = OscoreContext.keyUpdate(session, context, current);
    replaceServer(updated);
    return updated;
  }

  /**
   * Server side: swaps the installed context with {@code updated}'s Recipient ID for {@code
   * updated} atomically (an application that ran EDHOC_KeyUpdate itself). Over a store-backed DB the
   * context is loaded first if another node holds it, then replaced by compare-and-set in the store,
   * so every node refuses the old keys.
   */
  public OSCoreCtx replaceServer(OscoreContext updated) {
    OSCoreCtx installed;
    try {
      installed = db.getContext(updated.recipientId()); // a store-backed DB loads it if another node holds it
    } catch (RuntimeException e) {
      installed = null;
    }
    if (installed == null) {
      throw new IllegalStateException("no installed OSCORE context for Recipient ID " + HexFormat.of().formatHex(updated.recipientId()));
    }
    return replace(installed, updated, null);
  }

  /**
   * A {@link ResponderEngine.EstablishedListener} installing server-side contexts here. Over a
   * {@link StoreBackedCtxDB} the context is created in the store and its Californium copy is built
   * by the first OSCORE request that uses it ({@link StoreBackedCtxDB}, "Built on first use");
   * over any other DB it is installed at once as by {@link #installServer}.
   */
  public ResponderEngine.EstablishedListener serverListener() {
    return (session, context) -> establishServer(context);
  }

  /**
   * Installs a server-side context for use by the OSCORE requests that follow, without returning
   * it: over a {@link StoreBackedCtxDB} its Californium copy is built on first use; otherwise as
   * {@link #installServer}. Refuses a Recipient ID in use, and what Californium cannot express.
   */
  public void establishServer(OscoreContext c) {
    if (db instanceof StoreBackedCtxDB s) {
      s.establish(c);
    } else {
      installServer(c);
    }
  }

  private void refuseInUse(OscoreContext c) {
    if (recipientIdInUse(c.recipientId())) {
      throw new UnsupportedOscoreContextException("OSCORE Recipient ID " + HexFormat.of().formatHex(c.recipientId())
          + " is already installed; Californium would replace that context");
    }
  }

  /** A Recipient ID as a map key (here and in {@link StoreBackedCtxDB}). */
  static final class IdKey {
    final byte[] id;

    IdKey(byte[] id) {
      this.id = id == null ? new byte[0] : id.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IdKey k && Arrays.equals(id, k.id);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(id);
    }
  }

  /** Californium cannot take this context as it is. */
  public static final class UnsupportedOscoreContextException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public UnsupportedOscoreContextException(String message) {
      super(message);
    }
  }
}
