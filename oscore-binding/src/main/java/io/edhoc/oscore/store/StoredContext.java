package io.edhoc.oscore.store;

import io.edhoc.oscore.OscoreContext;
import java.util.Objects;

/**
 * One server-side OSCORE context as a {@link OscoreContextStore} keeps it: the parameters RFC 9528
 * Appendix A.1 exported ({@link OscoreContext}: Master Secret and Salt, Sender and Recipient ID,
 * ID Context, AEAD, HKDF) plus the state OSCORE needs to stay safe when the in-memory context is
 * lost:
 *
 * <ul>
 *   <li>{@code generation}: a random 63-bit tag of this key material, new on every creation and
 *       every EDHOC_KeyUpdate, so that a holder of older keys can tell its record was replaced;
 *   <li>{@code ssnBound}: every Sender Sequence Number below it has been reserved by some holder at
 *       some time (RFC 8613 Appendix B.1.1); nobody may use a number at or above it without raising
 *       it first;
 *   <li>{@code holder}: the random identifier of the in-memory copy that reserved last, the only one
 *       allowed to use it (others drop their copy when they see it change).
 * </ul>
 *
 * No replay window is stored: a loaded copy recovers it with the Echo option (RFC 8613 B.1.2).
 */
public record StoredContext(OscoreContext context, long generation, long ssnBound, long holder) {
  public StoredContext {
    Objects.requireNonNull(context, "context");
    if (ssnBound < 0) {
      throw new IllegalArgumentException("negative SSN bound");
    }
  }

  /** The Recipient ID (the store's key). */
  public byte[] recipientId() {
    return context.recipientId();
  }

  StoredContext withBound(long bound, long newHolder) {
    return new StoredContext(context, generation, bound, newHolder);
  }

  @Override
  public String toString() {
    return "StoredContext[" + context + ", generation " + Long.toHexString(generation) + ", SSN bound " + ssnBound + "]";
  }
}
