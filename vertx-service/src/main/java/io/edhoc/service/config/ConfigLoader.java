package io.edhoc.service.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.edhoc.CipherSuite;
import io.edhoc.Method;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the configuration: defaults, then the file (YAML, or JSON by a .json name), then
 * environment variables, then validation. Every problem is a {@link ConfigException} naming the
 * key ({@code http.port}) and what is wrong with it.
 *
 * <p>Environment variables: {@code EDHOC_} + the key path in upper snake case, e.g.
 * {@code EDHOC_HTTP_PORT} for {@code http.port}, {@code EDHOC_LIMITS_MAX_HALF_OPEN} for
 * {@code limits.maxHalfOpen}, {@code EDHOC_EDHOC_SUITES=2,0} for a list (comma-separated).
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "EDHOC_";
  private static final long MAX_FILE = 1 << 20;

  private ConfigLoader() {}

  /** Loads from an optional file and the process environment. */
  public static ServiceConfig load(Path file) throws ConfigException {
    return load(file, System.getenv());
  }

  public static ServiceConfig load(Path file, Map<String, String> env) throws ConfigException {
    ObjectMapper mapper = mapper(file != null && file.toString().toLowerCase(Locale.ROOT).endsWith(".json"));
    ObjectNode tree = mapper.valueToTree(new ServiceConfig());
    if (file != null) {
      JsonNode fromFile = readFile(mapper, file);
      merge(tree, fromFile, "");
      resolvePaths(tree, fromFile, file);
    }
    applyEnv(tree, env);
    ServiceConfig cfg;
    try {
      cfg = mapper.treeToValue(tree, ServiceConfig.class);
    } catch (JsonMappingException e) {
      throw new ConfigException(path(e), problem(e));
    } catch (JsonProcessingException e) {
      throw new ConfigException("", e.getOriginalMessage());
    }
    validate(cfg);
    return cfg;
  }

  /** Configuration keys that name files or directories. */
  static final List<String> PATH_KEYS = List.of("credentials.config", "credentials.directory", "credentials.devDirectory",
      "cluster.stateKeyFile");

  /**
   * A relative path in the file resolves against the file's directory (systemd starts services in
   * /, a container wherever its WORKDIR is): the result is absolute. Paths from the environment
   * and the built-in defaults (devDirectory {@code .edhoc-dev}) stay relative to the working
   * directory.
   */
  private static void resolvePaths(ObjectNode tree, JsonNode fromFile, Path file) throws ConfigException {
    Path base = file.toAbsolutePath().normalize().getParent();
    for (String key : PATH_KEYS) {
      String[] k = key.split("\\.");
      JsonNode v = fromFile.path(k[0]).path(k[1]);
      if (!v.isTextual() || v.asText().isEmpty()) {
        continue;
      }
      Path p;
      try {
        p = Path.of(v.asText());
      } catch (java.nio.file.InvalidPathException e) {
        throw new ConfigException(key, "not a valid path: " + e.getMessage());
      }
      if (!p.isAbsolute()) {
        ((ObjectNode) tree.get(k[0])).put(k[1], base.resolve(p).normalize().toString());
      }
    }
  }

  /** Parses a configuration text (YAML or JSON) without the environment; for tests and checks. */
  public static ServiceConfig parse(String text) throws ConfigException {
    ObjectMapper mapper = mapper(false);
    ObjectNode tree = mapper.valueToTree(new ServiceConfig());
    try {
      merge(tree, mapper.readTree(text), "");
      ServiceConfig cfg = mapper.treeToValue(tree, ServiceConfig.class);
      validate(cfg);
      return cfg;
    } catch (JsonMappingException e) {
      throw new ConfigException(path(e), problem(e));
    } catch (JsonProcessingException e) {
      throw new ConfigException("", "not valid YAML/JSON: " + e.getOriginalMessage());
    }
  }

  static ObjectMapper mapper(boolean json) {
    ObjectMapper m = json ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    m.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    return m;
  }

  private static JsonNode readFile(ObjectMapper mapper, Path file) throws ConfigException {
    try {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("", "configuration file " + file + " does not exist");
      }
      if (Files.size(file) > MAX_FILE) {
        throw new ConfigException("", "configuration file " + file + " is larger than 1 MiB");
      }
      JsonNode n = mapper.readTree(file.toFile());
      if (n == null || n.isMissingNode() || n.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!n.isObject()) {
        throw new ConfigException("", "configuration file " + file + " must hold a map at the top level");
      }
      return n;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
      throw new ConfigException("", "configuration file " + file + " is not valid YAML/JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("", "cannot read configuration file " + file + ": " + e.getMessage());
    }
  }

  /** Overlays {@code src} on {@code dst}: objects merge key by key, anything else replaces. */
  private static void merge(ObjectNode dst, JsonNode src, String prefix) throws ConfigException {
    if (!src.isObject()) {
      throw new ConfigException(prefix.isEmpty() ? "" : prefix, "must be a map");
    }
    Iterator<Map.Entry<String, JsonNode>> it = src.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode existing = dst.get(e.getKey());
      if (existing == null) {
        throw new ConfigException(key, "unknown key");
      }
      if (existing.isObject()) {
        if (!e.getValue().isObject()) {
          throw new ConfigException(key, "must be a map");
        }
        merge((ObjectNode) existing, e.getValue(), key);
      } else {
        dst.set(e.getKey(), e.getValue());
      }
    }
  }

  /** Every leaf key path of the default configuration and its environment variable name. */
  public static Map<String, String> environmentNames() {
    ObjectNode tree = mapper(true).valueToTree(new ServiceConfig());
    Map<String, String> out = new TreeMap<>();
    collect(tree, "", out);
    return out;
  }

  private static void collect(ObjectNode node, String prefix, Map<String, String> out) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().isObject()) {
        collect((ObjectNode) e.getValue(), key, out);
      } else {
        out.put(key, envName(key));
      }
    }
  }

  static String envName(String keyPath) {
    StringBuilder b = new StringBuilder(ENV_PREFIX);
    for (char c : keyPath.toCharArray()) {
      if (c == '.') {
        b.append('_');
      } else if (Character.isUpperCase(c)) {
        b.append('_').append(c);
      } else {
        b.append(Character.toUpperCase(c));
      }
    }
    return b.toString();
  }

  private static void applyEnv(ObjectNode tree, Map<String, String> env) throws ConfigException {
    for (Map.Entry<String, String> e : environmentNames().entrySet()) {
      String value = env.get(e.getValue());
      if (value == null) {
        continue;
      }
      String[] parts = e.getKey().split("\\.");
      ObjectNode parent = tree;
      for (int i = 0; i < parts.length - 1; i++) {
        parent = (ObjectNode) parent.get(parts[i]);
      }
      String leaf = parts[parts.length - 1];
      JsonNode current = parent.get(leaf);
      if (current.isArray()) {
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (String item : value.split(",")) {
          if (!item.isBlank()) {
            arr.add(item.trim());
          }
        }
        parent.set(leaf, arr);
      } else {
        parent.set(leaf, TextNode.valueOf(value.trim()));
      }
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  private static String problem(JsonMappingException e) {
    if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException) {
      return "unknown key";
    }
    if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
      return "cannot read '" + f.getValue() + "' as " + f.getTargetType().getSimpleName().toLowerCase(Locale.ROOT);
    }
    if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m && m.getTargetType() != null) {
      return "wrong type, expected " + describe(m.getTargetType());
    }
    return e.getOriginalMessage();
  }

  private static String describe(Class<?> t) {
    if (t == int.class || t == Integer.class || t == long.class) {
      return "an integer";
    }
    if (t == double.class) {
      return "a number";
    }
    if (t == boolean.class) {
      return "true or false";
    }
    if (t == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(t)) {
      return "a list";
    }
    return "a map";
  }

  /** Range and consistency checks; the first problem found is thrown. */
  public static void validate(ServiceConfig c) throws ConfigException {
    nonBlank("http.host", c.http.host);
    port("http.port", c.http.port);
    nonBlank("coap.host", c.coap.host);
    port("coap.port", c.coap.port);
    if (c.coap.helloResource == null || !c.coap.helloResource.matches("[A-Za-z0-9._~-]*")) {
      throw new ConfigException("coap.helloResource", "must be one path segment of letters, digits, '.', '_', '~', '-' (or empty)");
    }
    range("coap.echoWindowSeconds", c.coap.echoWindowSeconds, 1, 300);
    range("coap.receiverThreads", c.coap.receiverThreads, 1, 16);
    String echo = c.coap.echoReachability == null ? "" : c.coap.echoReachability.trim().toLowerCase(java.util.Locale.ROOT);
    switch (echo) {
      case "true", "on" -> c.coap.echoReachability = "on";
      case "false", "off" -> c.coap.echoReachability = "off";
      case "auto" -> c.coap.echoReachability = "auto";
      default -> throw new ConfigException("coap.echoReachability", "must be off, on or auto, got '" + c.coap.echoReachability + "'");
    }
    if (!(c.coap.echoAutoThreshold > 0) || c.coap.echoAutoThreshold > 1) {
      throw new ConfigException("coap.echoAutoThreshold", "must be a fraction above 0 and at most 1");
    }
    nonBlank("admin.host", c.admin.host);
    port("admin.port", c.admin.port);
    if (!c.http.enabled && !c.coap.enabled) {
      throw new ConfigException("http.enabled", "at least one transport (http or coap) must be enabled");
    }
    if (c.credentials.directory == null) {
      c.credentials.directory = "";
    }
    if (c.credentials.config == null) {
      c.credentials.config = "";
    }
    if (!c.credentials.directory.isEmpty() && !c.credentials.config.isEmpty()) {
      throw new ConfigException("credentials.directory", "give either credentials.directory or credentials.config, not both");
    }
    nonBlank("credentials.devDirectory", c.credentials.devDirectory);

    if (c.edhoc.suites == null || c.edhoc.suites.isEmpty()) {
      throw new ConfigException("edhoc.suites", "must list at least one cipher suite");
    }
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < c.edhoc.suites.size(); i++) {
      Integer s = c.edhoc.suites.get(i);
      if (s == null || CipherSuite.fromId(s) == null) {
        throw new ConfigException("edhoc.suites[" + i + "]", "unknown cipher suite " + s);
      }
      if (seen.contains(s)) {
        throw new ConfigException("edhoc.suites[" + i + "]", "suite " + s + " listed twice");
      }
      seen.add(s);
    }
    if (c.edhoc.methods == null || c.edhoc.methods.isEmpty()) {
      throw new ConfigException("edhoc.methods", "must list at least one method");
    }
    for (int i = 0; i < c.edhoc.methods.size(); i++) {
      Integer m = c.edhoc.methods.get(i);
      if (m == null || Method.fromId(m) == null) {
        throw new ConfigException("edhoc.methods[" + i + "]", "unknown method " + m + " (0 to 4)");
      }
      if (m == 4 && !c.edhoc.enableMethod4) {
        throw new ConfigException("edhoc.methods[" + i + "]", "method 4 (PSK) needs edhoc.enableMethod4: true");
      }
    }
    for (int i = 0; i < c.edhoc.ead.acceptLabels.size(); i++) {
      Integer l = c.edhoc.ead.acceptLabels.get(i);
      if (l == null || l <= 0 || l > 65535) {
        throw new ConfigException("edhoc.ead.acceptLabels[" + i + "]", "must be a label between 1 and 65535");
      }
    }
    range("edhoc.ead.padding2", c.edhoc.ead.padding2, 0, 256);

    range("limits.maxBodyBytes", c.limits.maxBodyBytes, 64, 65536);
    range("limits.maxHalfOpen", c.limits.maxHalfOpen, 1, 10_000_000);
    range("limits.halfOpenTtlSeconds", c.limits.halfOpenTtlSeconds, 1, 3600);
    if (!(c.limits.ratePerSourcePerSecond >= 0) || c.limits.ratePerSourcePerSecond > 1_000_000) {
      throw new ConfigException("limits.ratePerSourcePerSecond", "must be between 0 (off) and 1000000");
    }
    range("limits.rateBurst", c.limits.rateBurst, 1, 1_000_000);
    range("limits.rateTrackedSources", c.limits.rateTrackedSources, 1, 10_000_000);
    range("limits.maxOscoreContexts", c.limits.maxOscoreContexts, 1, 10_000_000);
    range("limits.engineWorkers", c.limits.engineWorkers, 0, 1024);
    range("limits.engineQueuePerWorker", c.limits.engineQueuePerWorker, 1, 100_000);
    range("limits.shedRetryAfterSeconds", c.limits.shedRetryAfterSeconds, 0, 3600);

    try {
      io.edhoc.crypto.CryptoChoice.parse(c.crypto.provider);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("crypto.provider", "must be auto, conscrypt or bouncycastle, not '" + c.crypto.provider + "'");
    }
    nonBlank("cluster.host", c.cluster.host);
    port("cluster.port", c.cluster.port);
    range("cluster.portAutoIncrement", c.cluster.portAutoIncrement, 0, 100);
    range("cluster.backupCount", c.cluster.backupCount, 0, 6);
    nonBlank("cluster.clusterName", c.cluster.clusterName);
    if (c.cluster.members == null || c.cluster.members.isEmpty()) {
      throw new ConfigException("cluster.members", "must list at least one member (host or host:port)");
    }
    for (int i = 0; i < c.cluster.members.size(); i++) {
      String m = c.cluster.members.get(i);
      if (m == null || !m.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
        throw new ConfigException("cluster.members[" + i + "]", "must be host or host:port, got '" + m + "'");
      }
    }
    if (c.cluster.stateKey != null && !c.cluster.stateKey.isEmpty() && !c.cluster.stateKey.matches("[0-9a-fA-F]{64}")) {
      throw new ConfigException("cluster.stateKey", "must be 64 hex digits (an AES-256 key), or empty");
    }
    if (c.oscore.store == null || !List.of("memory", "file", "cluster").contains(c.oscore.store)) {
      throw new ConfigException("oscore.store", "must be memory, file or cluster, got '" + c.oscore.store + "'");
    }
    range("oscore.ssnStep", c.oscore.ssnStep, 1, 1_000_000);
    if (c.oscore.store.equals("file")) {
      nonBlank("oscore.file.directory", c.oscore.file.directory);
    }
    if (c.oscore.file.key != null && !c.oscore.file.key.isEmpty() && !c.oscore.file.key.matches("[0-9a-fA-F]{64}")) {
      throw new ConfigException("oscore.file.key", "must be 64 hex digits (an AES-256 key), or empty");
    }
  }

  private static void nonBlank(String key, String v) throws ConfigException {
    if (v == null || v.isBlank()) {
      throw new ConfigException(key, "must not be empty");
    }
  }

  private static void port(String key, int v) throws ConfigException {
    range(key, v, 0, 65535);
  }

  private static void range(String key, int v, int min, int max) throws ConfigException {
    if (v < min || v > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + v);
    }
  }
}
