package io.edhoc.oscore;

import io.edhoc.oscore.store.InMemoryOscoreContextStore;
import io.edhoc.oscore.store.OscoreContextStore;
import io.edhoc.oscore.store.StoredContext;

/**
 * A memory store behind the {@link OscoreContextStore} interface, with a hook before every read
 * and write, for tests that count a store's operations or hold one up or fail it.
 */
class DelegatingContextStore implements OscoreContextStore {
  final InMemoryOscoreContextStore inner = new InMemoryOscoreContextStore();

  /** Called before each read; may block or throw as a store could. */
  void beforeRead(byte[] recipientId) {}

  /** Called before each compare-and-set. */
  void beforeWrite(byte[] recipientId) {}

  @Override
  public final Versioned read(byte[] recipientId) {
    beforeRead(recipientId);
    return inner.read(recipientId);
  }

  @Override
  public final boolean compareAndSet(byte[] recipientId, Object expected, StoredContext update) {
    beforeWrite(recipientId);
    return inner.compareAndSet(recipientId, expected, update);
  }

  @Override
  public final int size() {
    return inner.size();
  }

  @Override
  public final long evictions() {
    return inner.evictions();
  }

  @Override
  public final void addListener(Listener listener) {
    inner.addListener(listener);
  }
}
