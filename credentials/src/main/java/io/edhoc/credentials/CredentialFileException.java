package io.edhoc.credentials;

import java.nio.file.Path;

/**
 * A credential, key, certificate or configuration file could not be loaded. The message names
 * the file and the problem (never key material); reason is MALFORMED for content errors.
 */
public class CredentialFileException extends CredentialException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  public CredentialFileException(Path file, String problem) {
    super(Reason.MALFORMED, file + ": " + problem);
    this.file = file;
  }

  public CredentialFileException(Path file, String problem, Throwable cause) {
    super(Reason.MALFORMED, file + ": " + problem, cause);
    this.file = file;
  }

  /** The file that failed. */
  public Path file() {
    return file;
  }
}
