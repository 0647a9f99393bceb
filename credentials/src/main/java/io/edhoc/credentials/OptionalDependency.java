package io.edhoc.credentials;

/**
 * The module's optional dependencies (Jackson for configuration files, bcpkix for issuing
 * certificates, picocli for the keygen command line): a clear error instead of a
 * NoClassDefFoundError when a feature that needs one is used without it.
 */
final class OptionalDependency {
  private OptionalDependency() {}

  /** Throws {@link IllegalStateException} naming {@code artifact} when {@code className} cannot be loaded. */
  static void require(String className, String artifact, String feature) {
    try {
      Class.forName(className, false, OptionalDependency.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(feature + " needs " + artifact
          + " on the class path (an optional dependency of io.edhoc:edhoc-credentials: declare it, version from io.edhoc:edhoc-bom)");
    }
  }
}
