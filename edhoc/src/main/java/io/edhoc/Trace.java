package io.edhoc;

/**
 * Receives every named intermediate value of a handshake (names as printed in RFC 9529, e.g.
 * "TH_2", "PRK_2e", "KEYSTREAM_2"). For conformance testing only: available through {@link
 * TestHooks}, never in production configuration, because it sees secrets.
 */
@FunctionalInterface
public interface Trace {
  void value(String name, byte[] value);

  Trace NONE = (n, v) -> {};
}
