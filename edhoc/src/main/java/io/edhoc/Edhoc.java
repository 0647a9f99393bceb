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

  public static Responder responder(EdhocConfig config) {
    return new Responder(config);
  }
}
