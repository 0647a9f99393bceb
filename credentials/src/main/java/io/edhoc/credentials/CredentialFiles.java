package io.edhoc.credentials;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Reading and writing the credential files users already have: PEM (or DER) certificates and
 * chains, PKCS#8 PEM private keys (EC P-256/P-384, Ed25519, Ed448, X25519, X448; SEC1 "EC PRIVATE
 * KEY" too), CCS and COSE_Key in CBOR, binary or hex. Every read failure is a {@link
 * CredentialFileException} naming the file and the problem. Private key files are written
 * readable by the owner only.
 */
public final class CredentialFiles {
  private static final long MAX_FILE = 1 << 20;
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private CredentialFiles() {}

  /** One PEM block. */
  public static final class PemBlock {
    public final String type;
    public final byte[] content;
    public final int line;

    PemBlock(String type, byte[] content, int line) {
      this.type = type;
      this.content = content;
      this.line = line;
    }
  }

  static byte[] readBytes(Path file) throws CredentialFileException {
    try {
      if (!Files.isRegularFile(file)) {
        throw new CredentialFileException(file, "no such file");
      }
      if (Files.size(file) > MAX_FILE) {
        throw new CredentialFileException(file, "file larger than " + MAX_FILE + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CredentialFileException(file, "cannot read: " + e.getClass().getSimpleName());
    }
  }

  /** Parses the PEM blocks of a file (text outside blocks is ignored). */
  public static List<PemBlock> readPem(Path file) throws CredentialFileException {
    return parsePem(file, readBytes(file));
  }

  static List<PemBlock> parsePem(Path file, byte[] data) throws CredentialFileException {
    String text = new String(data, StandardCharsets.US_ASCII);
    String[] lines = text.split("\r?\n", -1);
    List<PemBlock> blocks = new ArrayList<>();
    String type = null;
    int start = 0;
    StringBuilder b64 = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i].trim();
      if (l.startsWith("-----BEGIN ") && l.endsWith("-----")) {
        if (type != null) {
          throw new CredentialFileException(file, "line " + (i + 1) + ": BEGIN inside the " + type + " block of line " + start);
        }
        type = l.substring(11, l.length() - 5);
        start = i + 1;
        b64.setLength(0);
      } else if (l.startsWith("-----END ") && l.endsWith("-----")) {
        String endType = l.substring(9, l.length() - 5);
        if (type == null || !type.equals(endType)) {
          throw new CredentialFileException(file, "line " + (i + 1) + ": END " + endType + " without a matching BEGIN");
        }
        byte[] der;
        try {
          der = Base64.getDecoder().decode(b64.toString());
        } catch (IllegalArgumentException e) {
          throw new CredentialFileException(file, "PEM block " + type + " at line " + start + ": invalid base64");
        }
        if (der.length == 0) {
          throw new CredentialFileException(file, "PEM block " + type + " at line " + start + " is empty");
        }
        blocks.add(new PemBlock(type, der, start));
        type = null;
      } else if (type != null) {
        if (l.contains(":")) {
          if (l.startsWith("Proc-Type") || l.startsWith("DEK-Info")) {
            throw new CredentialFileException(file, "PEM block " + type + " at line " + start + " is encrypted (not supported; decrypt it first)");
          }
          continue; // RFC 1421 style header
        }
        if (!l.matches("[A-Za-z0-9+/=]*")) {
          throw new CredentialFileException(file, "line " + (i + 1) + ": not base64 inside the " + type + " block");
        }
        b64.append(l);
      }
    }
    if (type != null) {
      throw new CredentialFileException(file, "PEM block " + type + " at line " + start + " has no END line");
    }
    return blocks;
  }

  private static boolean looksLikePem(byte[] data) {
    String head = new String(data, 0, Math.min(data.length, 4096), StandardCharsets.US_ASCII);
    return head.contains("-----BEGIN ");
  }

  /**
   * Reads certificates, leaf first as they appear: a PEM file with one or more CERTIFICATE blocks
   * or one DER certificate. Each is checked to be a well-formed DER certificate.
   */
  public static List<byte[]> readCertificates(Path file) throws CredentialFileException {
    byte[] data = readBytes(file);
    List<byte[]> certs = new ArrayList<>();
    if (looksLikePem(data)) {
      for (PemBlock b : parsePem(file, data)) {
        if (b.type.equals("CERTIFICATE") || b.type.equals("X509 CERTIFICATE") || b.type.equals("TRUSTED CERTIFICATE")) {
          certs.add(b.content);
        } else if (b.type.contains("PRIVATE KEY")) {
          throw new CredentialFileException(file, "PEM block " + b.type + " at line " + b.line + " found where certificates were expected");
        }
      }
      if (certs.isEmpty()) {
        throw new CredentialFileException(file, "no CERTIFICATE block");
      }
    } else {
      certs.add(data);
    }
    for (int i = 0; i < certs.size(); i++) {
      try {
        X509Credential.parse(certs.get(i));
        PkixValidator.toX509(certs.get(i), "certificate");
      } catch (CredentialException e) {
        throw new CredentialFileException(file, "certificate " + (i + 1) + ": " + e.getMessage());
      }
    }
    return certs;
  }

