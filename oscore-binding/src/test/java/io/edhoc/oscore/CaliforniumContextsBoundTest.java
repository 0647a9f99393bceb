package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.junit.jupiter.api.Test;

/** The optional bound on server contexts: least recently installed removed and counted. */
class CaliforniumContextsBoundTest {
  static OscoreContext ctx(int recipientId) {
    return OscoreContext.derive(new byte[16], new byte[8], new byte[] {(byte) (recipientId + 100)}, new byte[] {(byte) recipientId}, null,
        CipherSuite.SUITE_2.applicationAead(), CipherSuite.SUITE_2.applicationHash());
  }

  @Test
  void unboundedByDefault() {
    CaliforniumContexts cc = new CaliforniumContexts(new HashMapCtxDB());
    for (int i = 1; i <= 50; i++) {
      cc.installServer(ctx(i));
    }
    assertThat(cc.serverContexts()).isEqualTo(50);
    assertThat(cc.evictions()).isZero();
    assertThat(cc.recipientIdInUse(new byte[] {1})).isTrue();
  }

  @Test
  void beyondTheBoundTheLeastRecentlyInstalledIsRemoved() {
    HashMapCtxDB db = new HashMapCtxDB();
    CaliforniumContexts cc = new CaliforniumContexts(db).maxServerContexts(2);
    cc.installServer(ctx(1));
    cc.installServer(ctx(2));
    assertThat(cc.evictions()).isZero();
    cc.installServer(ctx(3));
    assertThat(cc.recipientIdInUse(new byte[] {1})).isFalse();
    assertThat(cc.recipientIdInUse(new byte[] {2})).isTrue();
    assertThat(cc.recipientIdInUse(new byte[] {3})).isTrue();
    assertThat(cc.serverContexts()).isEqualTo(2);
    assertThat(cc.evictions()).isEqualTo(1);
    // the bound never replaces: a Recipient ID in use is still refused
    assertThatThrownBy(() -> cc.installServer(ctx(3))).isInstanceOf(CaliforniumContexts.UnsupportedOscoreContextException.class);
    assertThat(cc.evictions()).isEqualTo(1);
  }

  @Test
  void keyUpdateCountsAsInstallingAgainAndRemovedContextsAreNotCounted() {
    HashMapCtxDB db = new HashMapCtxDB();
    CaliforniumContexts cc = new CaliforniumContexts(db).maxServerContexts(2);
    OSCoreCtx one = cc.installServer(ctx(1));
    OSCoreCtx two = cc.installServer(ctx(2));
    // "key update" of 1: now 2 is the least recently installed
    OscoreContext c1b = OscoreContext.derive(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}, new byte[8], new byte[] {101},
        new byte[] {1}, null, CipherSuite.SUITE_2.applicationAead(), CipherSuite.SUITE_2.applicationHash());
    OSCoreCtx oneB = cc.replace(one, c1b, null);
    cc.installServer(ctx(3));
    assertThat(db.getContext(new byte[] {2})).isNull();
    assertThat(db.getContext(new byte[] {1})).isSameAs(oneB);
    assertThat(cc.evictions()).isEqualTo(1);
    // removed by the application: no longer tracked, not an eviction
    cc.remove(oneB);
    assertThat(cc.serverContexts()).isEqualTo(1);
    cc.installServer(ctx(4));
    assertThat(cc.evictions()).isEqualTo(1);
    assertThat(two).isNotNull();
    assertThatThrownBy(() -> cc.maxServerContexts(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
