package io.edhoc;

import io.edhoc.cose.CosePrivateKey;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Test-only inputs: fixed ephemeral keys (as in the RFC 9529 traces) and a {@link Trace} of
 * intermediate values. Creating one fails unless the JVM runs with the system property {@value
 * #PROPERTY} set to {@code enabled}, so production code cannot be handed fixed ephemeral keys by
 * accident.
 */
public final class TestHooks {
  public static final String PROPERTY = "io.edhoc.test-hooks";

  private final Deque<CosePrivateKey> ephemeralKeys = new ArrayDeque<>();
  private Trace trace = Trace.NONE;

  private TestHooks() {}

  private static volatile String forbiddenBy;

  /**
   * Disables test hooks for the rest of this JVM's life, whatever the property says: a process
   * that serves real handshakes calls it before it accepts any ({@code EdhocService.start}), so
   * fixed ephemeral keys can never reach it, not even from code that sets the property later.
   * One-way: there is no way back.
   */
  public static void forbid(String reason) {
    forbiddenBy = java.util.Objects.requireNonNull(reason);
  }

  /** True when {@link #create()} would succeed in this JVM now. */
  public static boolean enabled() {
    return forbiddenBy == null && "enabled".equals(System.getProperty(PROPERTY));
  }

  /** Fails loudly outside tests, and always after {@link #forbid}. */
  public static TestHooks create() {
    String forbidden = forbiddenBy;
    if (forbidden != null) {
      throw new IllegalStateException("TestHooks are disabled in this JVM: " + forbidden);
    }
    if (!"enabled".equals(System.getProperty(PROPERTY))) {
      throw new IllegalStateException(
          "TestHooks are for conformance tests only; run with -D" + PROPERTY + "=enabled to use fixed ephemeral keys or traces");
    }
    return new TestHooks();
  }

  /** The next handshake(s) use these ephemeral keys, in order, instead of fresh ones. */
  public synchronized TestHooks ephemeralKey(CosePrivateKey key) {
    ephemeralKeys.addLast(key);
    return this;
  }

  public synchronized TestHooks trace(Trace trace) {
    this.trace = trace == null ? Trace.NONE : trace;
    return this;
  }

  synchronized CosePrivateKey nextEphemeralKey() {
    return ephemeralKeys.pollFirst();
  }

  synchronized Trace trace() {
    return trace;
  }
}
