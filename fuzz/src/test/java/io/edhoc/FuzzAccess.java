package io.edhoc;

import java.util.List;

/** The fuzz module's door to package-private construction (the split package is test-only). */
public final class FuzzAccess {
  private FuzzAccess() {}

  /** An initiator that offers exactly {@code suitesI} (the selected suite last), as in RFC 9529 section 3's second message_1. */
  public static Initiator initiator(EdhocConfig config, List<CipherSuite> suitesI) {
    return new Initiator(config, config.methods().get(0), suitesI);
  }
}
