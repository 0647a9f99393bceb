package io.edhoc.service.config;

/** A configuration problem: the key it concerns (dotted path, empty for the whole file) and what is wrong. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String key;

  public ConfigException(String key, String problem) {
    super(key == null || key.isEmpty() ? "configuration: " + problem : "configuration key " + key + ": " + problem);
    this.key = key == null ? "" : key;
  }

  public String key() {
    return key;
  }
}
