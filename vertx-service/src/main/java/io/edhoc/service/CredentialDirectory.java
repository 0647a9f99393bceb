package io.edhoc.service;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.CredentialResolver;
import io.edhoc.credentials.IdCred;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.OwnCredential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A credentials directory as the service uses it:
 *
 * <pre>
 *   DIR/own/NAME.ccs     own CCS (CBOR), sent by reference (kid)
 *   DIR/own/NAME.key     its private COSE_Key (CBOR, owner-only permissions)
 *   DIR/peers/NAME.ccs   trusted peer CCS, looked up by kid or matched when sent by value
 * </pre>
 *
 * One own credential per curve is needed: P-256 serves suites 2/3 for both signature and static
 * DH; Ed25519 and X25519 serve suite 0 (signature and static DH respectively).
 */
public final class CredentialDirectory {
  private final Path dir;
  private final List<OwnCredential> own;
  private final List<Credential> peers;

  private CredentialDirectory(Path dir, List<OwnCredential> own, List<Credential> peers) {
    this.dir = dir;
    this.own = own;
    this.peers = peers;
  }

  public Path path() {
    return dir;
  }

  public List<OwnCredential> own() {
    return own;
  }

  public List<Credential> peers() {
    return peers;
  }

  /** The peer resolver: pinned peers, plus any CCS by value when trust on first use is on. */
  public CredentialResolver resolver(boolean trustOnFirstUse) {
    InMemoryCredentialStore store = new InMemoryCredentialStore();
    peers.forEach(store::add);
    if (!trustOnFirstUse) {
      return store;
    }
    return new CredentialResolver() {
      @Override
      public Credential resolve(IdCred id) throws CredentialException {
        try {
          return store.resolve(id);
        } catch (CredentialException e) {
          if (id.kind() == IdCred.Kind.KCCS && e.reason() == CredentialException.Reason.REJECTED) {
            CcsCredential c = CcsCredential.parse(id.valueBytes());
            synchronized (store) {
              store.add(c);
            }
            return c;
          }
          throw e;
        }
      }
    };
  }

  /** Loads a directory; every problem names the file. */
  public static CredentialDirectory load(Path dir) throws IOException {
    Path ownDir = dir.resolve("own");
    Path peersDir = dir.resolve("peers");
    if (!Files.isDirectory(ownDir)) {
      throw new IOException("credentials directory " + dir + " has no own/ folder");
    }
    List<OwnCredential> own = new ArrayList<>();
    for (Path ccsFile : list(ownDir, ".ccs")) {
      String base = ccsFile.getFileName().toString().replaceFirst("\\.ccs$", "");
      Path keyFile = ownDir.resolve(base + ".key");
      if (!Files.isRegularFile(keyFile)) {
        throw new IOException(ccsFile + ": no private key file " + keyFile.getFileName());
      }
      CcsCredential ccs = readCcs(ccsFile);
      CosePrivateKey key;
      try {
        Object v = CborReader.decodeSingle(read(keyFile), "COSE_Key");
        if (!(v instanceof Map<?, ?> m)) {
          throw new IOException(keyFile + ": not a COSE_Key map");
        }
        key = CoseKeys.privateKey(m);
      } catch (CborException | CoseKeys.CoseKeyException e) {
        throw new IOException(keyFile + ": " + e.getMessage());
      }
      if (!key.publicKey().equals(ccs.publicKey())) {
        throw new IOException(keyFile + ": private key does not match " + ccsFile.getFileName());
      }
      own.add(OwnCredential.byReference(ccs, key));
    }
    if (own.isEmpty()) {
      throw new IOException("credentials directory " + ownDir + " holds no NAME.ccs + NAME.key pair");
    }
    List<Credential> peers = new ArrayList<>();
    if (Files.isDirectory(peersDir)) {
      for (Path p : list(peersDir, ".ccs")) {
        peers.add(readCcs(p));
      }
    }
    return new CredentialDirectory(dir, List.copyOf(own), List.copyOf(peers));
  }

  private static List<Path> list(Path d, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static byte[] read(Path f) throws IOException {
    if (Files.size(f) > 65536) {
      throw new IOException(f + ": larger than 64 KiB");
    }
    return Files.readAllBytes(f);
  }

  private static CcsCredential readCcs(Path f) throws IOException {
    try {
      return CcsCredential.parse(read(f));
    } catch (CredentialException e) {
      throw new IOException(f + ": " + e.getMessage());
    }
  }

  /** True when {@code dir} looks like a credentials directory already. */
  public static boolean exists(Path dir) {
    return Files.isDirectory(dir.resolve("own"));
  }

  /**
   * Creates development credentials for a server and a client that trust each other:
   * {@code base/server} and {@code base/client}, each with P-256, Ed25519 and X25519 keys.
   */
  public static void createDevelopmentPair(Path base) throws IOException {
    SecureRandom rnd = new SecureRandom();
    Path server = base.resolve("server");
    Path client = base.resolve("client");
    List<CcsCredential> serverCreds = createOwn(server, "server", new byte[] {0x32, 0x33, 0x34}, rnd);
    List<CcsCredential> clientCreds = createOwn(client, "client", new byte[] {0x2b, 0x2c, 0x2d}, rnd);
    writePeers(server, "client", clientCreds);
    writePeers(client, "server", serverCreds);
  }

  private static final CoseCurve[] DEV_CURVES = {CoseCurve.P_256, CoseCurve.ED25519, CoseCurve.X25519};

  private static List<CcsCredential> createOwn(Path dir, String sub, byte[] kids, SecureRandom rnd) throws IOException {
    Path ownDir = io.edhoc.credentials.CredentialFiles.ownerOnlyDirectory(dir.resolve("own")); // 0700: private keys
    List<CcsCredential> out = new ArrayList<>();
    for (int i = 0; i < DEV_CURVES.length; i++) {
      CoseCurve curve = DEV_CURVES[i];
      String name = curve.name().toLowerCase(java.util.Locale.ROOT).replace("_", "");
      CosePrivateKey k = CoseKeys.generate(curve, rnd);
      byte[] kid = {kids[i]};
      CcsCredential ccs = CcsCredential.create(sub + "-" + name, k.publicKey(), kid);
      Files.write(ownDir.resolve(name + ".ccs"), ccs.cred());
      writeSecret(ownDir.resolve(name + ".key"), CoseKeys.encodePrivate(k, kid));
      out.add(ccs);
    }
    return out;
  }

  private static void writePeers(Path dir, String peerName, List<CcsCredential> creds) throws IOException {
    Path peersDir = dir.resolve("peers");
    Files.createDirectories(peersDir);
    for (CcsCredential c : creds) {
      Files.write(peersDir.resolve(c.subject() + ".ccs"), c.cred());
    }
  }

  private static void writeSecret(Path f, byte[] content) throws IOException {
    try {
      Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(f);
    }
    Files.write(f, content, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
