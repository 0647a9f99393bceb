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

  /*
   * The eight byte strings in one array: a header of eight 16-bit end offsets, then Master
   * Secret, Master Salt, Sender ID, Recipient ID, ID Context, Sender Key, Recipient Key and Common
   * IV. A server keeps one of these per established context for as long as the context lives, and
   * each new one is copied by young collections and then promoted: one array instead of eight is
   * seven objects fewer per context for the collector to copy (docs/performance.md).
   */
  private static final int SECRET = 0, SALT = 1, SENDER_ID = 2, RECIPIENT_ID = 3, ID_CONTEXT = 4, SENDER_KEY = 5,
      RECIPIENT_KEY = 6, COMMON_IV = 7, PARTS = 8, HEADER = 2 * PARTS;
  private final byte[] bytes;
  private final boolean hasIdContext;
  private final AeadAlgorithm aead;
  private final HashAlgorithm hkdf;

  /** Package-private for tests that need contexts differing in exactly one field; {@link #derive} is the way in. */
  OscoreContext(byte[] masterSecret, byte[] masterSalt, byte[] senderId, byte[] recipientId, byte[] idContext,
      AeadAlgorithm aead, HashAlgorithm hkdf, byte[] senderKey, byte[] recipientKey, byte[] commonIv) {
    byte[][] parts = {masterSecret, masterSalt, senderId, recipientId, idContext == null ? new byte[0] : idContext, senderKey, recipientKey, commonIv};
    int n = HEADER;
    for (byte[] p : parts) {
      n += p.length;
    }
    if (n > 0xffff) {
      throw new IllegalArgumentException("OSCORE context parameters longer than " + (0xffff - HEADER) + " bytes in all");
    }
    byte[] b = new byte[n];
    int at = HEADER;
    for (int i = 0; i < PARTS; i++) {
      System.arraycopy(parts[i], 0, b, at, parts[i].length);
      at += parts[i].length;
      b[2 * i] = (byte) (at >>> 8);
      b[2 * i + 1] = (byte) at;
    }
    this.bytes = b;
    this.hasIdContext = idContext != null;
    this.aead = aead;
    this.hkdf = hkdf;
  }

  private int end(int i) {
    return (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
  }

  private int start(int i) {
    return i == 0 ? HEADER : end(i - 1);
  }

  private byte[] part(int i) {
    return Arrays.copyOfRange(bytes, start(i), end(i));
  }

  private int length(int i) {
    return end(i) - start(i);
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
      try {
        return new OscoreContext(masterSecret, salt, senderId, recipientId, idContext, aead, hkdf, sk, rk, iv);
      } finally {
        Arrays.fill(sk, (byte) 0);
        Arrays.fill(rk, (byte) 0);
      }
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
    return fromEdhoc(session, previous.length(SECRET), previous.length(SALT));
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
    return new OscoreContext(part(SECRET), part(SALT), part(RECIPIENT_ID), part(SENDER_ID), idContext(), aead, hkdf,
        part(RECIPIENT_KEY), part(SENDER_KEY), part(COMMON_IV));
  }

  public byte[] masterSecret() {
    return part(SECRET);
  }

  /** The Master Salt (empty when the default, absent salt is used). */
  public byte[] masterSalt() {
    return part(SALT);
  }

  public byte[] senderId() {
    return part(SENDER_ID);
  }

  public byte[] recipientId() {
    return part(RECIPIENT_ID);
  }

  /** The ID Context, or null if none (always null for contexts from EDHOC). */
  public byte[] idContext() {
    return hasIdContext ? part(ID_CONTEXT) : null;
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
    return part(SENDER_KEY);
  }

  public byte[] recipientKey() {
    return part(RECIPIENT_KEY);
  }

  public byte[] commonIv() {
    return part(COMMON_IV);
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
    int iv = start(COMMON_IV);
    for (int i = 0; i < n; i++) {
      nonce[i] ^= bytes[iv + i];
    }
    return nonce;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof OscoreContext c)) {
      return false;
    }
    // the header holds every part's length, so the packed arrays are equal exactly when every part
    // is; one constant-time comparison covers the secrets and the public parts alike
    return aead == c.aead & hkdf == c.hkdf & hasIdContext == c.hasIdContext & MessageDigest.isEqual(bytes, c.bytes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(aead, hkdf, Arrays.hashCode(senderId()), Arrays.hashCode(recipientId()), Arrays.hashCode(idContext()));
  }

  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    return "OscoreContext[sender ID " + hex.formatHex(senderId()) + ", recipient ID " + hex.formatHex(recipientId())
        + (hasIdContext ? ", ID context " + hex.formatHex(idContext()) : "") + ", AEAD " + aead + ", HKDF " + hkdf + "]";
  }
}
