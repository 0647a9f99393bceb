package io.edhoc.cose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.Destroyable;
import org.junit.jupiter.api.Test;

/** A provider's parsed form of a private key: built once per owner, handed only to its owner, dropped on destroy. */
class CosePrivateKeyProviderFormTest {
  private static CosePrivateKey key() {
    byte[] d = new byte[32];
    d[31] = 5;
    return new CosePrivateKey(CoseCurve.P_256, d, null);
  }

  @Test
  void builtOncePerOwnerFromAWipedCopyOfTheSecret() {
    CosePrivateKey k = key();
    Object ownerA = new Object();
    Object ownerB = new Object();
    AtomicInteger builds = new AtomicInteger();
    byte[][] seen = new byte[1][];
    Object f1 = k.providerForm(ownerA, s -> {
      builds.incrementAndGet();
      seen[0] = s;
      assertThat(s[31]).isEqualTo((byte) 5);
      return "form-a";
    });
    assertThat(seen[0]).as("the copy handed to the builder is wiped afterwards").containsOnly(0);
    assertThat(k.exportSecret()[31]).as("the key itself is intact").isEqualTo((byte) 5);
    for (int i = 0; i < 10; i++) {
      assertThat(k.providerForm(ownerA, s -> {
        builds.incrementAndGet();
        return "again";
      })).isSameAs(f1);
    }
    assertThat(builds).hasValue(1);
    // another owner never gets A's form
    assertThat(k.providerForm(ownerB, s -> "form-b")).isEqualTo("form-b");
    // a null form is not kept
    CosePrivateKey k2 = key();
    assertThat(k2.providerForm(ownerA, s -> null)).isNull();
    assertThat(k2.providerForm(ownerA, s -> "later")).isEqualTo("later");
  }

  @Test
  void destroyDropsAndDestroysTheForm() {
    CosePrivateKey k = key();
    Object owner = new Object();
    boolean[] destroyed = {false};
    Destroyable form = new Destroyable() {
      @Override
      public void destroy() {
        destroyed[0] = true;
      }
    };
    k.providerForm(owner, s -> form);
    k.destroy();
    assertThat(destroyed[0]).isTrue();
    assertThatThrownBy(() -> k.providerForm(owner, s -> form)).isInstanceOf(IllegalStateException.class);
    assertThat(k.toString()).doesNotContain("05");
  }
}
