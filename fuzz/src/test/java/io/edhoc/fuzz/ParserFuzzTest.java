package io.edhoc.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocException;
import io.edhoc.Method;
import io.edhoc.Plaintext2;
import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborWriter;
import io.edhoc.credentials.IdCred;
import java.util.Arrays;

/**
 * The parsers that see peer bytes first: the strict CBOR reader, ID_CRED_x (as a map and in its
 * compact plaintext form), EAD (as EAD_1 of an otherwise genuine message_1) and PLAINTEXT_2.
 * Documented outcome: a value or a CborException (EdhocException for message_1).
 */
class ParserFuzzTest {
  /**
   * readValue, skipItem and readRawItem must agree on where each item of a sequence ends, and an
   * item the strict reader accepts must re-encode to the same bytes (deterministic encoding).
   */
  @FuzzTest
  void cborReader(byte[] data) {
    CborReader values = new CborReader(data);
    CborReader skips = new CborReader(data);
    CborReader raws = new CborReader(data);
    try {
      while (values.hasMore()) {
        int start = values.position();
        Object v = values.readValue();
        skips.skipItem();
        byte[] raw = raws.readRawItem();
        if (skips.position() != values.position() || raws.position() != values.position()) {
          throw new AssertionError("readValue, skipItem and readRawItem disagree on an item's end");
        }
        if (!Arrays.equals(raw, Arrays.copyOfRange(data, start, values.position()))) {
          throw new AssertionError("readRawItem returned other bytes than it consumed");
        }
        if (!containsFloat(v) && !Arrays.equals(new CborWriter().writeValue(v).toByteArray(), raw)) {
          throw new AssertionError("accepted item does not re-encode to itself");
        }
      }
    } catch (CborException e) {
      // documented
    }
  }

  /** Floats and byte-string map keys have no re-encoding in CborWriter.writeValue. */
  private static boolean containsFloat(Object v) {
    if (v instanceof Double || v instanceof Float || v instanceof CborReader.ByteKey) {
      return true;
    }
    if (v instanceof java.util.List<?> l) {
      return l.stream().anyMatch(ParserFuzzTest::containsFloat);
    }
    if (v instanceof java.util.Map<?, ?> m) {
      return m.keySet().stream().anyMatch(ParserFuzzTest::containsFloat) || m.values().stream().anyMatch(ParserFuzzTest::containsFloat);
    }
    if (v instanceof io.edhoc.cbor.CborTag t) {
      return containsFloat(t.content());
    }
    return false;
  }

  /** ID_CRED_x as a COSE header map, and in the compact form PLAINTEXT_2/3 carry; both round-trip. */
  @FuzzTest
  void idCred(byte[] data) {
    try {
      IdCred c = IdCred.fromMap(data);
      IdCred again = IdCred.fromMap(c.encodedMap());
      if (!again.equals(c)) {
        throw new AssertionError("ID_CRED map does not round-trip");
      }
    } catch (CborException e) {
      // documented
    }
    try {
      CborReader r = new CborReader(data);
      IdCred c = IdCred.readFromPlaintext(r);
      IdCred again = IdCred.readFromPlaintext(new CborReader(c.plaintextEncoding()));
      if (!again.equals(c)) {
        throw new AssertionError("compact ID_CRED does not round-trip");
      }
    } catch (CborException e) {
      // documented
    }
  }

  /** EAD_1 after the section 3 trace's METHOD, SUITES_I, G_X, C_I, at a responder. */
  @FuzzTest
  void ead(byte[] data) {
    byte[] m1 = Traces.concat(Traces.SECTION_3.get("message_1"), data);
    try {
      Edhoc.responder(Traces.bothResponder().build()).readMessage1(m1);
    } catch (EdhocException e) {
      Fuzz.checkFailure(e);
    }
  }

  /** PLAINTEXT_2 in the shape of both traces (method 0 suite 0 signs, method 3 suite 2 MACs). */
  @FuzzTest
  void plaintext2(byte[] data) {
    for (Object[] shape : new Object[][] {{Method.SIG_SIG, CipherSuite.SUITE_0}, {Method.STAT_STAT, CipherSuite.SUITE_2}}) {
      try {
        Plaintext2.parse(data, (Method) shape[0], (CipherSuite) shape[1]);
      } catch (CborException e) {
        // documented
      }
    }
  }
}
