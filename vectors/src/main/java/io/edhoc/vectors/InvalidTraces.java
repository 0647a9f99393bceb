package io.edhoc.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.ErrorMessage;
import io.edhoc.Initiator;
import io.edhoc.cbor.CborWriter;
import io.edhoc.Failure;
import io.edhoc.Method;
import io.edhoc.Plaintext2;
import io.edhoc.cbor.CborException;
import io.edhoc.cbor.Hex;
import io.edhoc.credentials.InMemoryCredentialStore;
import java.util.Map;

/**
 * RFC 9529 section 4: each invalid message is rejected, for the reason the RFC gives, with an
 * EDHOC error message (ERR_CODE 1) where the receiver is to answer. The reason is asserted, not
 * only the category: each case names a fragment the diagnostic must contain ({@link #REASON}), so
 * that e.g. 4.2.2 (x not below p) and 4.2.3 (no point with that x) cannot pass for one another.
 * The three invalid PLAINTEXT_2 values go through the whole message_2 step of the section 3
 * Initiator: they are encrypted under the trace's KEYSTREAM_2 for their length and sent as
 * message_2, so the check covers decryption, parsing and the error message, not the parser alone.
 */
public final class InvalidTraces {
  /** What each invalid trace must fail with. */
  private static final Map<String, Failure> EXPECTED = Map.ofEntries(
      Map.entry("4.1.1", Failure.MALFORMED_MESSAGE),
      Map.entry("4.1.2", Failure.MALFORMED_MESSAGE),
      Map.entry("4.1.3", Failure.MALFORMED_MESSAGE),
      Map.entry("4.1.4", Failure.MALFORMED_MESSAGE),
      Map.entry("4.1.5", Failure.MALFORMED_MESSAGE),
      Map.entry("4.2.1", Failure.MALFORMED_MESSAGE),
      Map.entry("4.2.2", Failure.INVALID_PUBLIC_KEY),
      Map.entry("4.2.3", Failure.INVALID_PUBLIC_KEY),
      Map.entry("4.2.4", Failure.INVALID_PUBLIC_KEY),
      Map.entry("4.2.5", Failure.MALFORMED_MESSAGE),
      Map.entry("4.1.6", Failure.MALFORMED_MESSAGE),
      Map.entry("4.1.7", Failure.MALFORMED_MESSAGE),
      Map.entry("4.2.6", Failure.MALFORMED_MESSAGE),
      Map.entry("4.3.1", Failure.MALFORMED_MESSAGE),
      Map.entry("4.3.2", Failure.MALFORMED_MESSAGE));

  /** A fragment of the diagnostic that names the reason the RFC gives for each case. */
  static final Map<String, String> REASON = Map.ofEntries(
      Map.entry("4.1.1", "expected an integer, found major type 4"),
      Map.entry("4.1.2", "C_I"),
      Map.entry("4.1.3", "SUITES_I"),
      Map.entry("4.1.4", "expected major type 2, found 3"),
      Map.entry("4.1.5", "trailing"),
      Map.entry("4.1.6", "must be sent in compact form"),
      Map.entry("4.1.7", "one-byte int must be sent as that int"),
      Map.entry("4.2.1", "G_X"),
      Map.entry("4.2.2", "not below the field prime p"),
      Map.entry("4.2.3", "no point on the curve"),
      Map.entry("4.2.4", "low-order"),
      Map.entry("4.2.5", "Signature_or_MAC_2"),
      Map.entry("4.2.6", "G_X"),
      Map.entry("4.3.1", "non-shortest"),
      Map.entry("4.3.2", "indefinite"));

  private final VectorFile file;
  private final Report report;

  public InvalidTraces(VectorFile file, Report report) {
    this.file = file;
    this.report = report;
  }

