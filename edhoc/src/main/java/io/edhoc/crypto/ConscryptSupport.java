package io.edhoc.crypto;

import java.security.Provider;

/**
 * Whether Conscrypt (BoringSSL) can be used here, probed once. Nothing outside the nested {@link
 * Loader} and the {@code Conscrypt*} classes names an {@code org.conscrypt} type, so the core
 * loads and runs (on Bouncy Castle) when the Conscrypt jar is excluded or its native library does
 * not load on this platform.
 */
final class ConscryptSupport {
  /** The outcome of the probe: a provider object (never installed globally) or why there is none. */
  static final class Status {
    final Provider provider;
    final String version;
    final String problem;

    private Status(Provider provider, String version, String problem) {
      this.provider = provider;
      this.version = version;
      this.problem = problem;
    }

    static Status available(Provider provider, String version) {
      return new Status(provider, version, null);
    }

    static Status unavailable(String problem) {
      return new Status(null, null, problem);
    }

    boolean isAvailable() {
      return provider != null;
    }

    /** Offers the provider this JCA service (type, algorithm or alias)? */
    boolean offers(String type, String algorithm) {
      return provider != null && provider.getService(type, algorithm) != null;
    }
  }

  private ConscryptSupport() {}

  private static final class Holder {
    static final Status STATUS = probe();
  }

  static Status status() {
    return Holder.STATUS;
  }

  private static Status probe() {
    try {
      Class.forName("org.conscrypt.Conscrypt", false, ConscryptSupport.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return Status.unavailable("org.conscrypt is not on the class path");
    }
    try {
      return Loader.load();
    } catch (LinkageError | RuntimeException e) {
      return Status.unavailable(e.toString());
    }
  }

  /** The only place that touches Conscrypt's own API; loaded only once its classes are known to be present. */
  private static final class Loader {
    static Status load() {
      if (!org.conscrypt.Conscrypt.isAvailable()) {
        String why;
        try {
          org.conscrypt.Conscrypt.checkAvailability();
          why = "native library did not load";
        } catch (Throwable t) { // checkAvailability rethrows the UnsatisfiedLinkError of the native load
          Throwable c = t.getCause() != null ? t.getCause() : t;
          why = "native library did not load: " + c;
        }
        return Status.unavailable(why);
      }
      org.conscrypt.Conscrypt.Version v = org.conscrypt.Conscrypt.version();
      // a provider object of our own, passed to each getInstance: never inserted into the JVM's list
      return Status.available(org.conscrypt.Conscrypt.newProvider(), v.major() + "." + v.minor() + "." + v.patch());
    }
  }
}
