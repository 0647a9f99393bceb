package io.edhoc.service.store;

import io.edhoc.oscore.ResponderSessionStore;
import java.time.Duration;
import java.util.Arrays;

/**
 * Wraps a store shared by a cluster: encrypts each state with a {@link StateSealer} before it
 * reaches the inner store, and opens it on {@link #take}; a state that does not open (another
 * cluster's key, tampered with) counts as absent. The engine itself stamps each state with the
 * time its handshake started, so the duration metric works across nodes.
 */
public final class SealedSessionStore implements ResponderSessionStore {
  private final ResponderSessionStore inner;
  private final StateSealer sealer;

  public SealedSessionStore(ResponderSessionStore inner, StateSealer sealer) {
    this.inner = inner;
    this.sealer = sealer;
  }

  public ResponderSessionStore inner() {
    return inner;
  }

  @Override
  public boolean put(byte[] connectionIdR, byte[] state, Duration timeToLive) {
    return inner.put(connectionIdR, sealer.seal(connectionIdR, state), timeToLive);
  }

  @Override
  public byte[] take(byte[] connectionIdR) {
    byte[] raw = inner.take(connectionIdR);
    if (raw == null) {
      return null;
    }
    try {
      return sealer.open(connectionIdR, raw);
    } finally {
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
  public int approximateSize() {
    return inner.approximateSize();
  }

  @Override
  public long evictions() {
    return inner.evictions();
  }
}
