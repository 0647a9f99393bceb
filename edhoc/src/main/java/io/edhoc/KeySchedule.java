package io.edhoc;

import io.edhoc.cbor.CborWriter;
import io.edhoc.crypto.Aead;
import io.edhoc.crypto.EdhocHash;
import io.edhoc.crypto.HashAlgorithm;
import io.edhoc.crypto.KeyExchange;
import io.edhoc.crypto.Signer;

/**
 * RFC 9528 section 4, in one place: EDHOC_KDF and every key, IV, salt, MAC and transcript hash
 * derived with it, for one cipher suite. Read it next to Figure 6 of the RFC:
 *
 * <pre>
 * KEYSTREAM_2   = EDHOC_KDF( PRK_2e,   0, TH_2,      plaintext_length )
 * SALT_3e2m     = EDHOC_KDF( PRK_2e,   1, TH_2,      hash_length )
 * MAC_2         = EDHOC_KDF( PRK_3e2m, 2, context_2, mac_length_2 )
 * K_3           = EDHOC_KDF( PRK_3e2m, 3, TH_3,      key_length )
 * IV_3          = EDHOC_KDF( PRK_3e2m, 4, TH_3,      iv_length )
 * SALT_4e3m     = EDHOC_KDF( PRK_3e2m, 5, TH_3,      hash_length )
 * MAC_3         = EDHOC_KDF( PRK_4e3m, 6, context_3, mac_length_3 )
 * PRK_out       = EDHOC_KDF( PRK_4e3m, 7, TH_4,      hash_length )
 * K_4           = EDHOC_KDF( PRK_4e3m, 8, TH_4,      key_length )
 * IV_4          = EDHOC_KDF( PRK_4e3m, 9, TH_4,      iv_length )
 * PRK_exporter  = EDHOC_KDF( PRK_out, 10, h'',       hash_length )
 * </pre>
 *
 * All methods are pure functions of their arguments; the handshake states own the secrets and
 * wipe them. Every derived value is reported to the {@link Trace} (tests only).
 */
final class KeySchedule {
  private static final byte[] EMPTY = new byte[0];
  final CipherSuite suite;
  final EdhocHash hash;
  final Aead aead;
  final KeyExchange dh;
  final Signer signer;
  final Trace trace;
  /** False in production: then nothing is copied or named for the trace. */
  private final boolean tracing;

  KeySchedule(CipherSuite suite, EdhocConfig config) {
    this.suite = suite;
    this.hash = config.crypto().hash(suite.edhocHash());
    this.aead = config.crypto().aead(suite.edhocAead());
    this.dh = config.crypto().keyExchange(suite.dhCurve());
    this.signer = config.crypto().signer(suite.signatureAlgorithm(), suite.signatureCurve());
    TestHooks hooks = config.testHooks();
    this.trace = hooks == null ? Trace.NONE : hooks.trace();
    this.tracing = trace != Trace.NONE;
  }

  /**
   * Reports value under name to a test trace and returns it. Without a trace (production) this
   * copies nothing: the copy per value (secrets included, left to the garbage collector) and the
   * name strings were measurable in the handshake profile.
   */
  byte[] traced(String name, byte[] value) {
    if (tracing) {
      trace.value(name, value.clone());
    }
    return value;
  }

  // ---- 4.1.1 / 4.1.2: EDHOC_Extract, EDHOC_Expand, EDHOC_KDF ----

  byte[] extract(String name, byte[] salt, byte[] ikm) {
    return traced(name, hash.extract(salt, ikm));
  }

  /** EDHOC_KDF(PRK, info_label, context, length) with info = (info_label, context: bstr, length). */
  byte[] kdf(String name, byte[] prk, int infoLabel, byte[] context, int length) {
    int size = CborWriter.headLength(infoLabel) + CborWriter.headLength(context.length) + context.length + CborWriter.headLength(length);
    byte[] info = new CborWriter(size).writeInt(infoLabel).writeBytes(context).writeInt(length).finish();
    if (tracing) {
      traced("info for " + name, info);
    }
    return traced(name, hash.expand(prk, info, length));
  }

