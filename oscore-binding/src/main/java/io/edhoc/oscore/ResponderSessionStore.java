package io.edhoc.oscore;

import java.time.Duration;

/**
 * Where a responder keeps its state between message_2 and message_3 (RFC 9528 A.2: the client
 * prepends C_R to message_3 so that the server finds the session again). Keys are connection
 * identifiers C_R as byte-string values (RFC 9528 section 3.3.2, the value, not the wire int);
 * values are {@code Responder.AwaitingMessage3.export()} bytes, which contain secrets
 * (PRK_3e2m, the ephemeral private key): an implementation keeps them in memory or encrypted, and
 * never logs them.
 *
 * <p>Implementations are thread-safe. {@link #take(byte[])} must be atomic: of two concurrent
 * takes of one C_R at most one gets the state, so message_3 is processed at most once.
 */
public interface ResponderSessionStore {

  /**
   * Stores a state under {@code connectionIdR} for at most {@code timeToLive}. Returns false, and
   * stores nothing, when the identifier is already present or the store refuses new sessions
   * (full). The caller then abandons the handshake.
   */
  boolean put(byte[] connectionIdR, byte[] state, Duration timeToLive);

  /** Removes and returns the state stored under {@code connectionIdR}, or null if absent or expired. */
  byte[] take(byte[] connectionIdR);

  /** True if a live state is stored under {@code connectionIdR} (used to avoid reusing a pending C_R). */
  boolean contains(byte[] connectionIdR);

  /** Number of live states. */
  int size();

  /**
   * About {@link #size()}, for decisions on every request (identifier space, admission): must be
   * O(1) and must not call other machines each time. The default is {@link #size()}.
   */
  default int approximateSize() {
    return size();
  }

  /** States dropped without being taken (expired, or pushed out by a size bound), since creation. */
  long evictions();
}
