package io.edhoc.fuzz;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.FuzzAccess;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.TestHooks;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.X509Credential;
import io.edhoc.vectors.VectorFile;
import java.util.List;

/**
 * The fixed credentials and ephemeral keys of the two RFC 9529 traces: section 2 (method 0,
 * suite 0, X.509 by x5t, Ed25519/X25519) and section 3 (method 3, suite 2, CCS by kid, P-256). The
 * fuzz targets run real crypto against them, so the printed messages are valid seeds and mutations
 * of them reach the checks behind the first parser.
 */
public final class Traces {
  public static final VectorFile FILE = VectorFile.load("rfc9529.json");
  public static final Trace SECTION_2 = new Trace(FILE.trace("section_2"));
  public static final Trace SECTION_3 = new Trace(FILE.trace("section_3"));
  public static final List<Trace> BOTH = List.of(SECTION_2, SECTION_3);

  private Traces() {}

  /** Trace 0 (section 2) or 1 (section 3), chosen by the low bit of a selector byte. */
  public static Trace select(byte selector) {
    return (selector & 1) == 0 ? SECTION_2 : SECTION_3;
  }

  public static final class Trace {
    public final VectorFile.Trace t;
    public final Method method;
    public final CipherSuite suite;
    public final Credential credI;
    public final Credential credR;
    public final OwnCredential ownI;
    public final OwnCredential ownR;
    private final CoseCurve dhCurve;
    public final byte[] cI;
    public final byte[] cR;

    Trace(VectorFile.Trace t) {
      this.t = t;
      try {
        if (t.name().equals("section_2")) {
          method = Method.SIG_SIG;
          suite = CipherSuite.SUITE_0;
          credI = X509Credential.parse(t.get("CRED_I", "Raw Value"));
          credR = X509Credential.parse(t.get("CRED_R", "Raw Value"));
          ownI = OwnCredential.byReference(credI, new CosePrivateKey(CoseCurve.ED25519, t.get("SK_I"), credI.publicKey()));
          ownR = OwnCredential.byReference(credR, new CosePrivateKey(CoseCurve.ED25519, t.get("SK_R"), credR.publicKey()));
          dhCurve = CoseCurve.X25519;
        } else {
          method = Method.STAT_STAT;
          suite = CipherSuite.SUITE_2;
          credI = CcsCredential.parse(t.get("CRED_I"));
          credR = CcsCredential.parse(t.get("CRED_R"));
          ownI = OwnCredential.byReference(credI, new CosePrivateKey(CoseCurve.P_256, t.get("SK_I"), credI.publicKey()));
          ownR = OwnCredential.byReference(credR, new CosePrivateKey(CoseCurve.P_256, t.get("SK_R"), credR.publicKey()));
          dhCurve = CoseCurve.P_256;
        }
      } catch (CredentialException e) {
        throw new IllegalStateException(e);
      }
      cI = t.get("C_I", "Raw Value");
      cR = t.get("C_R", "Raw Value");
    }

    /** A fresh copy of the trace's ephemeral key X or Y (a handshake wipes the key it used). */
    public CosePrivateKey ephemeral(String name) {
      return new CosePrivateKey(dhCurve, t.get(name), new CosePublicKey(dhCurve, t.get("G_" + name), null));
    }

    public byte[] get(String name) {
      return t.get(name);
    }

    /** An initiator that writes this trace's message_1 (fixed X and C_I; section 3 offers suites 6 and 2). */
    public Initiator initiator() {
      EdhocConfig c = initiatorConfig();
      return FuzzAccess.initiator(c, suite == CipherSuite.SUITE_2 ? List.of(CipherSuite.SUITE_6, CipherSuite.SUITE_2) : List.of(suite));
    }

    EdhocConfig initiatorConfig() {
      return EdhocConfig.builder().methods(method).suites(suite).credential(ownI).peers(new InMemoryCredentialStore().add(credR))
          .connectionIds(peer -> cI.clone()).testHooks(TestHooks.create().ephemeralKey(ephemeral("X"))).build();
    }

    /** A responder that answers this trace's message_1 with its message_2 (fixed Y and C_R). */
    public EdhocConfig responder() {
      return EdhocConfig.builder().methods(method).suites(suite).credential(ownR).peers(new InMemoryCredentialStore().add(credI))
          .connectionIds(peer -> cR.clone()).testHooks(TestHooks.create().ephemeralKey(ephemeral("Y"))).build();
    }
  }

  /** A responder for both traces (methods 0 and 3, suites 0 and 2, both credentials), fresh ephemeral keys. */
  public static EdhocConfig.Builder bothResponder() {
    return EdhocConfig.builder().methods(Method.SIG_SIG, Method.STAT_STAT).suites(CipherSuite.SUITE_2, CipherSuite.SUITE_0)
        .credential(SECTION_2.ownR).credential(SECTION_3.ownR)
        .peers(new InMemoryCredentialStore().add(SECTION_2.credI).add(SECTION_3.credI));
  }

  public static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] r = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, r, o, p.length);
      o += p.length;
    }
    return r;
  }
}