  // ---- 5.3.2: transcript hashes ----

  /** TH_2 = H( G_Y, H(message_1) ). */
  byte[] th2(byte[] gY, byte[] message1) {
    byte[] hMessage1 = traced("H(message_1)", hash.hash(message1));
    return transcriptHash("TH_2", CborWriter.bstr(gY), CborWriter.bstr(hMessage1));
  }

  /** TH_3 = H( TH_2, PLAINTEXT_2, CRED_R ). */
  byte[] th3(byte[] th2, byte[] plaintext2, byte[] credR) {
    return transcriptHash("TH_3", CborWriter.bstr(th2), plaintext2, credR);
  }

  /** TH_4 = H( TH_3, PLAINTEXT_3, CRED_I ). */
  byte[] th4(byte[] th3, byte[] plaintext3, byte[] credI) {
    return transcriptHash("TH_4", CborWriter.bstr(th3), plaintext3, credI);
  }

  /**
   * H( input ), input the CBOR sequence of the encoded items given: hashed part by part (the
   * sequence is built only for a test trace, as "Input to calculate TH_n").
   */
  private byte[] transcriptHash(String name, byte[]... input) {
    if (tracing) {
      traced("Input to calculate " + name, CborWriter.sequence(input));
    }
    return traced(name, hash.hash(input));
  }

  // ---- 4.1.1.1 - 4.1.1.3: PRK_2e, PRK_3e2m, PRK_4e3m ----

  /** PRK_2e = EDHOC_Extract( TH_2, G_XY ). */
  byte[] prk2e(byte[] th2, byte[] gXY) {
    return extract("PRK_2e", th2, gXY);
  }

  /** SALT_3e2m = EDHOC_KDF( PRK_2e, 1, TH_2, hash_length ). */
  byte[] salt3e2m(byte[] prk2e, byte[] th2) {
    return kdf("SALT_3e2m", prk2e, 1, th2, hash.length());
  }

  /** PRK_3e2m = EDHOC_Extract( SALT_3e2m, G_RX ) when the Responder authenticates with static DH. */
  byte[] prk3e2m(byte[] salt3e2m, byte[] gRX) {
    return extract("PRK_3e2m", salt3e2m, gRX);
  }

  /** SALT_4e3m = EDHOC_KDF( PRK_3e2m, 5, TH_3, hash_length ). */
  byte[] salt4e3m(byte[] prk3e2m, byte[] th3) {
    return kdf("SALT_4e3m", prk3e2m, 5, th3, hash.length());
  }

  /** PRK_4e3m = EDHOC_Extract( SALT_4e3m, G_IY ) when the Initiator authenticates with static DH. */
  byte[] prk4e3m(byte[] salt4e3m, byte[] gIY) {
    return extract("PRK_4e3m", salt4e3m, gIY);
  }

  // ---- 5.3.2 / Appendix G: KEYSTREAM_2 ----

  /**
   * KEYSTREAM_2 = EDHOC_KDF( PRK_2e, 0, TH_2, plaintext_length ); longer than one HKDF-Expand
   * can give, it is OKM(0) | OKM(1) | ... with OKM(i) = EDHOC_KDF( PRK_2e, -i, TH_2, length(P(i)) )
   * (Appendix G).
   */
  byte[] keystream2(byte[] prk2e, byte[] th2, int length) {
    return keystream("KEYSTREAM_2", prk2e, th2, length);
  }

  private byte[] keystream(String name, byte[] prk2e, byte[] th2, int length) {
    int m = hash.algorithm() == HashAlgorithm.SHAKE256 ? Integer.MAX_VALUE : 255 * hash.length();
    if (length <= m) {
      return kdf(name, prk2e, 0, th2, length);
    }
    byte[] out = new byte[length];
    for (int i = 0, off = 0; off < length; i++, off += m) {
      int n = Math.min(m, length - off);
      byte[] okm = hash.expand(prk2e, new CborWriter().writeInt(-i).writeBytes(th2).writeInt(n).toByteArray(), n);
      System.arraycopy(okm, 0, out, off, n);
      Secrets.wipe(okm);
    }
    return traced(name, out);
  }

