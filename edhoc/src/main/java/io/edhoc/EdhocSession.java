package io.edhoc;

import io.edhoc.credentials.Credential;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.PskCredential;
import java.util.List;

/**
 * An established EDHOC session: who, how, and PRK_out behind EDHOC_Exporter and EDHOC_KeyUpdate
 * (RFC 9528 section 4.2, Appendix H). Closing it wipes PRK_out and PRK_exporter; the secrets are
 * never exposed except through the exporter.
 *
 * <p><b>Method 4 (PSK), Initiator:</b> message_3 authenticates the Initiator, but only message_4
 * (or an OSCORE response protected with keys exported from this session) authenticates the
 * Responder (draft-ietf-lake-edhoc-psk sections 5.4 and 8). A session from {@link
 * Initiator.AwaitingMessage4#readMessage4} is complete; one from {@link
 * Initiator.AwaitingMessage4#completeWithUnauthenticatedResponder()} is <em>provisional</em>:
 * {@link #isResponderAuthenticated()} is false until {@link #markResponderAuthenticated()} is called
 * after such an OSCORE response verified. Until then the application must not persist PRK_out,
 * exported keys or OSCORE contexts, nor treat the peer as authenticated, and {@link Resumption}
 * refuses the session.
 */
public final class EdhocSession implements AutoCloseable {
  private final Role role;
  private final Method method;
  private final KeySchedule ks;
  private final byte[] cI;
  private final byte[] cR;
  private final Credential peer;
  private byte[] prkOut;
  private byte[] prkExporter;
  private boolean closed;
  List<EadItem> ead4 = List.of();
  /** What the session authenticated with (for resumption); null when not recorded. */
  final SessionCredentials credentials;
  private volatile boolean responderAuthenticated = true;

  EdhocSession(Role role, Method method, KeySchedule ks, byte[] cI, byte[] cR, Credential peer, SessionCredentials credentials, byte[] prkOut) {
    this.role = role;
    this.credentials = credentials;
    this.method = method;
    this.ks = ks;
    this.cI = cI.clone();
    this.cR = cR.clone();
    this.peer = peer;
    this.prkOut = prkOut;
    this.prkExporter = ks.prkExporter(prkOut);
  }

  public Role role() {
    return role;
  }

  public Method method() {
    return method;
  }

  public CipherSuite suite() {
    return ks.suite;
  }

  public byte[] connectionIdI() {
    return cI.clone();
  }

  public byte[] connectionIdR() {
    return cR.clone();
  }

  /** This side's connection identifier (its OSCORE Recipient ID, RFC 9528 Appendix A.1). */
  public byte[] ownConnectionId() {
    return role == Role.INITIATOR ? cI.clone() : cR.clone();
  }

  /** The peer's connection identifier (this side's OSCORE Sender ID). */
  public byte[] peerConnectionId() {
    return role == Role.INITIATOR ? cR.clone() : cI.clone();
  }

  /** The authenticated peer credential; null for method 4, where the PSK entry ({@link #pskCredential()}) stands for both. */
  public Credential peerCredential() {
    return peer;
  }

  /**
   * Who the peer is, for logs and displays: its credential's description, or the PSK entry's for
   * method 4. Never key material.
   */
  public String describePeer() {
    if (peer != null) {
      return peer.describe();
    }
    PskCredential psk = pskCredential();
    return psk != null ? psk.describe() : "unknown peer";
  }

  /** Method 4: the PSK entry the session was authenticated with (on the Responder, the candidate that decrypted); null otherwise. */
  public PskCredential pskCredential() {
    return credentials == null ? null : credentials.psk;
  }

  /** Method 4: ID_CRED_PSK of the PSK used; null otherwise. */
  public IdCred idCredPsk() {
    return credentials == null || credentials.psk == null ? null : credentials.psk.idCredPsk();
  }

  /**
   * Whether the Responder is authenticated to this side. Always true for the Responder's own
   * session and for methods 0-3 (message_2 authenticates the Responder). For a method 4 Initiator,
   * true after message_4 verified; false for a provisional session from {@link
   * Initiator.AwaitingMessage4#completeWithUnauthenticatedResponder()} until {@link
   * #markResponderAuthenticated()}. While false, nothing derived from this session may be
   * persisted (draft-ietf-lake-edhoc-psk section 9.10) and the peer is not authenticated.
   */
  public boolean isResponderAuthenticated() {
    return responderAuthenticated;
  }

  /**
   * Records that the Responder is now authenticated: call it only after a message from the
   * Responder protected with a key exported from this session (an OSCORE response) has been
   * verified. Only the Initiator's provisional method 4 session needs it; elsewhere a no-op.
   */
  public void markResponderAuthenticated() {
    synchronized (this) {
      checkOpen();
    }
    responderAuthenticated = true;
  }

  void provisional() {
    responderAuthenticated = false;
  }

  /** EAD_4 received by the Initiator, padding removed; empty otherwise. */
  public List<EadItem> ead4() {
    return ead4;
  }

  /** EDHOC_Exporter(label, context, length), section 4.2.1. */
  public synchronized byte[] exporter(int label, byte[] context, int length) {
    checkOpen();
    if (label < 0) {
      throw new IllegalArgumentException("exporter label must be non-negative");
    }
    if (length < 0) {
      throw new IllegalArgumentException("negative length");
    }
    return ks.exporter(prkExporter, label, context, length);
  }

  /** EDHOC_KeyUpdate(context), Appendix H: replaces PRK_out and PRK_exporter. */
  public synchronized void keyUpdate(byte[] context) {
    checkOpen();
    byte[] newPrkOut = ks.keyUpdate(prkOut, context);
    byte[] newExporter = ks.kdf("PRK_exporter after KeyUpdate", newPrkOut, 10, new byte[0], ks.hash.length());
    Secrets.wipe(prkOut, prkExporter);
    prkOut = newPrkOut;
    prkExporter = newExporter;
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("EDHOC session is closed");
    }
  }

  /** Wipes PRK_out and PRK_exporter; the session cannot export afterwards. */
  @Override
  public synchronized void close() {
    Secrets.wipe(prkOut, prkExporter);
    closed = true;
  }

  @Override
  public String toString() {
    return "EdhocSession[" + role + ", " + method + ", " + ks.suite + ", " + (peer != null ? "peer " + peer.describe() : credentials != null && credentials.psk != null ? credentials.psk.describe() : "no peer credential")
        + (responderAuthenticated ? "" : ", responder NOT authenticated") + (closed ? ", closed" : "") + "]";
  }
}
