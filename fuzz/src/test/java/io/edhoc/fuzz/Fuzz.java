package io.edhoc.fuzz;

import io.edhoc.EdhocException;
import io.edhoc.ErrorMessage;
import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborWriter;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** Shared checks of the fuzz targets: what a documented failure must look like. */
final class Fuzz {
  private Fuzz() {}

  /** The input without its selector byte. */
  static byte[] rest(byte[] data) {
    return Arrays.copyOfRange(data, 1, data.length);
  }

  /**
   * A documented step failure must be well-formed: a category, and, where an error message is to
   * be sent, one that parses as an EDHOC error message with the ERR_CODE the exception names.
   */
  static void checkFailure(EdhocException e) {
    if (e.failure() == null) {
      throw new AssertionError("EdhocException without a failure category", e);
    }
    if (e.failure() == io.edhoc.Failure.INTERNAL) {
      throw new AssertionError("hostile input caused an INTERNAL failure: " + e.getMessage(), e);
    }
    if (e.hasErrorMessage()) {
      try {
        ErrorMessage m = ErrorMessage.parse(e.errorMessage());
        if (m.code() != e.errorCode()) {
          throw new AssertionError("error message carries ERR_CODE " + m.code() + ", exception says " + e.errorCode());
        }
      } catch (CborException ce) {
        throw new AssertionError("the error message to send does not parse: " + ce.getMessage(), ce);
      }
    }
  }

  /** A message that is a single bstr wrapping {@code content} (message_3 / message_4 framing). */
  static byte[] bstr(byte[] content) {
    return new CborWriter().writeBytes(content).toByteArray();
  }

  /** COSE_Encrypt0 with AES-CCM-16-64-128 (suites 0 and 2) and Enc_structure ["Encrypt0", h'', th]. */
  static byte[] encrypt0(byte[] key, byte[] iv, byte[] th, byte[] plaintext) {
    byte[] aad = new CborWriter().writeArrayHeader(3).writeText("Encrypt0").writeBytes(new byte[0]).writeBytes(th).toByteArray();
    CCMBlockCipher ccm = new CCMBlockCipher(AESEngine.newInstance());
    ccm.init(true, new AEADParameters(new KeyParameter(key), 64, iv, aad));
    byte[] out = new byte[ccm.getOutputSize(plaintext.length)];
    int n = ccm.processBytes(plaintext, 0, plaintext.length, out, 0);
    try {
      ccm.doFinal(out, n);
    } catch (org.bouncycastle.crypto.InvalidCipherTextException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