  public void run() {
    Fixtures f = Fixtures.get();
    EdhocConfig responderConfig = EdhocConfig.builder()
        .suites(CipherSuite.values())
        .methods(Method.SIG_SIG, Method.SIG_STAT, Method.STAT_SIG, Method.STAT_STAT)
        .peers(new InMemoryCredentialStore())
        .credential(f.own(io.edhoc.cose.CoseCurve.X25519))
        .credential(f.own(io.edhoc.cose.CoseCurve.P_256))
        .credential(f.own(io.edhoc.cose.CoseCurve.P_384))
        .credential(f.own(io.edhoc.cose.CoseCurve.ED25519))
        .build();
    for (JsonNode t : file.root().path("invalid_traces")) {
      String section = t.path("section").asText();
      String title = t.path("title").asText();
      JsonNode v = t.path("values").get(0);
      String what = v.path("name").asText();
      byte[] bytes = Hex.decode(v.path("hex").asText());
      String name = "rfc9529 " + section + " " + title + ": rejected";
      try {
        if (what.equals("Invalid message_1")) {
          // 4.2.1 offers SUITES_I [2, 24]: the trace assumes a Responder that supports 24 and not 2
          // (one supporting 2 must answer ERR_CODE 2 instead, section 6.3)
          EdhocConfig cfg = section.equals("4.2.1") ? responderConfig.toBuilder().suites(CipherSuite.SUITE_24).build() : responderConfig;
          expectFailure(name, section, () -> Edhoc.responder(cfg).readMessage1(bytes).writeMessage2());
        } else if (what.equals("Invalid message_2")) {
          EdhocConfig initiatorConfig = responderConfig.toBuilder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).build();
          expectFailure(name, section, () -> Edhoc.initiator(initiatorConfig).writeMessage1().readMessage2(bytes));
        } else if (what.equals("Invalid PLAINTEXT_2")) {
          // the parser alone, and the whole message_2 step of the section 3 Initiator
          try {
            Plaintext2.parse(bytes, Method.STAT_STAT, CipherSuite.SUITE_2);
            report.fail(name + " by the PLAINTEXT_2 parser", "PLAINTEXT_2 was accepted");
          } catch (CborException e) {
            report.check(name + " by the PLAINTEXT_2 parser", e.getMessage().contains(REASON.get(section)),
                "reason should mention " + REASON.get(section) + ": " + e.getMessage());
          }
          VectorFile.Trace t3 = file.trace("section_3");
          Initiator.AwaitingMessage2 w2 = Rfc9529Replay.section3AwaitingMessage2(t3);
          byte[] message2 = CborWriter.bstr(concat(t3.get("G_Y"), xor(bytes, keystream2(t3.get("PRK_2e"), t3.get("TH_2"), bytes.length))));
          expectFailure(name + " as message_2", section, () -> w2.readMessage2(message2));
        } else {
          report.fail(name, "unknown kind of invalid value " + what);
        }
      } catch (Exception e) {
        report.fail(name, "escaped exception " + e);
      }
    }
  }

  interface Step {
    Object run() throws EdhocException;
  }

  private void expectFailure(String name, String section, Step step) {
    Failure expected = EXPECTED.get(section);
    try {
      step.run();
      report.fail(name, "accepted");
    } catch (EdhocException e) {
      boolean hasErrorMessage = e.hasErrorMessage() && ErrorMessage.isErrorMessage(e.errorMessage());
      String reason = REASON.get(section);
      boolean ok = e.failure() == expected && hasErrorMessage && e.errorCode() == ErrorMessage.UNSPECIFIED
          && e.getMessage().contains(reason);
      report.check(name + " (" + e.failure() + ", ERR_CODE " + e.errorCode() + ")", ok,
          "expected " + expected + " with an ERR_CODE 1 message for a reason mentioning '" + reason + "', got " + e.failure() + " / "
              + e.errorCode() + ": " + e.getMessage());
    }
  }

  /** KEYSTREAM_2 = EDHOC_KDF(PRK_2e, 0, TH_2, length) = HKDF-Expand(PRK_2e, (0, h'TH_2', length), length), SHA-256. */
  static byte[] keystream2(byte[] prk2e, byte[] th2, int length) {
    byte[] info = new CborWriter().writeInt(0).writeBytes(th2).writeInt(length).toByteArray();
    try {
      javax.crypto.Mac hmac = javax.crypto.Mac.getInstance("HmacSHA256");
      hmac.init(new javax.crypto.spec.SecretKeySpec(prk2e, "HmacSHA256"));
      byte[] out = new byte[length];
      byte[] t = new byte[0];
      for (int i = 0, counter = 1; i < length; counter++) {
        hmac.update(t);
        hmac.update(info);
        hmac.update((byte) counter);
        t = hmac.doFinal();
        int n = Math.min(t.length, length - i);
        System.arraycopy(t, 0, out, i, n);
        i += n;
      }
      return out;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] xor(byte[] a, byte[] b) {
    byte[] r = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = (byte) (a[i] ^ b[i]);
    }
    return r;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** Test keys for the endpoints that must get far enough to check a public key. */
  static final class Fixtures {
    private static Fixtures instance;
    private final Map<io.edhoc.cose.CoseCurve, io.edhoc.credentials.OwnCredential> creds = new java.util.EnumMap<>(io.edhoc.cose.CoseCurve.class);

    static synchronized Fixtures get() {
      if (instance == null) {
        instance = new Fixtures();
      }
      return instance;
    }

    synchronized io.edhoc.credentials.OwnCredential own(io.edhoc.cose.CoseCurve curve) {
      return creds.computeIfAbsent(curve, c -> TestCredentials.ccs(c, "fixture-" + c, new byte[] {(byte) (0x40 + c.ordinal())}));
    }
  }
}
