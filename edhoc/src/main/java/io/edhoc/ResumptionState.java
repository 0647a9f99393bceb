package io.edhoc;

import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.PskCredential;
import io.edhoc.crypto.HashAlgorithm;
import javax.security.auth.Destroyable;

/**
 * One resumption PSK (draft-ietf-lake-edhoc-psk section 6), derived from a completed session of any
 * method:
 *
 * <pre>
 * rPSK         = EDHOC_Exporter( 2, h'', hash_length )
 * rKID         = EDHOC_Exporter( 3, h'', 2 )
 * rID_CRED_PSK = { 4 : rKID }
 * </pre>
 *
 * with the exporter labels the draft suggests (TBD2 = 2, TBD3 = 3). It keeps what the original,
 * non-resumption session authenticated with: ID_CRED_I, ID_CRED_R, CRED_I, CRED_R (reused unchanged
 * as CRED_x of every resumed session, section 3.1.2) and the EDHOC hash algorithm. After an
 * external-PSK session ID_CRED_PSK stands for both ID_CRED_x. {@link #pskCredential()} is the entry
 * for the next method 4 session, on either side. rPSK is never exposed otherwise; {@link #destroy()}
 * wipes it. {@link Resumption} applies the key deletion rules along a chain of these.
 */
public final class ResumptionState implements Destroyable {
  /** EDHOC_Exporter label of rPSK (draft: TBD2, suggested 2). */
  public static final int RPSK_LABEL = 2;
  /** EDHOC_Exporter label of rKID (draft: TBD3, suggested 3). */
  public static final int RKID_LABEL = 3;
  /** kid_length, 2 bytes by default (section 6). */
  public static final int RKID_LENGTH = 2;

  private final PskCredential psk;
  private final byte[] rKid;
  private final IdCred originalIdCredI;
  private final IdCred originalIdCredR;
  private final HashAlgorithm hashAlgorithm;
  private final int generation;

  private ResumptionState(PskCredential psk, byte[] rKid, IdCred idCredI, IdCred idCredR, HashAlgorithm hash, int generation) {
    this.psk = psk;
    this.rKid = rKid;
    this.originalIdCredI = idCredI;
    this.originalIdCredR = idCredR;
    this.hashAlgorithm = hash;
    this.generation = generation;
  }

  /**
   * The resumption PSK of a completed session, which becomes the "original" session of the chain.
   * A method 4 Initiator session must have authenticated the Responder (message_4 or a verified
   * OSCORE response) first.
   */
  public static ResumptionState from(EdhocSession session) {
    SessionCredentials c = checked(session);
    return derive(session, c.idCredI, c.idCredR, c.credI, c.credR, session.suite().edhocHash(), 1);
  }

  /**
   * The next resumption PSK, from a session that was itself resumed with this one: fresh rPSK and
   * rKID, the same original ID_CRED_I, ID_CRED_R, CRED_x and hash algorithm.
   */
  public ResumptionState next(EdhocSession resumed) {
    checked(resumed);
    if (!resumed.method().isPsk()) {
      throw new IllegalArgumentException("a resumed session uses method 4, not " + resumed.method());
    }
    if (resumed.suite().edhocHash() != hashAlgorithm) {
      throw new IllegalArgumentException("the resumed session's hash algorithm " + resumed.suite().edhocHash() + " is not the original " + hashAlgorithm);
    }
    SessionCredentials c = resumed.credentials;
    return derive(resumed, originalIdCredI, originalIdCredR, c.credI, c.credR, hashAlgorithm, generation + 1);
  }

  private static SessionCredentials checked(EdhocSession session) {
    if (session.isClosed()) {
      throw new IllegalStateException("session is closed");
    }
    if (!session.isResponderAuthenticated()) {
      throw new IllegalStateException("the Responder is not authenticated yet (method 4 needs message_4 or a verified OSCORE response first)");
    }
    if (session.credentials == null) {
      throw new IllegalStateException("the session did not record its credentials");
    }
    return session.credentials;
  }

  private static ResumptionState derive(EdhocSession s, IdCred idCredI, IdCred idCredR, byte[] credI, byte[] credR, HashAlgorithm hash, int gen) {
    byte[] rPsk = s.exporter(RPSK_LABEL, new byte[0], s.suite().hashLength());
    byte[] rKid = s.exporter(RKID_LABEL, new byte[0], RKID_LENGTH);
    try {
      PskCredential p = PskCredential.forResumption(IdCred.kid(rKid), rPsk, credI, credR);
      return new ResumptionState(p, rKid, idCredI, idCredR, hash, gen);
    } catch (CredentialException e) {
      throw new IllegalStateException("cannot form the resumption PSK entry: " + e.getMessage(), e);
    } finally {
      Secrets.wipe(rPsk);
    }
  }

  /** The PSK entry for the next session: rID_CRED_PSK, rPSK, the original CRED_I and CRED_R. */
  public PskCredential pskCredential() {
    return psk;
  }

  public byte[] rKid() {
    return rKid.clone();
  }

  /** rID_CRED_PSK = {4: rKID}. */
  public IdCred rIdCredPsk() {
    return psk.idCredPsk();
  }

  /** ID_CRED_I of the original (non-resumption) session; ID_CRED_PSK when that was an external-PSK session. */
  public IdCred originalIdCredI() {
    return originalIdCredI;
  }

  /** ID_CRED_R of the original (non-resumption) session; ID_CRED_PSK when that was an external-PSK session. */
  public IdCred originalIdCredR() {
    return originalIdCredR;
  }

  /** The EDHOC hash algorithm of the original session; resumed sessions must use a suite with it. */
  public HashAlgorithm hashAlgorithm() {
    return hashAlgorithm;
  }

  /** 1 for the resumption PSK of the original session, i + 1 for rPSK_(i+1). */
  public int generation() {
    return generation;
  }

  /** Wipes rPSK: the entry can no longer be used on either side. */
  @Override
  public void destroy() {
    psk.destroy();
  }

  @Override
  public boolean isDestroyed() {
    return psk.isDestroyed();
  }

  @Override
  public String toString() {
    return "ResumptionState[rID_CRED_PSK " + psk.idCredPsk() + ", generation " + generation + ", " + hashAlgorithm
        + (isDestroyed() ? ", deleted" : "") + ", secret hidden]";
  }
}
