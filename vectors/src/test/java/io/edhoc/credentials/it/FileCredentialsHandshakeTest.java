package io.edhoc.credentials.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.EdhocException;
import io.edhoc.EdhocSession;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.Responder;
import io.edhoc.cose.CoseCurve;
import io.edhoc.credentials.CredentialFiles;
import io.edhoc.credentials.CredentialsConfig;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.KeygenCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 3 "done means": handshakes succeed for every method with each credential kind (CCS, X.509,
 * PSK), by reference and by value, between two endpoints whose stores are loaded from
 * configuration files over files written by the key generator ({@link KeygenCommand}).
 *
 * <p>Both endpoints get, for each curve of the suites used (0: Ed25519/X25519, 2: P-256, 24:
 * P-384, 25: Ed448/X448), a CCS and an X.509 certificate (one CA per endpoint, each trusting the
 * other's CA). One configuration file per (kind, form) lists only those own credentials, so that
 * the core's per-method/suite pick uses the kind under test.
 */
class FileCredentialsHandshakeTest {
  static final List<CipherSuite> SUITES = List.of(CipherSuite.SUITE_0, CipherSuite.SUITE_2, CipherSuite.SUITE_24, CipherSuite.SUITE_25);
  static final List<Method> METHODS = List.of(Method.SIG_SIG, Method.SIG_STAT, Method.STAT_SIG, Method.STAT_STAT);
  static final List<CoseCurve> CURVES = List.of(CoseCurve.ED25519, CoseCurve.X25519, CoseCurve.P_256, CoseCurve.P_384, CoseCurve.ED448, CoseCurve.X448);

  @TempDir static Path dir;

  static void keygen(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = KeygenCommand.execute(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    if (rc != 0) {
      throw new AssertionError("keygen " + String.join(" ", args) + ": " + err);
    }
  }

  static String c(CoseCurve curve) {
    return curve.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Writes the key material of both endpoints and their configuration files. */
  @BeforeAll
  static void generate() throws Exception {
    String d = dir.toString();
    int kid = 1;
    for (String side : List.of("alice", "bob")) {
      keygen("cert", "--curve", "ed25519", "--subject", "CN=" + side + " CA", "--name", side + "/ca-leaf-unused", "--ca-name", side + "/ca",
          "--ca-subject", "CN=" + side + " Root", "--out", d);
      for (CoseCurve curve : CURVES) {
        keygen("ccs", "--curve", c(curve), "--sub", side + "-" + c(curve), "--kid", String.format("%02x", kid++), "--name", side + "/" + c(curve), "--out", d);
        keygen("cert", "--curve", c(curve), "--usage", "both", "--subject", "CN=" + side + " " + c(curve), "--name", side + "/" + c(curve) + "-cert",
            "--ca-cert", d + "/" + side + "/ca.pem", "--ca-key", d + "/" + side + "/ca.key.pem", "--out", d);
      }
    }
    keygen("psk", "--kid", "10", "--sub-i", "alice", "--sub-r", "bob", "--name", "shared/psk", "--out", d);
    for (String side : List.of("alice", "bob")) {
      String peer = side.equals("alice") ? "bob" : "alice";
      for (String kind : List.of("ccs", "x509")) {
        for (String form : List.of("reference", "value")) {
          StringBuilder y = new StringBuilder("own:\n");
          for (CoseCurve curve : CURVES) {
            if (kind.equals("ccs")) {
              y.append("  - {ccs: ").append(side).append('/').append(c(curve)).append(".ccs, key: ").append(side).append('/').append(c(curve))
                  .append(".key.pem, send: ").append(form).append("}\n");
            } else {
              y.append("  - {certificate: ").append(side).append('/').append(c(curve)).append("-cert.pem, key: ").append(side).append('/')
                  .append(c(curve)).append("-cert.key.pem, send: ").append(form).append("}\n");
            }
          }
          y.append("peers:\n");
          for (CoseCurve curve : CURVES) {
            if (kind.equals("ccs")) {
              y.append("  - {ccs: ").append(peer).append('/').append(c(curve)).append(".ccs}\n");
            } else if (form.equals("reference")) {
              // x5t: the peer's certificate is known, and trusted through PKIX at each use
              y.append("  - {certificate: ").append(peer).append('/').append(c(curve)).append("-cert.pem, trust: pkix}\n");
            }
          }
          y.append("psk:\n  - {cred_i: shared/psk.cred_i.ccs, cred_r: shared/psk.cred_r.ccs}\n");
          y.append("trust_anchors: [").append(peer).append("/ca.pem]\n");
          Files.writeString(dir.resolve(side + "-" + kind + "-" + form + ".yaml"), y.toString());
        }
      }
    }
    // private keys are owner-only
    assertThat(CredentialFiles.isReadableByOthers(dir.resolve("alice/ed25519.key.pem"))).isFalse();
    assertThat(CredentialFiles.isReadableByOthers(dir.resolve("shared/psk.cred_i.ccs"))).isFalse();
  }

  static EdhocConfig config(String side, String kind, String form, Method m, CipherSuite s) throws Exception {
    CredentialsConfig.Loaded l = CredentialsConfig.load(dir.resolve(side + "-" + kind + "-" + form + ".yaml"));
    EdhocConfig.Builder b = EdhocConfig.builder().suites(s).methods(m).peers(l.peers());
    l.own().forEach(b::credential);
    if (m == Method.PSK) {
      b.psks(l.psks()).pskResolver(l.peers());
    }
    return b.build();
  }

  static Stream<Arguments> cases() {
    List<Arguments> r = new ArrayList<>();
    for (Method m : METHODS) {
      for (CipherSuite s : SUITES) {
        for (String kind : List.of("ccs", "x509")) {
          for (String form : List.of("reference", "value")) {
            r.add(Arguments.of(m, s, kind, form));
          }
        }
      }
    }
    return r.stream();
  }

  static EdhocSession[] handshake(EdhocConfig ic, EdhocConfig rc) throws EdhocException {
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(ic).writeMessage1();
    Responder.AwaitingMessage3 w3 = Edhoc.responder(rc).readMessage1(w2.message1()).writeMessage2();
    Initiator.AwaitingMessage4 w4 = w2.readMessage2(w3.message2()).writeMessage3();
    Responder.Completed done = w3.readMessage3(w4.message3()).writeMessage4();
    return new EdhocSession[] {w4.readMessage4(done.message4()), done.session()};
  }

  @ParameterizedTest(name = "{0} suite {1} {2} by {3}")
  @MethodSource("cases")
  void handshakeSucceeds(Method m, CipherSuite s, String kind, String form) throws Exception {
    EdhocSession[] sessions = handshake(config("alice", kind, form, m, s), config("bob", kind, form, m, s));
    try (EdhocSession si = sessions[0]; EdhocSession sr = sessions[1]) {
      assertThat(si.exporter(0, new byte[0], 16)).isEqualTo(sr.exporter(0, new byte[0], 16));
      // each side authenticated the other's credential as written by the key generator
      assertThat(si.peerCredential().cred()).isEqualTo(config("bob", kind, form, m, s).credentialFor(io.edhoc.Role.RESPONDER, m, s).credential().cred());
      assertThat(sr.peerCredential().cred()).isEqualTo(config("alice", kind, form, m, s).credentialFor(io.edhoc.Role.INITIATOR, m, s).credential().cred());
      String expectedKind = kind.equals("ccs") ? "CcsCredential" : "X509Credential";
      assertThat(si.peerCredential().getClass().getSimpleName()).isEqualTo(expectedKind);
    }
  }

  @ParameterizedTest(name = "PSK suite {0}")
  @MethodSource("suites")
  void pskHandshakeSucceeds(CipherSuite s) throws Exception {
    EdhocConfig ic = config("alice", "ccs", "reference", Method.PSK, s);
    EdhocConfig rc = config("bob", "ccs", "reference", Method.PSK, s);
    EdhocSession[] sessions = handshake(ic, rc);
    try (EdhocSession si = sessions[0]; EdhocSession sr = sessions[1]) {
      assertThat(si.exporter(0, new byte[0], 16)).isEqualTo(sr.exporter(0, new byte[0], 16));
      assertThat(sr.idCredPsk()).isEqualTo(IdCred.kid(new byte[] {0x10}));
    }
  }

  static Stream<CipherSuite> suites() {
    return SUITES.stream();
  }

  @Test
  void unknownKidEndsWithErrCode3AndRejectedChainWithErrCode1() throws Exception {
    // bob knows no CCS of alice's: ERR_CODE 3 for the kid alice sends
    Path lonely = dir.resolve("bob-lonely.yaml");
    String bobCcs = Files.readString(dir.resolve("bob-ccs-reference.yaml"));
    Files.writeString(lonely, bobCcs.substring(0, bobCcs.indexOf("peers:")) + "peers: []\n");
    CredentialsConfig.Loaded lb = CredentialsConfig.load(lonely);
    EdhocConfig.Builder bb = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).peers(lb.peers());
    lb.own().forEach(bb::credential);
    EdhocConfig alice = config("alice", "ccs", "reference", Method.STAT_STAT, CipherSuite.SUITE_2);
    assertThatThrownBy(() -> handshake(alice, bb.build()))
        .isInstanceOfSatisfying(EdhocException.class, e -> assertThat(e.errorCode()).isEqualTo(3));

    // x5chain from a CA bob does not trust: ERR_CODE 1, the reason only in the exception text
    Path untrusting = dir.resolve("bob-untrusting.yaml");
    String bobX = Files.readString(dir.resolve("bob-x509-value.yaml"));
    Files.writeString(untrusting, bobX.replace("trust_anchors: [alice/ca.pem]", "trust_anchors: [bob/ca.pem]"));
    CredentialsConfig.Loaded lu = CredentialsConfig.load(untrusting);
    EdhocConfig.Builder ub = EdhocConfig.builder().suites(CipherSuite.SUITE_0).methods(Method.SIG_SIG).peers(lu.peers());
    lu.own().forEach(ub::credential);
    EdhocConfig aliceX = config("alice", "x509", "value", Method.SIG_SIG, CipherSuite.SUITE_0);
    assertThatThrownBy(() -> handshake(aliceX, ub.build()))
        .isInstanceOfSatisfying(EdhocException.class, e -> {
          assertThat(e.errorCode()).isEqualTo(1);
          assertThat(e.getMessage()).contains("missing intermediate");
          assertThat(new String(e.errorMessage(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("intermediate");
        });
  }

  @Test
  void trustOnFirstUseThenPinned() throws Exception {
    Path tofu = dir.resolve("bob-tofu.yaml");
    String bobCcs = Files.readString(dir.resolve("bob-ccs-value.yaml"));
    Files.writeString(tofu, bobCcs.substring(0, bobCcs.indexOf("peers:")) + "peers: []\ntofu: {enabled: true, directory: bob/tofu}\n");
    CredentialsConfig.Loaded lb = CredentialsConfig.load(tofu);
    EdhocConfig.Builder bb = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).peers(lb.peers());
    lb.own().forEach(bb::credential);
    EdhocConfig bob = bb.build();
    EdhocConfig alice = config("alice", "ccs", "value", Method.STAT_STAT, CipherSuite.SUITE_2);
    EdhocSession[] first = handshake(alice, bob);
    Arrays.stream(first).forEach(EdhocSession::close);
    assertThat(lb.peers().pinned()).hasSize(1);
    // pinned now, also by reference, and after a reload from the TOFU directory
    EdhocConfig aliceRef = config("alice", "ccs", "reference", Method.STAT_STAT, CipherSuite.SUITE_2);
    Arrays.stream(handshake(aliceRef, bob)).forEach(EdhocSession::close);
    CredentialsConfig.Loaded reloaded = CredentialsConfig.load(tofu);
    assertThat(reloaded.peers().pinned()).hasSize(1);
  }
}
