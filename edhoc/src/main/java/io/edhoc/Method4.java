package io.edhoc;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborWriter;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.PskCredential;
import io.edhoc.credentials.PskResolver;
import io.edhoc.crypto.CryptoException;
import java.util.Arrays;
import java.util.List;

/**
 * Method 4, EDHOC authenticated with a pre-shared key (draft-ietf-lake-edhoc-psk sections 4 and
 * 5): the message_2 and message_3 steps that differ from RFC 9528, called from the typestates of
 * {@link Initiator} and {@link Responder} when their method is {@link Method#PSK}. message_1 and
 * message_4 are those of RFC 9528 and stay in the typestates.
 *
 * <pre>
 * message_2:  PLAINTEXT_2A  = ( C_R, ? EAD_2 )                    XOR KEYSTREAM_2A
 * message_3:  PLAINTEXT_3A  = ( ID_CRED_PSK, CIPHERTEXT_3B )       XOR KEYSTREAM_3A
 *             CIPHERTEXT_3B = AEAD( K_3, IV_3, PLAINTEXT_3B = ( ? EAD_3 ),
 *                                   external_aad = << ID_CRED_PSK, TH_3, CRED_I, CRED_R >> )
 * </pre>
 *
 * There is no MAC_2, MAC_3 or signature: the Initiator is authenticated by CIPHERTEXT_3B, the
 * Responder only by message_4 or an OSCORE response (draft section 5.4).
 */
final class Method4 {
  private Method4() {}

  // ---- Responder, draft section 5.2.2 ----

  static Responder.AwaitingMessage3 writeMessage2(
      EdhocConfig config, KeySchedule ks, Method method, CosePrivateKey y, byte[] gX, byte[] cI, byte[] message1, List<EadItem> ead2)
      throws EdhocException {
    byte[] gXY = null;
    byte[] prk2e = null;
    byte[] prk3e2m = null;
    byte[] plaintext2a = null;
    byte[] keystream2a = null;
    boolean ok = false;
    try {
      byte[] gY = y.publicKey().x();
      byte[] cR = config.connectionIds().allocate(cI);
      gXY = Steps.dh(ks, y, gX, "G_XY");
      byte[] th2 = ks.th2(gY, message1);
      prk2e = ks.prk2e(th2, gXY);
      prk3e2m = ks.traced("PRK_3e2m", prk2e.clone());
      byte[] eadBytes = EadItem.encode(Steps.outgoingEad(config.ead(), 2, ead2));
      plaintext2a = ks.traced("PLAINTEXT_2A", CborWriter.sequence(ConnectionIdCodec.encode(cR), eadBytes));
      keystream2a = ks.keystream2a(prk2e, th2, plaintext2a.length);
      byte[] ciphertext2a = ks.traced("CIPHERTEXT_2A", KeySchedule.xor(plaintext2a, keystream2a));
      byte[] gYciphertext2 = new byte[gY.length + ciphertext2a.length];
      System.arraycopy(gY, 0, gYciphertext2, 0, gY.length);
      System.arraycopy(ciphertext2a, 0, gYciphertext2, gY.length, ciphertext2a.length);
      byte[] message2 = ks.traced("message_2", CborWriter.bstr(gYciphertext2));
      byte[] th3 = ks.th3Psk(th2, plaintext2a);
      ok = true;
      return new Responder.AwaitingMessage3(config, ks, method, cI, cR, message2, th3, prk3e2m, y);
    } finally {
      Secrets.wipe(gXY, prk2e, plaintext2a, keystream2a);
      if (!ok) {
        Secrets.wipe(prk3e2m);
        y.destroy();
      }
    }
  }

  // ---- Initiator, draft section 5.2.3 ----

  static Initiator.Message2Verified readMessage2(
      EdhocConfig config, KeySchedule ks, Method method, CosePrivateKey x, byte[] cI, byte[] message1, PskCredential psk, byte[] message2,
      Initiator.AwaitingMessage2 state) throws EdhocException {
    byte[] gXY = null;
    byte[] prk2e = null;
    byte[] prk3e2m = null;
    byte[] keystream2a = null;
    byte[] plaintext2a = null;
    boolean ok = false;
    try {
      byte[] gYciphertext2 = Steps.readBstrMessage(message2, "message_2");
      int n = ks.suite.dhCurve().coordinateLength();
      if (gYciphertext2.length <= n) {
        throw Steps.malformed("message_2", new CborException("G_Y_CIPHERTEXT_2 too short"));
      }
      byte[] gY = Arrays.copyOfRange(gYciphertext2, 0, n);
      byte[] ciphertext2a = Arrays.copyOfRange(gYciphertext2, n, gYciphertext2.length);
      gXY = Steps.dh(ks, x, gY, "G_XY");
      byte[] th2 = ks.th2(gY, message1);
      prk2e = ks.prk2e(th2, gXY);
      prk3e2m = ks.traced("PRK_3e2m", prk2e.clone());
      keystream2a = ks.keystream2a(prk2e, th2, ciphertext2a.length);
      plaintext2a = ks.traced("PLAINTEXT_2A", KeySchedule.xor(ciphertext2a, keystream2a));
      byte[] cR;
      List<EadItem> ead2Raw;
      try {
        CborReader r = new CborReader(plaintext2a);
        cR = ConnectionIdCodec.read(r, "C_R");
        state.peerConnectionId = cR.clone();
        ead2Raw = EadItem.readAll(r);
      } catch (CborException e) {
        throw Steps.malformed("message_2", e);
      }
      // EAD_2 is not authenticated yet in method 4: the Responder is authenticated by message_4
      List<EadItem> ead2 = Steps.checkEad(ead2Raw, config.ead());
      Steps.consumeEad(config.ead(), 2, ead2);
      byte[] th3 = ks.th3Psk(th2, plaintext2a);
      ok = true;
      Initiator.Message2Verified v = new Initiator.Message2Verified(config, ks, method, null, cI, cR, gY, th3, prk3e2m, null, ead2);
      v.psk = psk;
      return v;
    } finally {
      Secrets.wipe(gXY, prk2e, keystream2a, plaintext2a);
      x.destroy();
      if (!ok) {
        Secrets.wipe(prk3e2m);
      }
    }
  }

