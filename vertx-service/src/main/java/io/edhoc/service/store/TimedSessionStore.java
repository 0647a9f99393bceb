package io.edhoc.service.store;

import io.edhoc.oscore.ResponderSessionStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * Wraps the real store: prefixes each state with the time message_1 arrived (for the handshake
 * duration metric, which then works across cluster nodes) and, when a {@link StateSealer} is
 * given, encrypts the whole before it reaches the inner store. {@link #takenStartMillis()} gives,
 * on the thread that just called {@link #take}, the start time of the state it returned.
 */
public final class TimedSessionStore implements ResponderSessionStore {
  private static final ThreadLocal<Long> LAST_START = new ThreadLocal<>();
  private final ResponderSessionStore inner;
  private final StateSealer sealer;

  public TimedSessionStore(ResponderSessionStore inner, StateSealer sealer) {
    this.inner = inner;
    this.sealer = sealer;
  }

  public ResponderSessionStore inner() {
    return inner;
  }

  /** Start time (epoch ms) of the state the current thread last took, or -1; clears it. */
  public static long takenStartMillis() {
    Long v = LAST_START.get();
    LAST_START.remove();
    return v == null ? -1 : v;
  }

  @Override
  public boolean put(byte[] connectionIdR, byte[] state, Duration timeToLive) {
    byte[] stamped = new byte[8 + state.length];
    ByteBuffer.wrap(stamped).putLong(System.currentTimeMillis());
    System.arraycopy(state, 0, stamped, 8, state.length);
    try {
      if (sealer == null) {
        return inner.put(connectionIdR, stamped, timeToLive);
      }
      return inner.put(connectionIdR, sealer.seal(connectionIdR, stamped), timeToLive);
    } finally {
      Arrays.fill(stamped, (byte) 0);
    }
  }

  @Override
  public byte[] take(byte[] connectionIdR) {
    LAST_START.remove();
    byte[] raw = inner.take(connectionIdR);
    if (raw == null) {
      return null;
    }
    byte[] stamped = sealer == null ? raw : sealer.open(connectionIdR, raw);
    if (stamped == null || stamped.length < 8) {
      return null; // not ours (wrong cluster key) or tampered with: as if absent
    }
    try {
      LAST_START.set(ByteBuffer.wrap(stamped).getLong());
      return Arrays.copyOfRange(stamped, 8, stamped.length);
    } finally {
      Arrays.fill(stamped, (byte) 0);
      Arrays.fill(raw, (byte) 0);
    }
  }

  @Override
  public boolean contains(byte[] connectionIdR) {
    return inner.contains(connectionIdR);
  }

  @Override
  public int size() {
    return inner.size();
  }

  @Override
  public long evictions() {
    return inner.evictions();
  }
}
