package io.edhoc.oscore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * A bounded in-memory {@link ResponderSessionStore} for one process.
 *
 * <p>Policy when full: new sessions are <b>refused</b> ({@link #put} returns false, counted in
 * {@link #refusals()}), after expired states have been dropped. Refusing rather than evicting the
 * oldest keeps a flood of message_1 from pushing out handshakes that are about to complete;
 * expiry bounds how long a flood can hold the store. Expired states are dropped (and counted in
 * {@link #evictions()}) lazily on every operation; their bytes are overwritten with zeros.
 *
 * <p>The clock is injectable for tests. All operations take one lock; the store is meant for
 * thousands of pending handshakes, not millions.
 */
public final class InMemoryResponderSessionStore implements ResponderSessionStore {
  private final int maxSessions;
  private final Clock clock;
  private final Map<Key, Entry> entries = new HashMap<>();
  private long evictions;
  private long refusals;

  private record Entry(byte[] state, Instant expiresAt) {}

  /** A byte-string key compared by value. */
  private record Key(byte[] id) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(id, k.id);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(id);
    }
  }

  public InMemoryResponderSessionStore(int maxSessions) {
    this(maxSessions, Clock.systemUTC());
  }

  public InMemoryResponderSessionStore(int maxSessions, Clock clock) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1");
    }
    this.maxSessions = maxSessions;
    this.clock = Objects.requireNonNull(clock);
  }

  @Override
  public synchronized boolean put(byte[] connectionIdR, byte[] state, Duration timeToLive) {
    Objects.requireNonNull(connectionIdR);
    Objects.requireNonNull(state);
    if (timeToLive.isNegative() || timeToLive.isZero()) {
      throw new IllegalArgumentException("timeToLive must be positive");
    }
    Instant now = clock.instant();
    purge(now);
    Key key = new Key(connectionIdR.clone());
    if (entries.containsKey(key)) {
      return false;
    }
    if (entries.size() >= maxSessions) {
      refusals++;
      return false;
    }
    entries.put(key, new Entry(state.clone(), now.plus(timeToLive)));
    return true;
  }

  @Override
  public synchronized byte[] take(byte[] connectionIdR) {
    Entry e = entries.remove(new Key(connectionIdR));
    if (e == null) {
      return null;
    }
    if (!clock.instant().isBefore(e.expiresAt())) {
      Arrays.fill(e.state(), (byte) 0);
      evictions++;
      return null;
    }
    return e.state();
  }

  @Override
  public synchronized boolean contains(byte[] connectionIdR) {
    purge(clock.instant());
    return entries.containsKey(new Key(connectionIdR));
  }

  @Override
  public synchronized int size() {
    purge(clock.instant());
    return entries.size();
  }

  @Override
  public synchronized long evictions() {
    purge(clock.instant());
    return evictions;
  }

  /** Puts refused because the store was full. */
  public synchronized long refusals() {
    return refusals;
  }

  public int maxSessions() {
    return maxSessions;
  }

  private void purge(Instant now) {
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (!now.isBefore(e.expiresAt())) {
        Arrays.fill(e.state(), (byte) 0);
        it.remove();
        evictions++;
      }
    }
  }
}