  // ---- Initiator, draft section 5.3.2 ----

  static Initiator.AwaitingMessage4 writeMessage3(
      EdhocConfig config, KeySchedule ks, Method method, byte[] cI, byte[] cR, byte[] th3, byte[] prk3e2m, PskCredential psk, List<EadItem> ead3)
      throws EdhocException {
    byte[] salt4e3m = null;
    byte[] key = null;
    byte[] prk4e3m = null;
    byte[] k3 = null;
    byte[] iv3 = null;
    byte[] plaintext3b = null;
    byte[] plaintext3a = null;
    byte[] keystream3a = null;
    boolean ok = false;
    try {
      plaintext3b = ks.traced("PLAINTEXT_3B", EadItem.encode(Steps.outgoingEad(config.ead(), 3, ead3)));
      byte[] idCredPsk = ks.traced("ID_CRED_PSK", psk.idCredPsk().plaintextEncoding());
      byte[] credI = psk.credI();
      byte[] credR = psk.credR();
      salt4e3m = ks.salt4e3m(prk3e2m, th3);
      try {
        key = psk.exportPsk();
      } catch (IllegalStateException e) {
        throw new EdhocException(Failure.NO_CREDENTIAL, 0, null, "the PSK entry " + psk.idCredPsk() + " was destroyed");
      }
      prk4e3m = ks.prk4e3mPsk(salt4e3m, key);
      k3 = ks.k3(prk4e3m, th3);
      iv3 = ks.iv3(prk4e3m, th3);
      byte[] externalAad = ks.externalAad3Psk(idCredPsk, th3, credI, credR);
      byte[] ciphertext3b = ks.traced("CIPHERTEXT_3B", CborWriter.bstr(Steps.encrypt0(ks, "A_3", k3, iv3, externalAad, plaintext3b)));
      plaintext3a = ks.traced("PLAINTEXT_3A", CborWriter.sequence(idCredPsk, ciphertext3b));
      if (plaintext3a.length > ks.maxKeystream3aLength()) {
        throw new EdhocException(Failure.INTERNAL, 0, null, "PLAINTEXT_3A longer than one EDHOC_KDF output; EAD_3 too large for method 4");
      }
      keystream3a = ks.keystream3a(prk3e2m, th3, plaintext3a.length);
      byte[] ciphertext3a = ks.traced("CIPHERTEXT_3A", KeySchedule.xor(plaintext3a, keystream3a));
      byte[] message3 = ks.traced("message_3", CborWriter.bstr(ciphertext3a));
      byte[] th4 = ks.th4Psk(th3, idCredPsk, plaintext3b, credI, credR);
      byte[] prkOut = ks.prkOut(prk4e3m, th4);
      ok = true;
      Initiator.AwaitingMessage4 w = new Initiator.AwaitingMessage4(config, ks, method, cI, cR, null, message3, prk4e3m, th4, prkOut);
      w.credentials = SessionCredentials.ofPsk(psk, credI, credR);
      return w;
    } finally {
      Secrets.wipe(prk3e2m, salt4e3m, key, k3, iv3, plaintext3b, plaintext3a, keystream3a);
      if (!ok) {
        Secrets.wipe(prk4e3m);
      }
    }
  }

  // ---- Responder, draft section 5.3.3 ----

