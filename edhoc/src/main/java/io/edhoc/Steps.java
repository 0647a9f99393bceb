package io.edhoc;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.CredentialUsage;
import io.edhoc.credentials.IdCred;
import io.edhoc.crypto.CryptoException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Processing shared by both roles: failures with the right error message, EAD rules, credentials. */
final class Steps {
  private Steps() {}

  /** A failure answered with ERR_CODE 1 and a short English diagnostic. */
  static EdhocException fail(Failure failure, String diagnostic, String detail) {
    return new EdhocException(failure, ErrorMessage.UNSPECIFIED, ErrorMessage.unspecified(diagnostic), detail);
  }

  static EdhocException malformed(String what, CborException e) {
    return fail(Failure.MALFORMED_MESSAGE, "Malformed " + what, "malformed " + what + ": " + e.getMessage());
  }

  static EdhocException invalidKey(String what, CryptoException e) {
    return fail(Failure.INVALID_PUBLIC_KEY, "Invalid public key", "invalid " + what + ": " + e.getMessage());
  }

  static EdhocException internal(String what, Exception e) {
    return fail(Failure.INTERNAL, "Internal error", what + ": " + e.getClass().getSimpleName());
  }

  /** A received error message: nothing is sent back (RFC 9528 section 6). */
  static EdhocException peerError(byte[] message) {
    try {
      return new EdhocPeerErrorException(ErrorMessage.parse(message));
    } catch (CborException e) {
      return new EdhocException(Failure.PEER_ERROR, 0, null, "peer sent a malformed error message: " + e.getMessage());
    }
  }

  /**
   * Applies the generic EAD rules: padding is dropped; a critical item the application does not
   * understand aborts. Returns the items for the application.
   */
  static List<EadItem> checkEad(List<EadItem> received, EadHandler handler) throws EdhocException {
    if (received.isEmpty()) {
      return List.of();
    }
    List<EadItem> out = new ArrayList<>();
    for (EadItem i : received) {
      if (i.isPadding()) {
        continue;
      }
      if (i.isCritical() && !handler.understoodLabels().contains(-i.label())) {
        throw fail(Failure.EAD_REJECTED, "Unsupported critical EAD item", "critical EAD item " + i.label() + " not understood");
      }
      out.add(i);
    }
    return List.copyOf(out);
  }

  static void consumeEad(EadHandler handler, int messageNumber, List<EadItem> items) throws EdhocException {
    try {
      handler.consume(messageNumber, items);
    } catch (EadHandler.EadRejectedException e) {
      throw fail(Failure.EAD_REJECTED, e.getMessage() == null ? "EAD rejected" : e.getMessage(), "application rejected EAD_" + messageNumber);
    } catch (RuntimeException e) {
      throw internal("EAD handler failed", e);
    }
  }

  static List<EadItem> outgoingEad(EadHandler handler, int messageNumber, List<EadItem> fromCaller) {
    List<EadItem> all = new ArrayList<>();
    if (fromCaller != null) {
      all.addAll(fromCaller);
    }
    all.addAll(handler.produce(messageNumber));
    return all;
  }

  /**
   * Resolves the peer's credential and checks that its key fits: a signature key on the suite's
   * signature curve when the peer signs, a DH key on the suite's DH curve otherwise.
   */
  static Credential resolvePeer(EdhocConfig config, IdCred idCred, boolean peerSigns, CipherSuite suite) throws EdhocException {
    Credential c;
    try {
      c = config.peers().resolve(idCred, CredentialUsage.of(peerSigns));
    } catch (CredentialException e) {
      switch (e.reason()) {
        case UNKNOWN:
          throw new EdhocException(
              Failure.UNKNOWN_CREDENTIAL, ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED, ErrorMessage.unknownCredentialReferenced(),
              "unknown peer credential " + idCred + ": " + e.getMessage());
        case MALFORMED:
          throw fail(Failure.CREDENTIAL_REJECTED, "Malformed credential", "malformed peer credential: " + e.getMessage());
        default:
          throw fail(Failure.CREDENTIAL_REJECTED, "Credential not accepted", "peer credential " + idCred + " rejected: " + e.getMessage());
      }
    } catch (RuntimeException e) {
      throw internal("credential resolver failed", e);
    }
    if (c == null) {
      throw new EdhocException(
          Failure.UNKNOWN_CREDENTIAL, ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED, ErrorMessage.unknownCredentialReferenced(),
          "unknown peer credential " + idCred);
    }
    CoseCurve wanted = peerSigns ? suite.signatureCurve() : suite.dhCurve();
    if (c.publicKey().curve() != wanted) {
      throw fail(
          Failure.CREDENTIAL_REJECTED, "Credential key does not fit method and cipher suite",
          "peer key is " + c.publicKey().curve() + ", " + suite + " needs " + wanted + (peerSigns ? " (signature)" : " (static DH)"));
    }
    return c;
  }

  /** DH with the peer's static or ephemeral public key, mapping a bad key to an error. */
  static byte[] dh(KeySchedule ks, CosePrivateKey own, byte[] peerPublic, String what) throws EdhocException {
    try {
      return ks.traced(what, ks.dh.agree(own, peerPublic));
    } catch (CryptoException e) {
      throw invalidKey(what.startsWith("G_XY") ? "ephemeral key" : "static DH key", e);
    } catch (RuntimeException e) {
      throw internal("key agreement failed", e);
    }
  }

  /**
   * A received message_2, message_3 or message_4: an error message surfaces as {@link
   * EdhocPeerErrorException}; otherwise the message must be exactly one byte string, returned.
   */
  static byte[] readBstrMessage(byte[] message, String name) throws EdhocException {
    if (ErrorMessage.isErrorMessage(message)) {
      throw peerError(message);
    }
    try {
      CborReader r = new CborReader(message);
      byte[] content = r.readBytes();
      r.expectEnd(name);
      return content;
    } catch (CborException e) {
      throw malformed(name, e);
    }
  }

  /** COSE_Encrypt0 as EDHOC uses it (RFC 9052 section 5.3): A = [ "Encrypt0", h'', external_aad ], traced as {@code aName}. */
  static byte[] encrypt0(KeySchedule ks, String aName, byte[] key, byte[] iv, byte[] externalAad, byte[] plaintext) throws EdhocException {
    byte[] a = ks.traced(aName, KeySchedule.encStructure(externalAad));
    try {
      return ks.aead.encrypt(key, iv, a, plaintext);
    } catch (CryptoException e) {
      throw internal("encryption failed", e);
    }
  }

  /** Decrypts a COSE_Encrypt0 ciphertext; a failed tag is {@link Failure#DECRYPTION_FAILED} with ERR_CODE 1. */
  static byte[] decrypt0(KeySchedule ks, String aName, byte[] key, byte[] iv, byte[] externalAad, byte[] ciphertext, String what)
      throws EdhocException {
    byte[] a = ks.traced(aName, KeySchedule.encStructure(externalAad));
    try {
      return ks.aead.decrypt(key, iv, a, ciphertext);
    } catch (CryptoException e) {
      throw fail(Failure.DECRYPTION_FAILED, "Decryption failed", what + " did not decrypt");
    }
  }

  /** Guards a state object: usable once, dead after a failure. */
  static final class Once {
    private final AtomicBoolean used = new AtomicBoolean();

    void use(String step) {
      if (!used.compareAndSet(false, true)) {
        throw new IllegalStateException(step + " was already called on this state (each state is used once; a failed session is aborted)");
      }
    }
  }
}
