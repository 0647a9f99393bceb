package io.edhoc.service.coap;

import com.upokecenter.cbor.CBORObject;
import io.edhoc.oscore.OscoreContext;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import org.eclipse.californium.cose.AlgorithmID;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSException;

/**
 * The server's OSCORE contexts (Californium's {@link HashMapCtxDB}, which the CoAP stack uses to
 * unprotect requests), bounded: beyond {@code max} contexts the oldest is removed. Each EDHOC
 * session completed by this node adds one, keyed by its Recipient ID (= C_R).
 */
public final class ServerContexts {
  private static final int REPLAY_WINDOW = 32;
  private static final int MAX_UNFRAGMENTED = 4096;
  private final HashMapCtxDB db = new HashMapCtxDB();
  private final Deque<byte[]> order = new ArrayDeque<>();
  private final int max;

  public ServerContexts(int max) {
    this.max = max;
  }

  public HashMapCtxDB db() {
    return db;
  }

  /** Installs a context derived by EDHOC (A.1); replaces one with the same Recipient ID. */
  public synchronized void install(OscoreContext c) throws OSException {
    OSCoreCtx ctx = toCalifornium(c, false);
    OSCoreCtx old = db.getContext(c.recipientId());
    if (old != null) {
      db.removeContext(old);
      order.removeIf(id -> Arrays.equals(id, c.recipientId()));
    }
    db.addContext(ctx);
    order.addLast(c.recipientId());
    while (order.size() > max) {
      OSCoreCtx oldest = db.getContext(order.removeFirst());
      if (oldest != null) {
        db.removeContext(oldest);
      }
    }
  }

  /** A Californium context with the same parameters (replay window 32). */
  public static OSCoreCtx toCalifornium(OscoreContext c, boolean client) throws OSException {
    if (!c.isHmacBasedHkdf()) {
      throw new OSException("the suite's application hash cannot be expressed as a Californium OSCORE context");
    }
    AlgorithmID aead;
    try {
      aead = AlgorithmID.FromCBOR(CBORObject.FromObject(c.aead().coseId()));
    } catch (org.eclipse.californium.cose.CoseException e) {
      throw new OSException("AEAD " + c.aead() + " is not supported by Californium");
    }
    AlgorithmID hkdf = switch (c.hkdf()) {
      case SHA_256 -> AlgorithmID.HKDF_HMAC_SHA_256;
      default -> throw new OSException("HKDF " + c.hkdf() + " is not supported by Californium");
    };
    byte[] salt = c.masterSalt();
    // Californium may keep references to these arrays: they are fresh copies and are not wiped here
    return new OSCoreCtx(c.masterSecret(), client, aead, c.senderId(), c.recipientId(), hkdf, REPLAY_WINDOW,
        salt.length == 0 ? null : salt, null, MAX_UNFRAGMENTED);
  }

  /** True if a context with this Recipient ID is installed (the EDHOC engine must not reuse it as C_R). */
  public synchronized boolean contains(byte[] recipientId) {
    return db.getContext(recipientId) != null;
  }

  public synchronized int size() {
    return order.size();
  }

  @Override
  public synchronized String toString() {
    return "ServerContexts[" + order.size() + " of " + max + ", last " + (order.isEmpty() ? "-" : HexFormat.of().formatHex(order.peekLast())) + "]";
  }
}
