package io.edhoc;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.credentials.IdCred;
import java.util.Arrays;
import java.util.List;

/**
 * PLAINTEXT_2 = ( C_R, ID_CRED_R / bstr / -24..23, Signature_or_MAC_2 : bstr, ? EAD_2 ), RFC 9528
 * section 5.3.2, decoded strictly: compact ID_CRED and connection identifier encodings, and a
 * Signature_or_MAC_2 of exactly the length the method and suite give.
 */
public final class Plaintext2 {
  final byte[] cR;
  final IdCred idCredR;
  final byte[] signatureOrMac2;
  final byte[] eadBytes;
  final List<EadItem> ead;

  private Plaintext2(byte[] cR, IdCred idCredR, byte[] signatureOrMac2, byte[] eadBytes, List<EadItem> ead) {
    this.cR = cR;
    this.idCredR = idCredR;
    this.signatureOrMac2 = signatureOrMac2;
    this.eadBytes = eadBytes;
    this.ead = ead;
  }

  /** Decodes PLAINTEXT_2 for the given method and suite; any deviation is a CborException. */
  public static Plaintext2 parse(byte[] plaintext2, Method method, CipherSuite suite) throws CborException {
    CborReader r = new CborReader(plaintext2);
    byte[] cR = ConnectionIdCodec.read(r, "C_R");
    IdCred idCredR = IdCred.readFromPlaintext(r);
    byte[] sig = r.readBytes();
    int expected = signatureOrMacLength(method.responderSigns(), suite);
    if (sig.length != expected) {
      throw new CborException("Signature_or_MAC_2 has " + sig.length + " bytes, " + method + " " + suite + " needs " + expected);
    }
    int eadStart = r.position();
    List<EadItem> ead = EadItem.readAll(r);
    return new Plaintext2(cR, idCredR, sig, Arrays.copyOfRange(plaintext2, eadStart, plaintext2.length), ead);
  }

  /** Length of Signature_or_MAC_x: the signature size when signing, the EDHOC MAC length otherwise. */
  static int signatureOrMacLength(boolean signs, CipherSuite suite) {
    // a signature is 2 x the curve size: R || S for EdDSA (64 / 114 bytes), r || s for ES256 / ES384
    return signs ? 2 * suite.signatureCurve().coordinateLength() : suite.macLength();
  }

  public byte[] connectionIdR() {
    return cR.clone();
  }

  public IdCred idCredR() {
    return idCredR;
  }

  public List<EadItem> ead2() {
    return ead;
  }
}