  // ---- draft-ietf-lake-edhoc-psk section 4 (method 4): what differs from RFC 9528 4.1.2 ----
  //
  // PRK_3e2m     = PRK_2e
  // KEYSTREAM_2A = EDHOC_KDF( PRK_2e,   0, TH_2,  plaintext_length_2a )
  // PRK_4e3m     = EDHOC_Extract( SALT_4e3m, PSK )
  // KEYSTREAM_3A = EDHOC_KDF( PRK_3e2m, 12, TH_3, plaintext_length_3a )
  // K_3          = EDHOC_KDF( PRK_4e3m, 3, TH_3, key_length )
  // IV_3         = EDHOC_KDF( PRK_4e3m, 4, TH_3, iv_length )
  // TH_3         = H( TH_2, PLAINTEXT_2A )
  // TH_4         = H( TH_3, ID_CRED_PSK, PLAINTEXT_3B, CRED_I, CRED_R )

  /** KEYSTREAM_2A = EDHOC_KDF( PRK_2e, 0, TH_2, plaintext_length_2a ), Appendix G of RFC 9528 beyond one output. */
  byte[] keystream2a(byte[] prk2e, byte[] th2, int length) {
    return keystream("KEYSTREAM_2A", prk2e, th2, length);
  }

  /** The longest KEYSTREAM_3A one EDHOC_KDF gives (the draft defines no Appendix G labels for it). */
  int maxKeystream3aLength() {
    return hash.algorithm() == HashAlgorithm.SHAKE256 ? Integer.MAX_VALUE : 255 * hash.length();
  }

  /** KEYSTREAM_3A = EDHOC_KDF( PRK_3e2m, 12, TH_3, plaintext_length_3a ). */
  byte[] keystream3a(byte[] prk3e2m, byte[] th3, int length) {
    return kdf("KEYSTREAM_3A", prk3e2m, 12, th3, length);
  }

  /** Method 4: PRK_4e3m = EDHOC_Extract( SALT_4e3m, PSK ). */
  byte[] prk4e3mPsk(byte[] salt4e3m, byte[] psk) {
    return extract("PRK_4e3m", salt4e3m, psk);
  }

  /** Method 4: TH_3 = H( TH_2, PLAINTEXT_2A ). */
  byte[] th3Psk(byte[] th2, byte[] plaintext2a) {
    return transcriptHash("TH_3", CborWriter.bstr(th2), plaintext2a);
  }

  /**
   * Method 4: external_aad of CIPHERTEXT_3B = << ID_CRED_PSK, TH_3, CRED_I, CRED_R >>, in the order
   * of draft section 5.3.2, with ID_CRED_PSK as it is sent in PLAINTEXT_3A (compact for {4: kid});
   * the Appendix B vectors settle both points.
   */
  byte[] externalAad3Psk(byte[] idCredPskAsSent, byte[] th3, byte[] credI, byte[] credR) {
    return traced("external_aad", CborWriter.sequence(idCredPskAsSent, CborWriter.bstr(th3), credI, credR));
  }

  /** Method 4: TH_4 = H( TH_3, ID_CRED_PSK, PLAINTEXT_3B, CRED_I, CRED_R ), ID_CRED_PSK as sent. */
  byte[] th4Psk(byte[] th3, byte[] idCredPskAsSent, byte[] plaintext3b, byte[] credI, byte[] credR) {
    return transcriptHash("TH_4", CborWriter.bstr(th3), idCredPskAsSent, plaintext3b, credI, credR);
  }

  // ---- 5.3.2 / 5.4.2: MAC_2, MAC_3 ----

  /** mac_length_x: hash_length when that side signs, the suite's EDHOC MAC length with static DH. */
  int macLength(boolean signs) {
    return signs ? hash.length() : suite.macLength();
  }

