package io.edhoc.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.ErrorMessage;
import io.edhoc.Failure;
import io.edhoc.Method;
import io.edhoc.Plaintext2;
import io.edhoc.cbor.CborException;
import io.edhoc.cbor.Hex;
import io.edhoc.credentials.InMemoryCredentialStore;
import java.util.Map;

/**
 * RFC 9529 section 4: each invalid message is rejected, for the reason the RFC gives, with an
 * EDHOC error message (ERR_CODE 1) where the receiver is to answer.
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
      Map.entry("4.2.6", Failure.MALFORMED_MESSAGE),
      Map.entry("4.3.1", Failure.MALFORMED_MESSAGE),
      Map.entry("4.3.2", Failure.MALFORMED_MESSAGE));

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
          try {
            Plaintext2.parse(bytes, Method.STAT_STAT, CipherSuite.SUITE_2);
            report.fail(name, "PLAINTEXT_2 was accepted");
          } catch (CborException e) {
            report.pass(name + " (" + e.getMessage() + ")");
          }
        } else {
          report.fail(name, "unknown kind of invalid value " + what);
        }
      } catch (RuntimeException e) {
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
      boolean ok = e.failure() == expected && hasErrorMessage && e.errorCode() == ErrorMessage.UNSPECIFIED;
      report.check(name + " (" + e.failure() + ", ERR_CODE " + e.errorCode() + ")", ok,
          "expected " + expected + " with an ERR_CODE 1 message, got " + e.failure() + " / " + e.errorCode() + ": " + e.getMessage());
    }
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
