package io.edhoc.oscore;

import io.edhoc.oscore.store.StoredContext;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.californium.cose.AlgorithmID;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSException;

/**
 * A server-side Californium context backed by a {@link io.edhoc.oscore.store.OscoreContextStore}
 * entry, with the two safety rules of RFC 8613 Appendix B.1 hooked into Californium's own calls:
 *
 * <ul>
 *   <li><b>Sender Sequence Numbers (B.1.1).</b> This copy may use [start, reservedUpTo) only. When
 *       Californium advances past the last reserved number ({@link #increaseSenderSeq}, called
 *       after each message that carried a Partial IV), the next step is reserved in the store
 *       (compare-and-set, persisted) <em>before</em> the number can be used. If the store refuses
 *       (the record was replaced, removed or taken over by another copy) or fails, the message is
 *       dropped (Californium does not send a message whose encryption threw) and the copy is
 *       retired.
 *   <li><b>Replay window (B.1.2).</b> A copy loaded from the store has no replay window: until a
 *       request proves freshness it accepts nothing. Californium still decrypts (to read the inner
 *       Echo option), {@link #checkIncomingSeq} only notes the Partial IV, and {@link
 *       OscoreEchoLayer} answers 4.01 + Echo, protected with this server's own Partial IV ({@link
 *       #getResponsesIncludePartialIV}), never with the request's nonce. The repeated request that
 *       carries this copy's Echo value initialises the window with its Partial IV as lower limit.
 * </ul>
 *
 * The Echo value is 16 random bytes per loaded copy, so it proves freshness with respect to this
 * copy only: a request accepted by another node or another copy cannot be replayed here.
 */
public final class StoredOSCoreCtx extends OSCoreCtx {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final StoreBackedCtxDB owner;
  private final byte[] rid;
  private final long generation;
  private final long holder;
  private long reservedUpTo;
  private boolean fresh;
  private byte[] echo;
  private final byte[] challengeEcho;
  /** Partial IVs decrypted while no window existed and not yet decided on (request id -> count). */
  private final Map<Integer, Integer> unchecked = new HashMap<>();
  private int challengesInFlight;
  private volatile boolean retired;

  StoredOSCoreCtx(OscoreContext c, int replayWindow, StoreBackedCtxDB owner, StoredContext record, long holder, long start, boolean fresh)
      throws OSException {
    super(c.masterSecret(), false, CaliforniumContexts.aead(c.aead()), c.senderId(), c.recipientId(), AlgorithmID.HKDF_HMAC_SHA_256,
        replayWindow, c.masterSalt().length == 0 ? null : c.masterSalt(), c.idContext(), CaliforniumContexts.MAX_UNFRAGMENTED_SIZE);
    if (record.ssnBound() > Integer.MAX_VALUE || start < 0 || start > record.ssnBound()) {
      throw new OSException("Sender Sequence Numbers of this context are exhausted for Californium: run EDHOC again");
    }
    this.owner = owner;
    this.rid = c.recipientId();
    this.generation = record.generation();
    this.holder = holder;
    this.reservedUpTo = record.ssnBound();
    this.fresh = fresh;
    this.challengeEcho = new byte[16];
    RANDOM.nextBytes(challengeEcho);
    this.echo = fresh ? null : challengeEcho;
    setSenderSeq((int) start);
  }

  long generation() {
    return generation;
  }

  long holder() {
    return holder;
  }

  byte[] recipientIdCopy() {
    return rid.clone();
  }

  /** The first Sender Sequence Number this copy may not use without reserving more. */
  public synchronized long reservedUpTo() {
    return reservedUpTo;
  }

  /** True once the replay window is known (established here, or recovered with Echo). */
  public synchronized boolean isFresh() {
    return fresh;
  }

  void retire() {
    retired = true;
  }

  @Override
  public synchronized void increaseSenderSeq() throws OSException {
    int used = getSenderSeq();
    long next = (long) used + 1;
    if (next >= reservedUpTo) {
      long bound = retired ? -1 : owner.reserveMore(this);
      if (bound < 0 || bound > Integer.MAX_VALUE) {
        retired = true;
        owner.dropLocal(this);
        throw new OSException("no Sender Sequence Numbers reserved beyond " + reservedUpTo + ": message dropped, context retired");
      }
      reservedUpTo = bound;
    }
    super.increaseSenderSeq();
  }

  @Override
  public synchronized void checkIncomingSeq(int seq) throws OSException {
    if (fresh) {
      super.checkIncomingSeq(seq);
      return;
    }
    if (!owner.hasEchoLayer()) {
      // without the binding's stack nobody would challenge: refuse rather than accept replays
      throw new OSException("replay window lost: OSCORE request refused (use EdhocOscoreStackFactory for Echo recovery)");
    }
    unchecked.merge(seq, 1, Integer::sum);
  }

  @Override
  public synchronized boolean getResponsesIncludePartialIV() {
    return super.getResponsesIncludePartialIV() || !fresh || challengesInFlight > 0;
  }

  /** What {@link OscoreEchoLayer} does with a decrypted request. */
  enum Verdict { ACCEPT, CHALLENGE, REPLAY }

  /**
   * Decides on a decrypted request; after {@link Verdict#CHALLENGE} the caller sends the challenge
   * and then calls {@link #challengeSent()}. {@code echoValue}: the request's Echo option or null.
   */
  synchronized Verdict admit(int seq, byte[] echoValue) {
    Integer n = unchecked.get(seq);
    boolean wasUnchecked = n != null;
    if (n != null && n > 1) {
      unchecked.put(seq, n - 1);
    } else if (n != null) {
      unchecked.remove(seq);
    }
    if (!fresh) {
      if (echoValue != null && echo != null && MessageDigest.isEqual(echoValue, echo)) {
        setRecipientSeq(seq);
        setRecipientReplayWindow(1); // seq itself is now seen; lower Partial IVs are too old
        fresh = true;
        echo = null;
        owner.echoRecovered();
        return Verdict.ACCEPT;
      }
      challengesInFlight++; // until challengeSent(): responses carry our own Partial IV even if fresh meanwhile
      return Verdict.CHALLENGE;
    }
    if (wasUnchecked) {
      try {
        super.checkIncomingSeq(seq); // decrypted before the window existed: check it now
      } catch (OSException e) {
        return Verdict.REPLAY;
      }
    }
    return Verdict.ACCEPT;
  }

  /** The Echo value of this copy's challenges (kept until a request returns it). */
  synchronized byte[] echoValue() {
    return challengeEcho.clone();
  }

  synchronized void challengeSent() {
    challengesInFlight--;
  }
}
