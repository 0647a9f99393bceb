package io.edhoc.credentials;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.edhoc.cose.CoseLabels;
import io.edhoc.cose.CosePrivateKey;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The Jackson side of {@link CredentialsConfig}: parses the YAML/JSON tree and builds the result.
 * Kept apart so that only this class links against Jackson, an optional dependency of the module.
 */
final class CredentialsConfigReader {
  private static final Logger LOG = LoggerFactory.getLogger("io.edhoc.credentials");
  private static final Set<String> TOP = Set.of("own", "peers", "psk", "trust_anchors", "intermediates", "crls", "tofu", "require_key_usage");

  private CredentialsConfigReader() {}

  /** Parses and loads; Jackson must be present (checked by {@link CredentialsConfig#load(Path, Clock)}). */
  static CredentialsConfig.Loaded read(Path configFile, Clock clock) throws CredentialFileException {
    byte[] text = CredentialFiles.readBytes(configFile);
    ObjectMapper mapper = configFile.toString().endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() != null ? "line " + e.getLocation().getLineNr() + ": " : "";
      throw new CredentialFileException(configFile, where + "not valid " + (mapper.getFactory() instanceof YAMLFactory ? "YAML" : "JSON") + " (" + e.getOriginalMessage() + ")");
    } catch (IOException e) {
      throw new CredentialFileException(configFile, "cannot parse: " + e.getClass().getSimpleName());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new CredentialFileException(configFile, "empty configuration");
    }
    if (!root.isObject()) {
      throw new CredentialFileException(configFile, "top level must be a map");
    }
    List<OwnCredential> own = new ArrayList<>();
    List<PskCredential> psks = new ArrayList<>();
    try {
      return build(configFile, root, clock, own, psks);
    } catch (CredentialFileException | RuntimeException e) {
      // nothing half-loaded: wipe what was read before the failure
      for (OwnCredential o : own) {
        o.privateKey().destroy();
      }
      for (PskCredential p : psks) {
        p.destroy();
      }
      throw e;
    }
  }

  private static CredentialsConfig.Loaded build(Path configFile, JsonNode root, Clock clock, List<OwnCredential> own, List<PskCredential> psks)
      throws CredentialFileException {
    Ctx c = new Ctx(configFile);
    c.checkKeys(root, TOP, "top level");
    Path base = configFile.toAbsolutePath().getParent();

    // trust material
    PkixValidator.Builder pkix = PkixValidator.builder().clock(clock);
    for (Path p : c.paths(root, "trust_anchors", base)) {
      for (byte[] der : CredentialFiles.readCertificates(p)) {
        try {
          pkix.trustAnchor(der);
        } catch (CredentialException e) {
          throw new CredentialFileException(p, e.getMessage());
        }
      }
    }
    for (Path p : c.paths(root, "intermediates", base)) {
      for (byte[] der : CredentialFiles.readCertificates(p)) {
        try {
          pkix.intermediate(der);
        } catch (CredentialException e) {
          throw new CredentialFileException(p, e.getMessage());
        }
      }
    }
    for (Path p : c.paths(root, "crls", base)) {
      byte[] der = CredentialFiles.readCrl(p);
      try {
        pkix.crl(der);
      } catch (CredentialException e) {
        throw new CredentialFileException(p, e.getMessage());
      }
    }
    boolean requireKu = c.bool(root, "require_key_usage", false, "top level");
    pkix.requireKeyUsage(requireKu);

    // own credentials
    int i = 0;
    for (JsonNode n : c.list(root, "own")) {
      String where = "own[" + i++ + "]";
      c.checkKeys(n, Set.of("name", "ccs", "certificate", "key", "send", "x5t"), where);
      Credential cred = c.credential(n, base, where);
      Path keyFile = c.path(n, "key", base, where, true);
      if (CredentialFiles.isReadableByOthers(keyFile)) {
        LOG.warn("{}: private key file is accessible by group or others (chmod 600 it)", keyFile);
      }
      CosePrivateKey key = CredentialFiles.readPrivateKey(keyFile);
      if (key.publicKey() == null || !key.publicKey().equals(cred.publicKey())) {
        key.destroy();
        throw new CredentialFileException(keyFile, "private key does not match the public key of " + cred.describe());
      }
      if (cred instanceof X509Credential && n.has("x5t")) {
        String alg = n.get("x5t").asText();
        long a = alg.equals("sha-256/64") || alg.equals("-15") ? CoseLabels.ALG_SHA256_64 : alg.equals("sha-256") || alg.equals("-16") ? CoseLabels.ALG_SHA256 : 0;
        if (a == 0) {
          throw new CredentialFileException(configFile, where + ": x5t must be sha-256/64 or sha-256");
        }
        cred = ((X509Credential) cred).withX5tAlgorithm(a);
      }
      String send = n.has("send") ? n.get("send").asText() : "reference";
      OwnCredential oc;
      if (send.equals("reference")) {
        if (cred.byReference() == null) {
          throw new CredentialFileException(configFile, where + ": " + cred.describe() + " has no kid, so it cannot be sent by reference");
        }
        oc = OwnCredential.byReference(cred, key);
      } else if (send.equals("value")) {
        oc = OwnCredential.byValue(cred, key);
      } else {
        throw new CredentialFileException(configFile, where + ": send must be reference or value, not " + send);
      }
      own.add(oc);
    }

    // peers
    List<Credential> pinned = new ArrayList<>();
    List<List<byte[]>> chains = new ArrayList<>();
    i = 0;
    for (JsonNode n : c.list(root, "peers")) {
      String where = "peers[" + i++ + "]";
      c.checkKeys(n, Set.of("name", "ccs", "certificate", "trust"), where);
      String trust = n.has("trust") ? n.get("trust").asText() : "pinned";
      Credential cred = c.credential(n, base, where);
      if (trust.equals("pinned")) {
        pinned.add(cred);
      } else if (trust.equals("pkix") && cred instanceof X509Credential) {
        chains.add(((X509Credential) cred).chain());
      } else {
        throw new CredentialFileException(configFile, where + ": trust must be pinned" + (cred instanceof X509Credential ? " or pkix" : "") + ", not " + trust);
      }
    }

    // PSKs
    i = 0;
    for (JsonNode n : c.list(root, "psk")) {
      String where = "psk[" + i++ + "]";
      c.checkKeys(n, Set.of("name", "cred_i", "cred_r"), where);
      Path fi = c.path(n, "cred_i", base, where, true);
      Path fr = c.path(n, "cred_r", base, where, true);
      byte[] ci = CredentialFiles.readCbor(fi);
      byte[] cr = CredentialFiles.readCbor(fr);
      try {
        psks.add(PskCredential.fromCcs(ci, cr));
      } catch (CredentialException e) {
        throw new CredentialFileException(fi, "with " + fr.getFileName() + ": " + e.getMessage());
      } finally {
        java.util.Arrays.fill(ci, (byte) 0);
        java.util.Arrays.fill(cr, (byte) 0);
      }
    }

    // TOFU
    boolean tofu = false;
    Path tofuDir = null;
    JsonNode t = root.get("tofu");
    if (t != null && !t.isNull()) {
      if (!t.isObject()) {
        throw new CredentialFileException(configFile, "tofu must be a map {enabled, directory}");
      }
      c.checkKeys(t, Set.of("enabled", "directory"), "tofu");
      tofu = c.bool(t, "enabled", false, "tofu");
      if (t.has("directory")) {
        tofuDir = base.resolve(t.get("directory").asText());
        if (Files.isDirectory(tofuDir)) {
          try (DirectoryStream<Path> ds = Files.newDirectoryStream(tofuDir, "*.ccs")) {
            List<Path> files = new ArrayList<>();
            ds.forEach(files::add);
            files.sort(null);
            for (Path p : files) {
              pinned.add(CredentialFiles.readCcs(p));
            }
          } catch (IOException e) {
            throw new CredentialFileException(tofuDir, "cannot list: " + e.getClass().getSimpleName());
          }
        }
      }
    }

    // everything read: build
    PeerStore store = PeerStore.builder().clock(clock).pkix(pkix.build()).trustOnFirstUse(tofu).tofuDirectory(tofuDir).requireKeyUsage(requireKu).build();
    for (Credential p : pinned) {
      store.pin(p);
    }
    for (List<byte[]> ch : chains) {
      try {
        store.addChain(ch);
      } catch (CredentialException e) {
        throw new CredentialFileException(configFile, e.getMessage());
      }
    }
    for (PskCredential p : psks) {
      store.addPsk(p);
    }
    return new CredentialsConfig.Loaded(own, store, psks);
  }

  /** Helpers bound to the configuration file for error messages. */
  private static final class Ctx {
    final Path file;

    Ctx(Path file) {
      this.file = file;
    }

    void checkKeys(JsonNode n, Set<String> allowed, String where) throws CredentialFileException {
      if (!n.isObject()) {
        throw new CredentialFileException(file, where + " must be a map");
      }
      Iterator<String> it = n.fieldNames();
      while (it.hasNext()) {
        String k = it.next();
        if (!allowed.contains(k)) {
          throw new CredentialFileException(file, where + ": unknown key '" + k + "' (expected one of " + new java.util.TreeSet<>(allowed) + ")");
        }
      }
    }

    List<JsonNode> list(JsonNode root, String key) throws CredentialFileException {
      JsonNode n = root.get(key);
      List<JsonNode> r = new ArrayList<>();
      if (n == null || n.isNull()) {
        return r;
      }
      if (!n.isArray()) {
        throw new CredentialFileException(file, key + " must be a list");
      }
      n.forEach(r::add);
      return r;
    }

    List<Path> paths(JsonNode root, String key, Path base) throws CredentialFileException {
      List<Path> r = new ArrayList<>();
      for (JsonNode n : list(root, key)) {
        if (!n.isTextual()) {
          throw new CredentialFileException(file, key + " must list file names");
        }
        r.add(base.resolve(n.asText()));
      }
      return r;
    }

    Path path(JsonNode n, String key, Path base, String where, boolean required) throws CredentialFileException {
      JsonNode v = n.get(key);
      if (v == null || v.isNull()) {
        if (required) {
          throw new CredentialFileException(file, where + ": missing '" + key + "'");
        }
        return null;
      }
      if (!v.isTextual()) {
        throw new CredentialFileException(file, where + ": '" + key + "' must be a file name");
      }
      return base.resolve(v.asText());
    }

    boolean bool(JsonNode n, String key, boolean dflt, String where) throws CredentialFileException {
      JsonNode v = n.get(key);
      if (v == null || v.isNull()) {
        return dflt;
      }
      if (!v.isBoolean()) {
        throw new CredentialFileException(file, where + ": '" + key + "' must be true or false");
      }
      return v.asBoolean();
    }

    Credential credential(JsonNode n, Path base, String where) throws CredentialFileException {
      Path ccs = path(n, "ccs", base, where, false);
      Path cert = path(n, "certificate", base, where, false);
      if ((ccs == null) == (cert == null)) {
        throw new CredentialFileException(file, where + ": give exactly one of 'ccs' and 'certificate'");
      }
      return ccs != null ? CredentialFiles.readCcs(ccs) : CredentialFiles.readCertificateCredential(cert);
    }
  }
}