  /** MAC_2 = EDHOC_KDF( PRK_3e2m, 2, context_2, mac_length_2 ), context_2 = << C_R, ID_CRED_R, TH_2, CRED_R, ? EAD_2 >>. */
  byte[] mac2(byte[] prk3e2m, byte[] context2, boolean responderSigns) {
    traced("context_2", context2);
    return kdf("MAC_2", prk3e2m, 2, context2, macLength(responderSigns));
  }

  /** MAC_3 = EDHOC_KDF( PRK_4e3m, 6, context_3, mac_length_3 ), context_3 = << ID_CRED_I, TH_3, CRED_I, ? EAD_3 >>. */
  byte[] mac3(byte[] prk4e3m, byte[] context3, boolean initiatorSigns) {
    traced("context_3", context3);
    return kdf("MAC_3", prk4e3m, 6, context3, macLength(initiatorSigns));
  }

  // ---- 5.4.2 / 5.5.2: K_3, IV_3, K_4, IV_4 ----

  byte[] k3(byte[] prk3e2m, byte[] th3) {
    return kdf("K_3", prk3e2m, 3, th3, aead.algorithm().keyLength());
  }

  byte[] iv3(byte[] prk3e2m, byte[] th3) {
    return kdf("IV_3", prk3e2m, 4, th3, aead.algorithm().ivLength());
  }

  byte[] k4(byte[] prk4e3m, byte[] th4) {
    return kdf("K_4", prk4e3m, 8, th4, aead.algorithm().keyLength());
  }

  byte[] iv4(byte[] prk4e3m, byte[] th4) {
    return kdf("IV_4", prk4e3m, 9, th4, aead.algorithm().ivLength());
  }

  // ---- 4.1.3: PRK_out, PRK_exporter, EDHOC_Exporter, EDHOC_KeyUpdate ----

  byte[] prkOut(byte[] prk4e3m, byte[] th4) {
    return kdf("PRK_out", prk4e3m, 7, th4, hash.length());
  }

  byte[] prkExporter(byte[] prkOut) {
    return kdf("PRK_exporter", prkOut, 10, new byte[0], hash.length());
  }

  /** EDHOC_Exporter( label, context, length ) = EDHOC_KDF( PRK_exporter, label, context, length ). */
  byte[] exporter(byte[] prkExporter, int label, byte[] context, int length) {
    return kdf("EDHOC_Exporter(" + label + ")", prkExporter, label, context, length);
  }

  /** Appendix H: new PRK_out = EDHOC_KDF( old PRK_out, 11, context, hash_length ). */
  byte[] keyUpdate(byte[] prkOut, byte[] context) {
    return kdf("PRK_out after KeyUpdate", prkOut, 11, context, hash.length());
  }

  // ---- COSE structures (RFC 9052 sections 4.4 and 5.3) as EDHOC uses them ----

  /** Sig_structure = [ "Signature1", protected, external_aad, payload ]. */
  static byte[] sigStructure(byte[] protectedHeader, byte[] externalAad, byte[] payload) {
    int size = 1 + 11 + CborWriter.headLength(protectedHeader.length) + protectedHeader.length + CborWriter.headLength(externalAad.length)
        + externalAad.length + CborWriter.headLength(payload.length) + payload.length;
    return new CborWriter(size)
        .writeArrayHeader(4)
        .writeText("Signature1")
        .writeBytes(protectedHeader)
        .writeBytes(externalAad)
        .writeBytes(payload)
        .finish();
  }

  /** Enc_structure = [ "Encrypt0", h'', external_aad ] (A_3 with TH_3, A_4 with TH_4). */
  static byte[] encStructure(byte[] externalAad) {
    int size = 1 + 9 + 1 + CborWriter.headLength(externalAad.length) + externalAad.length;
    return new CborWriter(size).writeArrayHeader(3).writeText("Encrypt0").writeBytes(EMPTY).writeBytes(externalAad).finish();
  }

  static byte[] xor(byte[] a, byte[] b) {
    byte[] r = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = (byte) (a[i] ^ b[i]);
    }
    return r;
  }
}
