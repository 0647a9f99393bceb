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
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code keygen}: the key generator on the command line (picocli; the service registers it as
 * {@code edhoc keygen}). It writes files; private keys are created rw------- and never printed.
 *
 * <pre>
 * keygen key  --curve CURVE --name N [--kid HEX] [--out DIR]
 *      -> N.key.pem (PKCS#8, 0600), N.cose-key (public COSE_Key, CBOR)
 * keygen ccs  --curve CURVE --kid HEX --name N [--sub NAME] [--out DIR] [--layout files|directory]
 *      files:     N.key.pem (0600), N.ccs (CCS, CBOR)
 *      directory: DIR/own/N.ccs, DIR/own/N.key (private COSE_Key, 0600; own/ created 0700):
 *                 exactly what the service's credentials directory form reads
 * keygen cert --curve CURVE --subject "CN=device" --name N [--usage signature|static-dh|both]
 *             [--ca-curve ed25519] [--ca-subject "CN=EDHOC Root"] [--ca-name ca]
 *             [--ca-cert ca.pem --ca-key ca.key.pem] [--days 365] [--out DIR]
 *      -> (ca.pem, ca.key.pem (0600) when no CA is given), N.pem (leaf), N.key.pem (0600)
 * keygen psk  --kid HEX --name N [--sub-i NAME] [--sub-r NAME] [--length 16] [--out DIR]
 *      -> N.cred_i.ccs, N.cred_r.ccs (both hold the PSK: 0600)
 * </pre>
 *
 * Existing files are not overwritten unless {@code --force}. Exit status: 0 written, 2 usage error
 * (unknown or missing option, bad value; the message names it), 1 failure while generating or
 * writing (e.g. a target exists). picocli is an optional dependency of this module: a library user
 * who only calls {@link #run(Options, PrintStream)} does not need it.
 */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    versionProvider = KeygenCommand.Version.class,
    synopsisSubcommandLabel = "(key | ccs | cert | psk)",
    description = {"Generate keys, CCS, certificates or PSK credentials.", "Private keys are written rw------- and never printed; --force overwrites."},
    footer = {"", "See docs/credentials.md for the credentials directory and configuration file that use these files."},
    subcommands = {KeygenCommand.KeyCmd.class, KeygenCommand.CcsCmd.class, KeygenCommand.CertCmd.class, KeygenCommand.PskCmd.class})
public final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  private PrintStream out = System.out;
  private PrintStream err = System.err;

  /** For picocli (the service's {@code edhoc keygen}): prints to System.out / System.err. */
  public KeygenCommand() {}

  /** What to generate. */
  public enum Kind {
    KEY,
    CCS,
    CERT,
    PSK
  }

  /** Where {@code keygen ccs} puts its files. */
  public enum Layout {
    /** {@code OUT/NAME.key.pem} and {@code OUT/NAME.ccs} (for a credentials configuration file). */
    FILES,
    /** {@code OUT/own/NAME.ccs} and {@code OUT/own/NAME.key} (COSE_Key): the directory form. */
    DIRECTORY
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
    public Layout layout = Layout.FILES;
    public boolean force;
    public SecureRandom random = new SecureRandom();
    public Clock clock = Clock.systemUTC();
  }

  public static void main(String[] args) {
    System.exit(execute(args, System.out, System.err));
  }

  /** The command line, printing to {@code out} and {@code err}. */
  public static CommandLine commandLine(PrintStream out, PrintStream err) {
    KeygenCommand k = new KeygenCommand();
    k.out = out;
    k.err = err;
    return configure(new CommandLine(k), out, err);
  }

  /** Settings every keygen command line needs (also when registered as a subcommand elsewhere). */
  public static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    return cl;
  }

  /** Parses and runs; returns the exit status (0 ok, 2 usage error, 1 failure). */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    return commandLine(out, err).execute(args);
  }

  /** {@code keygen} without a kind: the usage, on the error stream, and status 2. */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("keygen: missing kind (key, ccs, cert or psk)");
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** The version line (the service's version when it runs keygen, else the module's). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = KeygenCommand.class.getPackage().getImplementationVersion();
      return new String[] {"keygen (edhoc credentials) " + (v == null ? "0.1.0" : v)};
    }
  }

  /** Options every kind has. */
  static final class Common {
    @Option(names = "--name", required = true, paramLabel = "N", description = "Base name of the files written (may contain a sub-directory).")
    String name;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = ".", description = "Directory to write into (default: the current directory).")
    Path out;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;
  }

  /** Base of the four kinds: fills {@link Options}, runs, maps failures to a clean line and status 1. */
  abstract static class Kinded implements Callable<Integer> {
    @ParentCommand KeygenCommand parent;
    @Mixin Common common;
    @Spec CommandSpec spec;

    abstract Options options();

    Options base(Kind kind) {
      Options o = new Options();
      o.kind = kind;
      o.name = common.name;
      o.out = common.out;
      o.force = common.force;
      return o;
    }

    @Override
    public Integer call() {
      try {
        run(options(), parent.out);
        return 0;
      } catch (IOException | CredentialException | IllegalArgumentException | IllegalStateException e) {
        parent.err.println("keygen: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "key", mixinStandardHelpOptions = true, description = "A key pair: NAME.key.pem (PKCS#8, 0600) and NAME.cose-key (public COSE_Key, CBOR).")
  static final class KeyCmd extends Kinded {
    @Option(names = "--curve", required = true, paramLabel = "CURVE", converter = CurveConverter.class, description = CURVES)
    CoseCurve curve;

    @Option(names = "--kid", paramLabel = "HEX", converter = HexConverter.class, description = "kid put into the public COSE_Key (optional).")
    HexBytes kid;

    @Override
    Options options() {
      Options o = base(Kind.KEY);
      o.curve = curve;
      o.kid = kid == null ? null : kid.bytes();
      return o;
    }
  }

  @Command(name = "ccs", mixinStandardHelpOptions = true,
      description = {"A CWT Claims Set with its key (RPK by kid or by value).",
          "--layout files (default): NAME.key.pem (0600) and NAME.ccs.",
          "--layout directory: own/NAME.ccs and own/NAME.key (private COSE_Key, 0600; own/ created 0700) under --out: "
              + "what the service's credentials directory form reads (copy NAME.ccs into the peer's peers/)."})
  static final class CcsCmd extends Kinded {
    @Option(names = "--curve", required = true, paramLabel = "CURVE", converter = CurveConverter.class, description = CURVES)
    CoseCurve curve;

    @Option(names = "--kid", required = true, paramLabel = "HEX", converter = HexConverter.class, description = "kid (ID_CRED_x by reference), hex.")
    HexBytes kid;

    @Option(names = "--sub", paramLabel = "NAME", description = "sub claim (optional).")
    String sub;

    @Option(names = "--layout", paramLabel = "files|directory", defaultValue = "files", description = "Where the files go (default ${DEFAULT-VALUE}).")
    Layout layout;

    @Override
    Options options() {
      Options o = base(Kind.CCS);
      o.curve = curve;
      o.kid = kid == null ? null : kid.bytes();
      o.sub = sub;
      o.layout = layout;
      return o;
    }
  }

  @Command(name = "cert", mixinStandardHelpOptions = true,
      description = {"An X.509 leaf certificate and key, signed by a new self-signed CA unless --ca-cert/--ca-key are given.",
          "Signature leaves get digitalSignature, static DH leaves keyAgreement (EC keys: --usage)."})
  static final class CertCmd extends Kinded {
    @Option(names = "--curve", required = true, paramLabel = "CURVE", converter = CurveConverter.class, description = CURVES)
    CoseCurve curve;

    @Option(names = "--subject", required = true, paramLabel = "DN", description = "Subject, e.g. \"CN=device-1\".")
    String subject;

    @Option(names = "--usage", paramLabel = "signature|static-dh|both", defaultValue = "both", converter = UsageConverter.class,
        description = "Key usage of an EC leaf (default ${DEFAULT-VALUE}).")
    CredentialUsage usage;

    @Option(names = "--ca-curve", paramLabel = "CURVE", converter = CurveConverter.class, description = "Curve of a new CA (default: the leaf's signature curve).")
    CoseCurve caCurve;

    @Option(names = "--ca-subject", paramLabel = "DN", defaultValue = "CN=EDHOC Root", description = "Subject of a new CA (default ${DEFAULT-VALUE}).")
    String caSubject;

    @Option(names = "--ca-name", paramLabel = "N", defaultValue = "ca", description = "Base name of a new CA's files (default ${DEFAULT-VALUE}).")
    String caName;

    @Option(names = "--ca-cert", paramLabel = "FILE", description = "Existing CA certificate (PEM); needs --ca-key.")
    Path caCert;

    @Option(names = "--ca-key", paramLabel = "FILE", description = "Existing CA private key; needs --ca-cert.")
    Path caKey;

    @Option(names = "--days", paramLabel = "D", defaultValue = "365", description = "Validity in days (default ${DEFAULT-VALUE}).")
    int days;

    @Override
    Options options() {
      if ((caCert == null) != (caKey == null)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--ca-cert and --ca-key go together");
      }
      Options o = base(Kind.CERT);
      o.curve = curve;
      o.subject = subject;
      o.usage = usage;
      o.caCurve = caCurve;
      o.caSubject = caSubject;
      o.caName = caName;
      o.caCert = caCert;
      o.caKey = caKey;
      o.days = days;
      return o;
    }
  }

  @Command(name = "psk", mixinStandardHelpOptions = true,
      description = "A PSK credential pair for method 4: NAME.cred_i.ccs and NAME.cred_r.ccs (both hold the PSK: 0600).")
  static final class PskCmd extends Kinded {
    @Option(names = "--kid", required = true, paramLabel = "HEX", converter = HexConverter.class, description = "kid of ID_CRED_PSK, hex.")
    HexBytes kid;

    @Option(names = "--sub-i", paramLabel = "NAME", defaultValue = "initiator", description = "sub of CRED_I (default ${DEFAULT-VALUE}).")
    String subI;

    @Option(names = "--sub-r", paramLabel = "NAME", defaultValue = "responder", description = "sub of CRED_R (default ${DEFAULT-VALUE}).")
    String subR;

    @Option(names = "--length", paramLabel = "BYTES", defaultValue = "16", description = "PSK length in bytes (default ${DEFAULT-VALUE}).")
    int length;

    @Override
    Options options() {
      Options o = base(Kind.PSK);
      o.kid = kid == null ? null : kid.bytes();
      o.subI = subI;
      o.subR = subR;
      o.length = length;
      return o;
    }
  }

  private static final String CURVES = "ed25519, ed448, x25519, x448, p-256 or p-384 (the suite's signature or DH curve).";

  static final class CurveConverter implements CommandLine.ITypeConverter<CoseCurve> {
    @Override
    public CoseCurve convert(String value) {
      try {
        return curve(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** A hex option value (picocli would take a byte[] field for a list of bytes). */
  record HexBytes(byte[] bytes) {}

  static final class HexConverter implements CommandLine.ITypeConverter<HexBytes> {
    @Override
    public HexBytes convert(String value) {
      try {
        return new HexBytes(Hex.decode(value));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("not hex: " + e.getMessage());
      }
    }
  }

  static final class UsageConverter implements CommandLine.ITypeConverter<CredentialUsage> {
    @Override
    public CredentialUsage convert(String value) {
      switch (value.toLowerCase(Locale.ROOT)) {
        case "both":
        case "any":
          return CredentialUsage.ANY;
        case "signature":
          return CredentialUsage.SIGNATURE;
        case "static-dh":
        case "static_dh":
          return CredentialUsage.STATIC_DH;
        default:
          throw new CommandLine.TypeConversionException("unknown usage " + value + " (signature, static-dh, both)");
      }
    }
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

  private static void require(Object v, String option) {
    if (v == null) {
      throw new IllegalArgumentException("missing " + option);
    }
  }

  /** Generates and writes; returns the files written. Prints one line per file (no key material). */
  public static List<Path> run(Options o, PrintStream out) throws IOException, CredentialException {
    require(o.kind, "kind");
    require(o.name, "--name");
    if (o.layout == Layout.DIRECTORY && o.kind != Kind.CCS) {
      throw new IllegalArgumentException("--layout directory is for keygen ccs only (the directory form holds CCS)");
    }
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
          if (o.layout == Layout.DIRECTORY) {
            // the directory form: own/NAME.ccs + own/NAME.key (private COSE_Key with kid), own/ 0700
            Path own = ownDirectory(o.out);
            writeFile(o, written, own.resolve(o.name + ".ccs"), p.ccs().cred(), false);
            byte[] key = CoseKeys.encodePrivate(p.privateKey(), o.kid);
            try {
              writeFile(o, written, own.resolve(o.name + ".key"), key, true);
            } finally {
              java.util.Arrays.fill(key, (byte) 0);
            }
          } else {
            writeKey(o, written, o.out.resolve(o.name + ".key.pem"), p.privateKey());
            writeFile(o, written, o.out.resolve(o.name + ".ccs"), p.ccs().cred(), false);
          }
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
        if (o.layout == Layout.DIRECTORY) {
          names.add("own/" + o.name + ".ccs");
          names.add("own/" + o.name + ".key");
        } else {
          names.add(o.name + ".key.pem");
          names.add(o.name + ".ccs");
        }
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

  /** {@code dir/own}, owner-only (docs/credentials.md): it holds private keys. */
  static Path ownDirectory(Path dir) throws IOException {
    return CredentialFiles.ownerOnlyDirectory(dir.resolve("own"));
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
