package io.edhoc;

/** Entry point: a new Initiator or Responder for one handshake. */
public final class Edhoc {
  private Edhoc() {}

  /** An Initiator using the configuration's first method and most preferred suite. */
  public static Initiator initiator(EdhocConfig config) {
    return Initiator.create(config);
  }

  /** An Initiator with an explicit method (must be one of the configuration's). */
  public static Initiator initiator(EdhocConfig config, Method method) {
    if (!config.methods().contains(method)) {
      throw new IllegalArgumentException(method + " is not enabled in the configuration");
    }
    return new Initiator(config, method, java.util.List.of(config.suites().get(0)));
  }

  /**
   * A method 4 Initiator presenting the given PSK entry (e.g. the current resumption PSK, {@link
   * Resumption#current()}); {@link Method#PSK} must be enabled in the configuration.
   */
  public static Initiator initiator(EdhocConfig config, io.edhoc.credentials.PskCredential psk) {
    Initiator i = initiator(config, Method.PSK);
    i.psk = java.util.Objects.requireNonNull(psk, "psk");
    return i;
  }

  public static Responder responder(EdhocConfig config) {
    return new Responder(config);
  }
}
