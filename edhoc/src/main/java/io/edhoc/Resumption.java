package io.edhoc;

import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.PskCredential;
import io.edhoc.credentials.PskResolver;
import java.util.ArrayList;
import java.util.List;

/**
 * One side's chain of resumption PSKs with one peer (draft-ietf-lake-edhoc-psk section 6), applying
 * the section's key deletion rules so that both sides keep a common key and a superseded one is
 * refused.
 *
 * <p>Initiator: present {@link #current()} ({@code Edhoc.initiator(config, resumption.current())});
 * after message_4 (or a verified OSCORE response) call {@link #advance(EdhocSession)}: rPSK_i is
 * deleted (the Responder has derived rPSK_(i+1)) and rPSK_(i+1) becomes current.
 *
 * <p>Responder: use it as the {@link PskResolver} ({@code pskResolver(resumption)}); it answers
 * for the keys it holds. After a resumed session with rPSK_i completes (message_3 verified) call
 * {@link #advance(EdhocSession)}: rPSK_(i-1) is deleted and rPSK_(i+1) derived; rPSK_i is kept,
 * since the Initiator may not have got message_4 and try rPSK_i again, until the next session uses
 * rPSK_(i+1) or {@link #peerConfirmed()} reports a verified fifth message (an OSCORE request).
 * A deleted key is no longer known: presenting it gives ERR_CODE 3.
 *
 * <p>Thread-safe. It keeps secrets; an application that persists it must protect them like
 * session keys (section 6.2).
 */
public final class Resumption implements PskResolver {
  private final Role role;
  private ResumptionState current;
  /** Responder only: rPSK_i, the key the last resumed session used, kept until confirmed. */
  private ResumptionState previous;

  private Resumption(Role role, ResumptionState current) {
    this.role = role;
    this.current = current;
  }

  /**
   * Starts a chain from a completed session of any method (for this side's role). A method 4
   * Initiator session must have authenticated the Responder.
   */
  public static Resumption start(EdhocSession session) {
    return new Resumption(session.role(), ResumptionState.from(session));
  }

  public Role role() {
    return role;
  }

  /** The PSK entry to present next (Initiator), or the newest one accepted (Responder). */
  public synchronized PskCredential current() {
    return current.pskCredential();
  }

  public synchronized ResumptionState currentState() {
    return current;
  }

  /** Responder: rPSK_i still accepted for a retry, or null. */
  public synchronized ResumptionState previousState() {
    return previous;
  }

  /**
   * A method 4 session resumed with one of this chain's keys has completed: derives the next key
   * and deletes what section 6 lets this side delete. The session must be this side's and, for the
   * Initiator, have authenticated the Responder (message_4 or a verified OSCORE response).
   */
  public synchronized void advance(EdhocSession resumed) {
    if (resumed.role() != role) {
      throw new IllegalArgumentException("a " + resumed.role() + " session cannot advance the " + role + "'s chain");
    }
    if (!resumed.isResponderAuthenticated()) {
      throw new IllegalStateException("the Responder is not authenticated yet: verify message_4 or an OSCORE response first");
    }
    PskCredential used = resumed.pskCredential();
    if (used == null || !resumed.method().isPsk()) {
      throw new IllegalArgumentException("the session was not resumed with a PSK");
    }
    if (used == current.pskCredential()) {
      ResumptionState next = current.next(resumed);
      if (role == Role.INITIATOR) {
        current.destroy(); // the Initiator may delete rPSK_i after verifying the fourth message
      } else if (previous != null) {
        previous.destroy(); // the Responder may delete rPSK_(i-1) once message_3 used rPSK_i
        previous = current;
      } else {
        previous = current;
      }
      current = next;
    } else if (role == Role.RESPONDER && previous != null && used == previous.pskCredential()) {
      // a retry with rPSK_i: the rPSK_(i+1) derived before was never confirmed; replace it
      ResumptionState next = previous.next(resumed);
      current.destroy();
      current = next;
    } else {
      throw new IllegalArgumentException("the session was not resumed with this chain's current key");
    }
  }

  /**
   * Responder: a fifth message from the Initiator, protected with a key exported from the last
   * resumed session (an OSCORE request), verified: the Initiator can derive rPSK_(i+1), so rPSK_i
   * is deleted.
   */
  public synchronized void peerConfirmed() {
    if (previous != null) {
      previous.destroy();
      previous = null;
    }
  }

  /** Deletes every key of the chain (e.g. fall back to the external PSK or another method). */
  public synchronized void destroy() {
    current.destroy();
    if (previous != null) {
      previous.destroy();
    }
    previous = null;
  }

  @Override
  public PskCredential resolvePsk(IdCred idCredPsk) {
    List<PskCredential> all = resolvePsks(idCredPsk);
    return all.isEmpty() ? null : all.get(0);
  }

  /** The live keys of the chain named by idCredPsk, newest first; none once deleted. */
  @Override
  public synchronized List<PskCredential> resolvePsks(IdCred idCredPsk) {
    List<PskCredential> r = new ArrayList<>();
    for (ResumptionState s : new ResumptionState[] {current, previous}) {
      if (s != null && !s.isDestroyed() && s.rIdCredPsk().equals(idCredPsk)) {
        r.add(s.pskCredential());
      }
    }
    return r;
  }

  @Override
  public synchronized String toString() {
    return "Resumption[" + role + ", current " + current + (previous == null ? "" : ", previous " + previous) + "]";
  }
}
