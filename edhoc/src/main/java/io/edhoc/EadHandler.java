package io.edhoc;

import java.util.List;

/**
 * The application's hook into External Authorization Data (RFC 9528 section 3.8). The core
 * enforces the generic rule itself: a critical item (negative label) whose |label| is not in
 * {@link #understoodLabels()} aborts the session with an error message; padding (label 0) is
 * dropped before the handler sees anything.
 */
public interface EadHandler {
  /** |ead_label| values this application processes. */
  default java.util.Set<Integer> understoodLabels() {
    return java.util.Set.of();
  }

  /**
   * EAD items to send in message_{messageNumber} (1 to 4), in addition to any the caller passed
   * to the step. Default none.
   */
  default List<EadItem> produce(int messageNumber) {
    return List.of();
  }

  /**
   * Called with the received EAD_{messageNumber} (padding removed) after the generic check and,
   * for EAD_2 and EAD_3, after the peer has been authenticated. Throw {@link EadRejectedException}
   * to abort the session with an error message.
   */
  default void consume(int messageNumber, List<EadItem> items) throws EadRejectedException {}

  /** Refusal of EAD by the application; the text goes into the ERR_CODE 1 diagnostic. */
  final class EadRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    public EadRejectedException(String diagnostic) {
      super(diagnostic);
    }
  }

  /** No EAD processing: every critical item aborts, non-critical items are ignored. */
  EadHandler NONE = new EadHandler() {};
}
