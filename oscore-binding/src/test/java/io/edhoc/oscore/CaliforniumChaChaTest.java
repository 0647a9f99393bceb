package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import java.security.SecureRandom;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Californium probes the AEAD of every new OSCoreCtx with a key and nonce derived from the IDs
 * alone, on a per-thread Cipher; the JDK's ChaCha20-Poly1305 refuses the same key and nonce twice
 * in a row. Two ChaCha20-Poly1305 contexts with the same IDs on one thread (suites 4 and 5 with
 * 1-byte connection identifiers make that likely) must both be accepted.
 */
class CaliforniumChaChaTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static OscoreContext context(byte[] sid, byte[] rid) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return OscoreContext.derive(secret, new byte[8], sid, rid, null, AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA_256);
  }

  @RepeatedTest(3)
  void twoContextsWithTheSameIdsOnOneThread() {
    CaliforniumContexts contexts = new CaliforniumContexts(new HashMapCtxDB());
    byte[] sid = {0x25};
    byte[] rid = {0x0f};
    OSCoreCtx first = contexts.toOSCoreCtx(context(sid, rid), false);
    OSCoreCtx second = contexts.toOSCoreCtx(context(sid, rid), false);
    assertThat(first.getSenderKey()).isNotEqualTo(second.getSenderKey());
    assertThat(second.getRecipientId()).containsExactly(0x0f);
  }
}
