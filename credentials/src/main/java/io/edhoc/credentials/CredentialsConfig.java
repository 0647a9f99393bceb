package io.edhoc.credentials;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Loads one credentials configuration file (YAML, or JSON for a {@code .json} file) that lists
 * own credentials, trusted peers, PSKs, trust anchors, intermediates, CRLs and the TOFU policy;
 * file paths in it are relative to the configuration file. The format is documented in
 * docs/credentials.md.
 *
 * <p>Loading is all-or-nothing: every file is read and checked first and the result is built only
 * when all succeeded; the first problem is a {@link CredentialFileException} naming the file (the
 * configuration file itself, with the entry, for configuration errors) and the problem.
 */
public final class CredentialsConfig {

  private CredentialsConfig() {}

  /** What a configuration file yields. */
  public static final class Loaded {
    private final List<OwnCredential> own;
    private final PeerStore peers;
    private final List<PskCredential> psks;

    Loaded(List<OwnCredential> own, PeerStore peers, List<PskCredential> psks) {
      this.own = List.copyOf(own);
      this.peers = peers;
      this.psks = List.copyOf(psks);
    }

    /** Own credentials in file order (the EDHOC core picks one per method and suite). */
    public List<OwnCredential> own() {
      return own;
    }

    /** The resolver for peers' ID_CRED_x and ID_CRED_PSK. */
    public PeerStore peers() {
      return peers;
    }

    /** PSK entries (an initiator uses them as its own; the store resolves them for a responder). */
    public List<PskCredential> psks() {
      return psks;
    }

    @Override
    public String toString() {
      return "CredentialsConfig.Loaded[own=" + own + ", peers=" + peers + ", psks=" + psks.size() + "]";
    }
  }

  public static Loaded load(Path configFile) throws CredentialFileException {
    return load(configFile, Clock.systemUTC());
  }

  /**
   * Loads with a clock for the store (exp/nbf, certificate validity, CRLs). Needs Jackson
   * ({@code jackson-databind}, and {@code jackson-dataformat-yaml} for YAML): optional dependencies
   * of this module; without them this fails with an {@link IllegalStateException} naming them.
   */
  public static Loaded load(Path configFile, Clock clock) throws CredentialFileException {
    boolean json = configFile.toString().endsWith(".json");
    OptionalDependency.require("com.fasterxml.jackson.databind.ObjectMapper", "com.fasterxml.jackson.core:jackson-databind",
        "reading a credentials configuration file");
    if (!json) {
      OptionalDependency.require("com.fasterxml.jackson.dataformat.yaml.YAMLFactory", "com.fasterxml.jackson.dataformat:jackson-dataformat-yaml",
          "reading a YAML credentials configuration file");
    }
    return CredentialsConfigReader.read(configFile, clock);
  }
}
