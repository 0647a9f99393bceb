package io.edhoc;

import io.edhoc.credentials.Credential;
import java.util.List;

/**
 * An established EDHOC session: who, how, and PRK_out behind EDHOC_Exporter and EDHOC_KeyUpdate
 * (RFC 9528 section 4.2, Appendix H). Closing it wipes PRK_out and PRK_exporter; the secrets are
 * never exposed except through the exporter.
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

  EdhocSession(Role role, Method method, KeySchedule ks, byte[] cI, byte[] cR, Credential peer, byte[] prkOut) {
    this.role = role;
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

  /** The authenticated peer credential. */
  public Credential peerCredential() {
    return peer;
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
    return "EdhocSession[" + role + ", " + method + ", " + ks.suite + ", peer " + peer.describe() + (closed ? ", closed" : "") + "]";
  }
}
