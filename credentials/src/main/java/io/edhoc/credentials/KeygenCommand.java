package io.edhoc.credentials;

import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CosePrivateKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The key generation entry point (the service exposes it as {@code edhoc keygen}). It writes
 * files; private keys are created rw------- and never printed.
 *
 * <pre>
 * keygen key  --curve x25519 --name k1 [--out DIR]
 *      -> k1.key.pem (PKCS#8, 0600), k1.cose-key (public COSE_Key, CBOR)
 * keygen ccs  --curve ed25519|ed448|x25519|x448|p-256|p-384 --sub NAME --kid HEX --name N [--out DIR]
 *      -> N.key.pem (0600), N.ccs (CCS, CBOR)
 * keygen cert --curve CURVE --subject "CN=device" --name N [--usage signature|static-dh|both]
 *             [--ca-curve ed25519] [--ca-subject "CN=EDHOC Root"] [--ca-name ca]
 *             [--ca-cert ca.pem --ca-key ca.key.pem] [--days 365] [--out DIR]
 *      -> (ca.pem, ca.key.pem (0600) when no CA is given), N.pem (leaf), N.key.pem (0600)
 * keygen psk  --kid HEX --sub-i NAME --sub-r NAME --name N [--length 16] [--out DIR]
 *      -> N.cred_i.ccs, N.cred_r.ccs (both hold the PSK: 0600)
 * </pre>
 *
 * Existing files are not overwritten unless {@code --force}. A wrapper (picocli) fills an {@link
 * Options} and calls {@link #run(Options, PrintStream)}.
 */
public final class KeygenCommand {
  /** The full usage text, printed for {@code --help}. */
  public static final String USAGE = String.join("\n",
      "Usage: keygen KIND [options]   (private keys are written rw-------, never printed; --force overwrites)",
      "  keygen key  --curve x25519|x448|ed25519|ed448|p-256|p-384 --name N [--out DIR]",
      "        -> N.key.pem (PKCS#8), N.cose-key (public COSE_Key, CBOR)",
      "  keygen ccs  --curve CURVE --sub NAME --kid HEX --name N [--out DIR]",
      "        -> N.key.pem, N.ccs (CWT Claims Set with the COSE_Key, CBOR)",
      "  keygen cert --curve CURVE --subject \"CN=device\" --name N [--usage signature|static-dh|both]",
      "              [--ca-curve ed25519] [--ca-subject \"CN=EDHOC Root\"] [--ca-name ca]",
      "              [--ca-cert ca.pem --ca-key ca.key.pem] [--days 365] [--out DIR]",
      "        -> ca.pem + ca.key.pem (when no CA is given), N.pem (leaf), N.key.pem",
      "  keygen psk  --kid HEX --sub-i NAME --sub-r NAME --name N [--length 16] [--out DIR]",
      "        -> N.cred_i.ccs, N.cred_r.ccs (both hold the PSK)",
      "See docs/credentials.md for the credentials directory and config file that use these files.");

  private KeygenCommand() {}

  /** What to generate. */
  public enum Kind {
    KEY,
    CCS,
    CERT,
    PSK
  }

  /** The options of one run; field names follow the command line. */
  public static final class Options {
    public Kind kind;
    public Path out = Paths.get(".");
    public String name;
    public CoseCurve curve;
    public String sub;
    public byte[] kid;
    public String subject;
    public CredentialUsage usage = CredentialUsage.ANY;
    public CoseCurve caCurve;
    public String caSubject = "CN=EDHOC Root";
    public String caName = "ca";
    public Path caCert;
    public Path caKey;
    public int days = 365;
    public String subI = "initiator";
    public String subR = "responder";
    public int length = 16;
    public boolean force;
    public SecureRandom random = new SecureRandom();
    public Clock clock = Clock.systemUTC();
  }

  public static void main(String[] args) {
    System.exit(execute(args, System.out, System.err));
  }

  /** Parses and runs; returns the exit status (0 ok, 2 usage error, 1 failure). */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("keygen: " + e.getMessage());
      err.println("usage: keygen key|ccs|cert|psk --name N [--out DIR] [--curve C] [--sub S --kid HEX] [--subject DN] ... (see docs/credentials.md)");
      return 2;
    }
    try {
      run(o, out);
      return 0;
    } catch (IOException | CredentialException | IllegalArgumentException e) {
      err.println("keygen: " + e.getMessage());
      return 1;
    }
  }

  /** Parses command-line arguments (the first is the kind). */
  public static Options parse(String[] args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("missing kind (key, ccs, cert or psk)");
    }
    Options o = new Options();
    o.kind = enumArg(Kind.class, args[0], "kind");
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--force")) {
        o.force = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--out":
          o.out = Paths.get(v);
          break;
        case "--name":
          o.name = v;
          break;
        case "--curve":
          o.curve = curve(v);
          break;
        case "--sub":
          o.sub = v;
          break;
        case "--kid":
          o.kid = hex(v, "--kid");
          break;
        case "--subject":
          o.subject = v;
          break;
        case "--usage":
          o.usage = v.equalsIgnoreCase("both") ? CredentialUsage.ANY : enumArg(CredentialUsage.class, v.replace('-', '_'), "usage");
          break;
        case "--ca-curve":
          o.caCurve = curve(v);
          break;
        case "--ca-subject":
          o.caSubject = v;
          break;
        case "--ca-name":
          o.caName = v;
          break;
        case "--ca-cert":
          o.caCert = Paths.get(v);
          break;
        case "--ca-key":
          o.caKey = Paths.get(v);
          break;
        case "--days":
          o.days = Integer.parseInt(v);
          break;
        case "--sub-i":
          o.subI = v;
          break;
        case "--sub-r":
          o.subR = v;
          break;
        case "--length":
          o.length = Integer.parseInt(v);
          break;
        default:
          throw new IllegalArgumentException("unknown option " + a);
      }
    }
    return o;
  }

  /** Curve names: ed25519, ed448, x25519, x448, p-256 (p256, secp256r1), p-384. */
  public static CoseCurve curve(String v) {
    switch (v.toLowerCase(Locale.ROOT).replace("_", "-")) {
      case "ed25519":
        return CoseCurve.ED25519;
      case "ed448":
        return CoseCurve.ED448;
      case "x25519":
        return CoseCurve.X25519;
      case "x448":
        return CoseCurve.X448;
      case "p-256":
      case "p256":
      case "secp256r1":
        return CoseCurve.P_256;
      case "p-384":
      case "p384":
      case "secp384r1":
        return CoseCurve.P_384;
      default:
        throw new IllegalArgumentException("unknown curve " + v + " (ed25519, ed448, x25519, x448, p-256, p-384)");
    }
  }

  private static byte[] hex(String v, String what) {
    try {
      return Hex.decode(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
  }

  private static <E extends Enum<E>> E enumArg(Class<E> c, String v, String what) {
    try {
      return Enum.valueOf(c, v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown " + what + " " + v);
    }
  }

  private static void require(Object v, String option) {
    if (v == null) {
      throw new IllegalArgumentException("missing " + option);
    }
  }

  /** Generates and writes; returns the files written. Prints one line per file (no key material). */
  public static List<Path> run(Options o, PrintStream out) throws IOException, CredentialException {
    require(o.kind, "kind");
    require(o.name, "--name");
    for (Path f : plannedFiles(o)) {
      checkNew(o, f); // before anything is generated or written
    }
    KeyGenerator gen = new KeyGenerator(o.random, o.clock);
    List<Path> written = new ArrayList<>();
    switch (o.kind) {
      case KEY:
        {
          require(o.curve, "--curve");
          CosePrivateKey k = gen.keyPair(o.curve);
          writeKey(o, written, o.out.resolve(o.name + ".key.pem"), k);
          writeFile(o, written, o.out.resolve(o.name + ".cose-key"), CoseKeys.encodePublic(k.publicKey(), o.kid), false);
          k.destroy();
          break;
        }
      case CCS:
        {
          require(o.curve, "--curve");
          require(o.kid, "--kid");
          KeyGenerator.CcsKeyPair p = gen.ccs(o.curve, o.sub, o.kid);
          writeKey(o, written, o.out.resolve(o.name + ".key.pem"), p.privateKey());
          writeFile(o, written, o.out.resolve(o.name + ".ccs"), p.ccs().cred(), false);
          p.privateKey().destroy();
          break;
        }
      case CERT:
        {
          require(o.curve, "--curve");
          require(o.subject, "--subject");
          KeyGenerator.Ca ca;
          if (o.caCert != null || o.caKey != null) {
            require(o.caCert, "--ca-cert");
            require(o.caKey, "--ca-key");
            ca = new KeyGenerator.Ca(CredentialFiles.readCertificates(o.caCert).get(0), CredentialFiles.readPrivateKey(o.caKey));
          } else {
            CoseCurve caCurve = o.caCurve != null ? o.caCurve : o.curve.use().signs() ? o.curve : o.curve == CoseCurve.X448 ? CoseCurve.ED448 : CoseCurve.ED25519;
            ca = gen.selfSignedCa(caCurve, o.caSubject, Duration.ofDays(o.days));
            writeFile(o, written, o.out.resolve(o.caName + ".pem"), CredentialFiles.pem("CERTIFICATE", List.of(ca.certificate())).getBytes(StandardCharsets.US_ASCII), false);
            writeKey(o, written, o.out.resolve(o.caName + ".key.pem"), ca.privateKey());
          }
          KeyGenerator.Leaf leaf = gen.leaf(ca, o.curve, o.subject, o.usage, Duration.ofDays(o.days));
          writeFile(o, written, o.out.resolve(o.name + ".pem"), CredentialFiles.pem("CERTIFICATE", List.of(leaf.credential().der())).getBytes(StandardCharsets.US_ASCII), false);
          writeKey(o, written, o.out.resolve(o.name + ".key.pem"), leaf.privateKey());
          leaf.privateKey().destroy();
          ca.privateKey().destroy();
          break;
        }
      case PSK:
        {
          require(o.kid, "--kid");
          PskCredential p = gen.psk(o.kid, o.subI, o.subR, o.length);
          writeFile(o, written, o.out.resolve(o.name + ".cred_i.ccs"), p.credI(), true);
          writeFile(o, written, o.out.resolve(o.name + ".cred_r.ccs"), p.credR(), true);
          p.destroy();
          break;
        }
      default:
        throw new IllegalArgumentException("unknown kind " + o.kind);
    }
    for (Path p : written) {
      out.println("wrote " + p);
    }
    return written;
  }

  /** The files a run will write. */
  public static List<Path> plannedFiles(Options o) {
    List<String> names = new ArrayList<>();
    switch (o.kind) {
      case KEY:
        names.add(o.name + ".key.pem");
        names.add(o.name + ".cose-key");
        break;
      case CCS:
        names.add(o.name + ".key.pem");
        names.add(o.name + ".ccs");
        break;
      case CERT:
        if (o.caCert == null && o.caKey == null) {
          names.add(o.caName + ".pem");
          names.add(o.caName + ".key.pem");
        }
        names.add(o.name + ".pem");
        names.add(o.name + ".key.pem");
        break;
      default:
        names.add(o.name + ".cred_i.ccs");
        names.add(o.name + ".cred_r.ccs");
    }
    List<Path> r = new ArrayList<>();
    for (String n : names) {
      r.add(o.out.resolve(n));
    }
    return r;
  }

  private static void checkNew(Options o, Path f) throws IOException {
    if (!o.force && Files.exists(f)) {
      throw new IOException(f + " exists (use --force to overwrite)");
    }
  }

  private static void writeKey(Options o, List<Path> written, Path f, CosePrivateKey k) throws IOException {
    checkNew(o, f);
    CredentialFiles.writePrivateKey(f, k);
    written.add(f);
  }

  private static void writeFile(Options o, List<Path> written, Path f, byte[] content, boolean secret) throws IOException {
    checkNew(o, f);
    if (secret) {
      CredentialFiles.writeSecret(f, content);
    } else {
      CredentialFiles.writePublic(f, content);
    }
    written.add(f);
  }
}
