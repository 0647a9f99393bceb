package io.edhoc.oscore;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocSession;
import io.edhoc.Role;
import io.edhoc.cbor.CborWriter;
import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.CryptoProvider;
import io.edhoc.crypto.DefaultCrypto;
import io.edhoc.crypto.EdhocHash;
import io.edhoc.crypto.HashAlgorithm;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An OSCORE Security Context's common and sender/recipient parameters (RFC 8613 section 3), as an
 * immutable value: the inputs (Master Secret, Master Salt, Sender ID, Recipient ID, ID Context,
 * AEAD Algorithm, HKDF Algorithm) and the derived Sender Key, Recipient Key and Common IV of
 * section 3.2.1. It holds no sequence numbers or replay windows: those belong to the OSCORE
 * implementation that uses it (see {@link CaliforniumContexts}).
 *
 * <p>{@link #fromEdhoc(EdhocSession)} applies RFC 9528 Appendix A.1. Every EDHOC cipher suite is
 * supported: HKDF SHA-256 for suites 0-6, HKDF SHA-384 for suite 24; for suite 25, whose
 * application hash is SHAKE256 and for which no HMAC-based HKDF exists, the derivation uses
 * EDHOC_Extract/EDHOC_Expand of that hash (KMAC256, RFC 9528 section 4.1.2) in place of
 * HKDF-Extract/Expand, with the same salt, IKM, info and L (see docs/oscore.md). {@link
 * #isHmacBasedHkdf()} tells which case applies.
 *
 * <p>Getters return copies. {@link #equals(Object)} compares every parameter, secrets in constant
 * time; {@link #toString()} shows no secret.
 */
public final class OscoreContext {
  /** Default oscore_salt_length of RFC 9528 A.1. */
  public static final int DEFAULT_SALT_LENGTH = 8;

  private final byte[] masterSecret;
  private final byte[] masterSalt;
  private final byte[] senderId;
  private final byte[] recipientId;
  private final byte[] idContext;
  private final AeadAlgorithm aead;
  private final HashAlgorithm hkdf;
  private final byte[] senderKey;
  private final byte[] recipientKey;
  private final byte[] commonIv;

  /** Package-private for tests that need contexts differing in exactly one field; {@link #derive} is the way in. */
  OscoreContext(byte[] masterSecret, byte[] masterSalt, byte[] senderId, byte[] recipientId, byte[] idContext,
      AeadAlgorithm aead, HashAlgorithm hkdf, byte[] senderKey, byte[] recipientKey, byte[] commonIv) {
    this.masterSecret = masterSecret;
    this.masterSalt = masterSalt;
    this.senderId = senderId;
    this.recipientId = recipientId;
    this.idContext = idContext;
    this.aead = aead;
    this.hkdf = hkdf;
    this.senderKey = senderKey;
    this.recipientKey = recipientKey;
    this.commonIv = commonIv;
  }

  /** The largest Sender/Recipient ID length for an AEAD: nonce length - 6 (RFC 8613 section 3.3). */
  public static int maxIdLength(AeadAlgorithm aead) {
    return aead.ivLength() - 6;
  }

  /**
   * Derives a context (RFC 8613 section 3.2). {@code masterSalt} empty = the default (absent) salt;
   * {@code idContext} null = no ID Context. IDs longer than nonce length - 6 are refused.
   */
  public static OscoreContext derive(byte[] masterSecret, byte[] masterSalt, byte[] senderId, byte[] recipientId, byte[] idContext,
      AeadAlgorithm aead, HashAlgorithm hkdf) {
    return derive(masterSecret, masterSalt, senderId, recipientId, idContext, aead, hkdf, DefaultCrypto.get());
  }

  /** As {@link #derive(byte[], byte[], byte[], byte[], byte[], AeadAlgorithm, HashAlgorithm)}, with the provider used for SHAKE256. */
  public static OscoreContext derive(byte[] masterSecret, byte[] masterSalt, byte[] senderId, byte[] recipientId, byte[] idContext,
      AeadAlgorithm aead, HashAlgorithm hkdf, CryptoProvider crypto) {
    Objects.requireNonNull(masterSecret, "masterSecret");
    Objects.requireNonNull(senderId, "senderId");
    Objects.requireNonNull(recipientId, "recipientId");
    Objects.requireNonNull(aead, "aead");
    Objects.requireNonNull(hkdf, "hkdf");
    byte[] salt = masterSalt == null ? new byte[0] : masterSalt.clone();
    int max = maxIdLength(aead);
    if (senderId.length > max || recipientId.length > max) {
      throw new IllegalArgumentException("OSCORE Sender/Recipient ID longer than " + max + " bytes (nonce length - 6 for " + aead + ")");
    }
    if (masterSecret.length == 0) {
      throw new IllegalArgumentException("empty OSCORE Master Secret");
    }
    byte[] prk = extract(hkdf, crypto, salt, masterSecret);
    try {
      byte[] sk = expand(hkdf, crypto, prk, info(senderId, idContext, aead, "Key", aead.keyLength()), aead.keyLength());
      byte[] rk = expand(hkdf, crypto, prk, info(recipientId, idContext, aead, "Key", aead.keyLength()), aead.keyLength());
      byte[] iv = expand(hkdf, crypto, prk, info(new byte[0], idContext, aead, "IV", aead.ivLength()), aead.ivLength());
      return new OscoreContext(masterSecret.clone(), salt, senderId.clone(), recipientId.clone(), idContext == null ? null : idContext.clone(),
          aead, hkdf, sk, rk, iv);
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  /** RFC 9528 Appendix A.1 with the default lengths: key length of the application AEAD, salt 8. */
  public static OscoreContext fromEdhoc(EdhocSession session) {
    return fromEdhoc(session, session.suite().applicationAead().keyLength(), DEFAULT_SALT_LENGTH);
  }

  /**
   * RFC 9528 Appendix A.1 with lengths agreed out of band ({@code keyLength} at least the AEAD key
   * length). Initiator: Sender ID = C_R, Recipient ID = C_I; Responder: the reverse. No ID Context.
   */
  public static OscoreContext fromEdhoc(EdhocSession session, int keyLength, int saltLength) {
    CipherSuite suite = session.suite();
    AeadAlgorithm aead = suite.applicationAead();
    if (keyLength < aead.keyLength()) {
      throw new IllegalArgumentException("oscore_key_length " + keyLength + " is shorter than the AEAD key (" + aead.keyLength() + ")");
    }
    if (saltLength < 0) {
      throw new IllegalArgumentException("negative oscore_salt_length");
    }
    byte[] secret = session.exporter(0, new byte[0], keyLength);
    byte[] salt = session.exporter(1, new byte[0], saltLength);
    try {
      byte[] sender = session.peerConnectionId();
      byte[] recipient = session.ownConnectionId();
      // Figure 17: the initiator sends with C_R and receives with C_I; peer/own encode exactly that
      assert session.role() == Role.INITIATOR ? Arrays.equals(sender, session.connectionIdR()) : Arrays.equals(sender, session.connectionIdI());
      return derive(secret, salt, sender, recipient, null, aead, suite.applicationHash());
    } finally {
      Arrays.fill(secret, (byte) 0);
      Arrays.fill(salt, (byte) 0);
    }
  }

  /**
   * EDHOC_KeyUpdate(context) (RFC 9528 Appendix H) on the session, then the A.1 derivation again
   * with the same lengths: the context that replaces {@code previous}. Both peers run it with the
   * same {@code context} and get equal (mirrored) contexts; sequence numbers and replay windows
   * start afresh with the new context.
   */
  public static OscoreContext keyUpdate(EdhocSession session, byte[] context, OscoreContext previous) {
    Objects.requireNonNull(context, "context");
    session.keyUpdate(context);
    return fromEdhoc(session, previous.masterSecret.length, previous.masterSalt.length);
  }

  /** The info structure of RFC 8613 section 3.2.1: [id, id_context, alg_aead, type, L]. */
  static byte[] info(byte[] id, byte[] idContext, AeadAlgorithm aead, String type, int length) {
    CborWriter w = new CborWriter().writeArrayHeader(5).writeBytes(id);
    if (idContext == null) {
      w.writeNull();
    } else {
      w.writeBytes(idContext);
    }
    return w.writeInt(aead.coseId()).writeText(type).writeInt(length).toByteArray();
  }

  private static String hmacName(HashAlgorithm h) {
    switch (h) {
      case SHA_256:
        return "HmacSHA256";
      case SHA_384:
        return "HmacSHA384";
      default:
        return null;
    }
  }

  /**
   * HKDF-Extract of RFC 5869 (an empty salt reads as HashLen zeros) with the suite's hash as the
   * EDHOC key schedule runs it ({@link EdhocHash}: for SHA-2 HMAC on the thread's own digests,
   * allocating only the result; once a {@code javax.crypto.Mac} per call here, the largest
   * allocation left in a served handshake). SHAKE256 suites: the same interface's KMAC.
   */
  static byte[] extract(HashAlgorithm h, CryptoProvider crypto, byte[] salt, byte[] ikm) {
    return crypto.hash(h).extract(salt, ikm);
  }

  /** HKDF-Expand of RFC 5869 (package-private for its known-answer test). */
  static byte[] expand(HashAlgorithm h, CryptoProvider crypto, byte[] prk, byte[] info, int length) {
    return crypto.hash(h).expand(prk, info, length);
  }

  /** This side's role-independent counterpart: the peer's context (sender and recipient swapped). */
  public OscoreContext peerView() {
    return new OscoreContext(masterSecret.clone(), masterSalt.clone(), recipientId.clone(), senderId.clone(),
        idContext == null ? null : idContext.clone(), aead, hkdf, recipientKey.clone(), senderKey.clone(), commonIv.clone());
  }

  public byte[] masterSecret() {
    return masterSecret.clone();
  }

  /** The Master Salt (empty when the default, absent salt is used). */
  public byte[] masterSalt() {
    return masterSalt.clone();
  }

  public byte[] senderId() {
    return senderId.clone();
  }

  public byte[] recipientId() {
    return recipientId.clone();
  }

  /** The ID Context, or null if none (always null for contexts from EDHOC). */
  public byte[] idContext() {
    return idContext == null ? null : idContext.clone();
  }

  public AeadAlgorithm aead() {
    return aead;
  }

  /** The hash of the HKDF Algorithm (SHA-256, SHA-384, or SHAKE256 for suite 25, see class doc). */
  public HashAlgorithm hkdf() {
    return hkdf;
  }

  /** True if the HKDF is an HMAC-based HKDF of RFC 5869 as RFC 8613 requires (false for SHAKE256). */
  public boolean isHmacBasedHkdf() {
    return hmacName(hkdf) != null;
  }

  public byte[] senderKey() {
    return senderKey.clone();
  }

  public byte[] recipientKey() {
    return recipientKey.clone();
  }

  public byte[] commonIv() {
    return commonIv.clone();
  }

  /** The AEAD nonce for a Partial IV and an ID of the sender of the message (RFC 8613 section 5.2). */
  public byte[] nonce(byte[] id, long partialIv) {
    int n = aead.ivLength();
    byte[] nonce = new byte[n];
    nonce[0] = (byte) id.length;
    System.arraycopy(id, 0, nonce, n - 5 - id.length, id.length);
    for (int i = 0; i < 5; i++) {
      nonce[n - 1 - i] = (byte) (partialIv >>> (8 * i));
    }
    for (int i = 0; i < n; i++) {
      nonce[i] ^= commonIv[i];
    }
    return nonce;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof OscoreContext c)) {
      return false;
    }
    boolean same = aead == c.aead & hkdf == c.hkdf;
    same &= Arrays.equals(senderId, c.senderId) & Arrays.equals(recipientId, c.recipientId) & Arrays.equals(idContext, c.idContext);
    same &= MessageDigest.isEqual(masterSecret, c.masterSecret) & MessageDigest.isEqual(masterSalt, c.masterSalt);
    same &= MessageDigest.isEqual(senderKey, c.senderKey) & MessageDigest.isEqual(recipientKey, c.recipientKey);
    same &= MessageDigest.isEqual(commonIv, c.commonIv);
    return same;
  }

  @Override
  public int hashCode() {
    return Objects.hash(aead, hkdf, Arrays.hashCode(senderId), Arrays.hashCode(recipientId), Arrays.hashCode(idContext));
  }

  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    return "OscoreContext[sender ID " + hex.formatHex(senderId) + ", recipient ID " + hex.formatHex(recipientId)
        + (idContext == null ? "" : ", ID context " + hex.formatHex(idContext)) + ", AEAD " + aead + ", HKDF " + hkdf + "]";
  }
}