  /** A certificate (chain) file as a credential: the first certificate is the leaf. */
  public static X509Credential readCertificateCredential(Path file) throws CredentialFileException {
    List<byte[]> chain = readCertificates(file);
    try {
      return X509Credential.parseChain(chain);
    } catch (CredentialException e) {
      throw new CredentialFileException(file, e.getMessage());
    }
  }

  /** A CRL file, PEM (X509 CRL) or DER; returned as DER. */
  public static byte[] readCrl(Path file) throws CredentialFileException {
    byte[] data = readBytes(file);
    byte[] der = data;
    if (looksLikePem(data)) {
      der = null;
      for (PemBlock b : parsePem(file, data)) {
        if (b.type.equals("X509 CRL")) {
          if (der != null) {
            throw new CredentialFileException(file, "more than one X509 CRL block");
          }
          der = b.content;
        }
      }
      if (der == null) {
        throw new CredentialFileException(file, "no X509 CRL block");
      }
    }
    try {
      PkixValidator.builder().crl(der);
    } catch (CredentialException e) {
      throw new CredentialFileException(file, e.getMessage());
    }
    return der;
  }

  /**
   * Reads a private key: PEM PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"), or a COSE_Key
   * with d (-4) in CBOR, binary or hex. The public key is computed and attached.
   */
  public static CosePrivateKey readPrivateKey(Path file) throws CredentialFileException {
    byte[] data = readBytes(file);
    try {
      if (!looksLikePem(data)) {
        return readCosePrivateKey(file, data);
      }
      List<PemBlock> blocks = parsePem(file, data);
      PemBlock key = null;
      for (PemBlock b : blocks) {
        if (b.type.endsWith("PRIVATE KEY")) {
          if (key != null) {
            throw new CredentialFileException(file, "more than one private key block");
          }
          key = b;
        }
      }
      if (key == null) {
        throw new CredentialFileException(file, "no PRIVATE KEY block");
      }
      try {
        switch (key.type) {
          case "PRIVATE KEY":
            return JcaKeys.fromPrivateKeyInfo(PrivateKeyInfo.getInstance(ASN1Sequence.getInstance(key.content)));
          case "EC PRIVATE KEY":
            {
              ECPrivateKey ec = ECPrivateKey.getInstance(ASN1Sequence.getInstance(key.content));
              if (ec.getParametersObject() == null) {
                throw new CredentialFileException(file, "EC PRIVATE KEY without curve parameters");
              }
              AlgorithmIdentifier alg = new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, ec.getParametersObject());
              return JcaKeys.fromPrivateKeyInfo(new PrivateKeyInfo(alg, ec));
            }
          case "ENCRYPTED PRIVATE KEY":
            throw new CredentialFileException(file, "encrypted PKCS#8 keys are not supported; decrypt it first (openssl pkcs8 -in F -out F2)");
          default:
            throw new CredentialFileException(file, "unsupported key block " + key.type + " (use PKCS#8 \"PRIVATE KEY\")");
        }
      } catch (CredentialFileException e) {
        throw e;
      } catch (CredentialException e) {
        throw new CredentialFileException(file, e.getMessage());
      } catch (RuntimeException | IOException e) {
        throw new CredentialFileException(file, "private key structure is malformed (" + e.getClass().getSimpleName() + ")");
      } finally {
        Arrays.fill(key.content, (byte) 0);
      }
    } finally {
      Arrays.fill(data, (byte) 0);
    }
  }

  private static CosePrivateKey readCosePrivateKey(Path file, byte[] data) throws CredentialFileException {
    byte[] cbor = cborOrHex(file, data);
    try {
      Object v = CborReader.decodeSingle(cbor, "COSE_Key");
      if (!(v instanceof Map)) {
        throw new CredentialFileException(file, "not a PEM private key nor a COSE_Key map");
      }
      return CoseKeys.privateKey((Map<?, ?>) v);
    } catch (CborException e) {
      throw new CredentialFileException(file, "COSE_Key: " + e.getMessage());
    } catch (CoseKeys.CoseKeyException e) {
      throw new CredentialFileException(file, e.getMessage());
    } finally {
      Arrays.fill(cbor, (byte) 0);
    }
  }

  /** CBOR bytes of a file holding one CBOR item, in binary or as hex text (white space ignored). */
  public static byte[] readCbor(Path file) throws CredentialFileException {
    return cborOrHex(file, readBytes(file));
  }

  static byte[] cborOrHex(Path file, byte[] data) throws CredentialFileException {
    if (isHexText(data)) {
      try {
        return Hex.decode(new String(data, StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        throw new CredentialFileException(file, "hex: " + e.getMessage());
      }
    }
    return data;
  }

  /** True when the content is hex digits and white space only (a binary CBOR map or array never is). */
  static boolean isHexText(byte[] data) {
    if (data.length == 0) {
      return false;
    }
    boolean digit = false;
    for (byte b : data) {
      char c = (char) (b & 0xff);
      if (Character.digit(c, 16) >= 0 && c < 128) {
        digit = true;
      } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return false;
      }
    }
    return digit;
  }

  /** A CCS file (CBOR binary or hex); CRED_x is the file's CBOR bytes exactly. */
  public static CcsCredential readCcs(Path file) throws CredentialFileException {
    byte[] cbor = readCbor(file);
    try {
      return CcsCredential.parse(cbor);
    } catch (CredentialException e) {
      throw new CredentialFileException(file, e.getMessage());
    }
  }

  /** A public COSE_Key file (CBOR binary or hex). */
  public static CosePublicKey readCosePublicKey(Path file) throws CredentialFileException {
    byte[] cbor = readCbor(file);
    try {
      Object v = CborReader.decodeSingle(cbor, "COSE_Key");
      if (!(v instanceof Map)) {
        throw new CredentialFileException(file, "COSE_Key is not a map");
      }
      return CoseKeys.publicKey((Map<?, ?>) v);
    } catch (CborException e) {
      throw new CredentialFileException(file, "COSE_Key: " + e.getMessage());
    } catch (CoseKeys.CoseKeyException e) {
      throw new CredentialFileException(file, e.getMessage());
    }
  }

  // ---------------------------------------------------------------- writing

  /** PEM text of DER blocks of one type. */
  public static String pem(String type, List<byte[]> ders) {
    StringBuilder sb = new StringBuilder();
    Base64.Encoder enc = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    for (byte[] d : ders) {
      sb.append("-----BEGIN ").append(type).append("-----\n").append(enc.encodeToString(d)).append("\n-----END ").append(type).append("-----\n");
    }
    return sb.toString();
  }

  /** Writes certificates (leaf first) as PEM. */
  public static void writeCertificates(Path file, List<byte[]> ders) throws IOException {
    writePublic(file, pem("CERTIFICATE", ders).getBytes(StandardCharsets.US_ASCII));
  }

  /** Writes a private key as PKCS#8 PEM, readable by the owner only. */
  public static void writePrivateKey(Path file, CosePrivateKey key) throws IOException {
    byte[] der = JcaKeys.toPrivateKeyInfo(key).getEncoded();
    byte[] text = pem("PRIVATE KEY", List.of(der)).getBytes(StandardCharsets.US_ASCII);
    try {
      writeSecret(file, text);
    } finally {
      Arrays.fill(der, (byte) 0);
      Arrays.fill(text, (byte) 0);
    }
  }

  /**
   * A directory for private keys: created rwx------ when missing (with its parents); an existing
   * one that group or others can enter is tightened to rwx------. Returns {@code dir}.
   */
  public static Path ownerOnlyDirectory(Path dir) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(dir)) {
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (posix) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectory(dir);
      }
    }
    if (posix) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
    return dir;
  }

  /** Writes CBOR bytes (a CCS, a public COSE_Key) in binary. */
  public static void writeCbor(Path file, byte[] cbor) throws IOException {
    writePublic(file, cbor);
  }

  /** Writes a file that holds no secret (mode per umask). */
  public static void writePublic(Path file, byte[] content) throws IOException {
    write(file, content, false);
  }

  /** Writes a secret: created rw------- (on POSIX file systems) before any byte is written. */
  public static void writeSecret(Path file, byte[] content) throws IOException {
    write(file, content, true);
  }

  private static void write(Path file, byte[] content, boolean secret) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    Path tmp =
        secret && posix
            ? Files.createTempFile(dir, ".tmp-", ".part", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
            : Files.createTempFile(dir, ".tmp-", ".part");
    try {
      if (secret && !posix) {
        java.io.File f = tmp.toFile();
        f.setReadable(false, false);
        f.setWritable(false, false);
        f.setReadable(true, true);
        f.setWritable(true, true);
      }
      Files.write(tmp, content);
      if (!secret && posix) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** True when a file's POSIX permissions give group or others any access (false where unknown). */
  public static boolean isReadableByOthers(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)
          || p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