  static Responder.Message3Verified readMessage3(
      EdhocConfig config, KeySchedule ks, Method method, byte[] cI, byte[] cR, byte[] th3, byte[] prk3e2m, byte[] message3)
      throws EdhocException {
    byte[] keystream3a = null;
    byte[] plaintext3a = null;
    byte[] salt4e3m = null;
    byte[] prk4e3m = null;
    byte[] plaintext3b = null;
    boolean ok = false;
    try {
      byte[] ciphertext3a = Steps.readBstrMessage(message3, "message_3");
      if (ciphertext3a.length > ks.maxKeystream3aLength()) {
        throw Steps.malformed("message_3", new CborException("CIPHERTEXT_3A longer than one EDHOC_KDF output"));
      }
      keystream3a = ks.keystream3a(prk3e2m, th3, ciphertext3a.length);
      plaintext3a = ks.traced("PLAINTEXT_3A", KeySchedule.xor(ciphertext3a, keystream3a));
      IdCred idCredPsk;
      byte[] idCredPskAsSent;
      byte[] ciphertext3bRaw;
      try {
        CborReader r = new CborReader(plaintext3a);
        idCredPsk = IdCred.readFromPlaintext(r);
        idCredPskAsSent = Arrays.copyOfRange(plaintext3a, 0, r.position());
        int bStart = r.position();
        ciphertext3bRaw = r.readBytes();
        ks.traced("CIPHERTEXT_3B", Arrays.copyOfRange(plaintext3a, bStart, r.position()));
        r.expectEnd("PLAINTEXT_3A");
      } catch (CborException e) {
        throw Steps.malformed("message_3", e);
      }
      ks.traced("ID_CRED_PSK", idCredPskAsSent);
      if (idCredPsk.isByValue()) {
        throw Steps.fail(Failure.CREDENTIAL_REJECTED, "ID_CRED_PSK must be a reference", "ID_CRED_PSK " + idCredPsk + " is by value");
      }
      List<PskCredential> candidates = candidates(config, idCredPsk);
      salt4e3m = ks.salt4e3m(prk3e2m, th3);
      PskCredential used = null;
      byte[] credI = null;
      byte[] credR = null;
      for (PskCredential c : candidates) {
        byte[] key = null;
        byte[] k3 = null;
        byte[] iv3 = null;
        byte[] prk = null;
        try {
          try {
            key = c.exportPsk();
          } catch (IllegalStateException e) {
            continue; // a destroyed entry (e.g. a deleted resumption key) is no candidate
          }
          byte[] ci = c.credI();
          byte[] cr = c.credR();
          prk = ks.prk4e3mPsk(salt4e3m, key);
          k3 = ks.k3(prk, th3);
          iv3 = ks.iv3(prk, th3);
          byte[] a3 = ks.traced("A_3", KeySchedule.encStructure(ks.externalAad3Psk(idCredPskAsSent, th3, ci, cr)));
          try {
            plaintext3b = ks.aead.decrypt(k3, iv3, a3, ciphertext3bRaw);
          } catch (CryptoException e) {
            continue; // draft 5.3.3: retry with the next candidate
          }
          used = c;
          credI = ci;
          credR = cr;
          prk4e3m = prk;
          prk = null;
          break;
        } finally {
          Secrets.wipe(key, k3, iv3, prk);
        }
      }
      if (used == null) {
        throw Steps.fail(Failure.DECRYPTION_FAILED, "Decryption failed",
            "CIPHERTEXT_3B did not decrypt with any of the " + candidates.size() + " PSK candidate(s) for " + idCredPsk);
      }
      ks.traced("PLAINTEXT_3B", plaintext3b);
      List<EadItem> ead3Raw;
      try {
        ead3Raw = EadItem.readAll(new CborReader(plaintext3b));
      } catch (CborException e) {
        throw Steps.malformed("message_3", e);
      }
      List<EadItem> ead3 = Steps.checkEad(ead3Raw, config.ead());
      Steps.consumeEad(config.ead(), 3, ead3);
      byte[] th4 = ks.th4Psk(th3, idCredPskAsSent, plaintext3b, credI, credR);
      byte[] prkOut = ks.prkOut(prk4e3m, th4);
      ok = true;
      Responder.Message3Verified v = new Responder.Message3Verified(config, ks, method, cI, cR, null, ead3, prk4e3m, th4, prkOut);
      v.credentials = SessionCredentials.ofPsk(used, credI, credR);
      return v;
    } finally {
      Secrets.wipe(keystream3a, plaintext3a, salt4e3m, plaintext3b, prk3e2m);
      if (!ok) {
        Secrets.wipe(prk4e3m);
      }
    }
  }

  /** The PSK entries the resolver names for ID_CRED_PSK; none is ERR_CODE 3 (section 6.4 of RFC 9528). */
  private static List<PskCredential> candidates(EdhocConfig config, IdCred idCredPsk) throws EdhocException {
    PskResolver resolver = config.pskResolver();
    List<PskCredential> found;
    try {
      found = resolver == null ? List.of() : resolver.resolvePsks(idCredPsk);
    } catch (CredentialException e) {
      if (e.reason() == CredentialException.Reason.UNKNOWN) {
        found = List.of();
      } else {
        throw Steps.fail(Failure.CREDENTIAL_REJECTED, "PSK not accepted", "PSK entry for " + idCredPsk + " rejected: " + e.getMessage());
      }
    } catch (RuntimeException e) {
      throw Steps.internal("PSK resolver failed", e);
    }
    if (found == null || found.isEmpty()) {
      throw new EdhocException(Failure.UNKNOWN_CREDENTIAL, ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED, ErrorMessage.unknownCredentialReferenced(),
          "unknown ID_CRED_PSK " + idCredPsk);
    }
    return found;
  }
}
