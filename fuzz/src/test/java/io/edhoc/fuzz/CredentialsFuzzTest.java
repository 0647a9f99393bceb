package io.edhoc.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CoseKeys.CoseKeyException;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.CredentialFiles;
import io.edhoc.credentials.CredentialsConfig;
import io.edhoc.credentials.X509Credential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Credential parsing and loading: a CCS, a COSE_Key (public and private), an X.509 certificate,
 * and every credential file reader (PEM/DER certificates, private key in PEM/COSE/hex, CCS, COSE
 * public key, CRL, and a whole credentials configuration file). Documented outcome: a credential,
 * or a CredentialException / CoseKeyException / CborException.
 */
class CredentialsFuzzTest {
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("edhoc-fuzz-credentials");
      DIR.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  void ccs(byte[] data) {
    try {
      CcsCredential c = CcsCredential.parse(data);
      if (c.publicKey() == null) {
        throw new AssertionError("a parsed CCS has no public key");
      }
    } catch (CredentialException e) {
      // documented
    }
  }

  @FuzzTest
  void coseKey(byte[] data) {
    Object v;
    try {
      v = CborReader.decodeSingle(data, "COSE_Key");
    } catch (CborException e) {
      return;
    }
    if (!(v instanceof Map<?, ?> m)) {
      return;
    }
    try {
      CoseKeys.publicKey(m);
    } catch (CoseKeyException e) {
      // documented
    }
    try {
      CoseKeys.privateKey(m);
    } catch (CoseKeyException e) {
      // documented
    }
  }

  @FuzzTest
  void certificate(byte[] data) {
    try {
      X509Credential.parse(data);
    } catch (CredentialException e) {
      // documented
    }
  }

  /** The first byte picks the reader; the rest is the file's content. */
  @FuzzTest
  void credentialFile(FuzzedDataProvider in) throws IOException {
    int kind = in.consumeInt(0, 6);
    byte[] content = in.consumeRemainingAsBytes();
    Path file = DIR.resolve(kind == 6 ? "credentials.yaml" : "credential");
    Files.write(file, content);
    try {
      switch (kind) {
        case 0 -> CredentialFiles.readCertificates(file);
        case 1 -> CredentialFiles.readPrivateKey(file);
        case 2 -> CredentialFiles.readCcs(file);
        case 3 -> CredentialFiles.readCosePublicKey(file);
        case 4 -> CredentialFiles.readCrl(file);
        case 5 -> CredentialFiles.readCertificateCredential(file);
        default -> CredentialsConfig.load(file);
      }
    } catch (CredentialException e) {
      // documented
    }
  }
}
