package io.edhoc.oscore.store;

/**
 * Contexts in this process's memory: what a single node had before there was a store (a restart
 * forgets every context; clients run EDHOC again). Bounded ({@link LocalContextStore}); thread-safe.
 */
public final class InMemoryOscoreContextStore extends LocalContextStore {
  public InMemoryOscoreContextStore() {
    this(Integer.MAX_VALUE);
  }

  public InMemoryOscoreContextStore(int maxContexts) {
    super(maxContexts);
  }

  @Override
  void persist(byte[] recipientId, StoredContext update) {
    // nothing outlives the process
  }

  @Override
  public String toString() {
    return "InMemoryOscoreContextStore[" + size() + " contexts]";
  }
}
