package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import io.edhoc.oscore.store.InMemoryOscoreContextStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.junit.jupiter.api.Test;

/**
 * {@link StoreBackedCtxDB#establish}: the Californium copy of a context established by EDHOC is
 * built by its first lookup, fresh from Sender Sequence Number 0 only while nothing else can have
 * used it, and never twice fresh: a dropped copy, a takeover by another copy, a removal or an
 * eviction before first use all lead to the load path (numbers above every reservation) or to an
 * unknown Recipient ID.
 */
class StoreBackedLazyBuildTest {
  private static final int STEP = 4;

  static OscoreContext ctx(int rid) {
    return OscoreContext.derive(new byte[16], new byte[0], new byte[] {(byte) (rid + 100)}, new byte[] {(byte) rid}, null,
        AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
  }

  private static StoreBackedCtxDB db(io.edhoc.oscore.store.OscoreContextStore store) {
    StoreBackedCtxDB db = new StoreBackedCtxDB(store, STEP, 32);
    db.echoLayerCreated(); // as an Echo layer does: loaded copies may be used after a challenge
    return db;
  }

  @Test
  void theFirstContextOfAnAeadIsBuiltAtOnceLaterOnesByTheirFirstLookup() throws Exception {
    InMemoryOscoreContextStore store = new InMemoryOscoreContextStore();
    StoreBackedCtxDB db = db(store);
    assertThat(db.establish(ctx(1))).as("first AES-CCM-16-64-128 context: built at once").isNotNull();
    assertThat(db.establish(ctx(2))).isNull();
    assertThat(db.establish(ctx(3))).isNull();
    assertThat(db.unbuiltContexts()).isEqualTo(2);
    assertThat(store.size()).isEqualTo(3);
    assertThat(db.cached(new byte[] {2})).isNull();
    assertThat(db.inUse(new byte[] {2})).as("reserved for connection identifier allocation").isTrue();

    StoredOSCoreCtx two = (StoredOSCoreCtx) db.getContext(new byte[] {2});
    assertThat(two.isFresh()).isTrue();
    assertThat(two.getSenderSeq()).isZero();
    assertThat(two.reservedUpTo()).isEqualTo(STEP);
    assertThat(two.getSenderKey()).isEqualTo(ctx(2).senderKey());
    assertThat(two.getRecipientKey()).isEqualTo(ctx(2).recipientKey());
    assertThat(db.getContext(new byte[] {2})).isSameAs(two);
    assertThat(db.builtOnFirstUse()).isEqualTo(1);
    assertThat(db.unbuiltContexts()).isEqualTo(1);
    assertThat(db.contextsLoaded()).isZero();
    // a ChaCha20-Poly1305 context is a new algorithm here: built at once
    OscoreContext chacha = OscoreContext.derive(new byte[16], new byte[0], new byte[] {9}, new byte[] {8}, null, AeadAlgorithm.CHACHA20_POLY1305,
        HashAlgorithm.SHA_256);
    assertThat(db.establish(chacha)).isNotNull();
  }

  @Test
  void aDroppedCopyIsNeverRebuiltFreshItsNumbersComeFromAboveTheReservation() throws Exception {
    InMemoryOscoreContextStore store = new InMemoryOscoreContextStore();
    StoreBackedCtxDB db = db(store);
    db.establish(ctx(1));
    db.establish(ctx(2));
    StoredOSCoreCtx first = (StoredOSCoreCtx) db.getContext(new byte[] {2});
    for (int i = 0; i < STEP - 1; i++) {
      first.increaseSenderSeq(); // numbers 0..STEP-2 used
    }
    db.dropLocal(first); // e.g. a reservation failed: the copy is retired
    StoredOSCoreCtx again = (StoredOSCoreCtx) db.getContext(new byte[] {2});
    assertThat(again).isNotSameAs(first);
    assertThat(again.getSenderSeq()).as("never below the creation's reservation").isGreaterThanOrEqualTo(STEP);
    assertThat(again.isFresh()).as("a loaded copy has no replay window").isFalse();
    assertThat(db.builtOnFirstUse()).isEqualTo(1);
    assertThat(db.contextsLoaded()).isEqualTo(1);
  }

  @Test
  void aTakeoverBeforeFirstUseCancelsTheFreshBuild() throws Exception {
    InMemoryOscoreContextStore store = new InMemoryOscoreContextStore();
    StoreBackedCtxDB a = db(store);
    StoreBackedCtxDB b = db(store);
    a.establish(ctx(1));
    a.establish(ctx(2));
    assertThat(a.unbuiltContexts()).isEqualTo(1);
    StoredOSCoreCtx onB = (StoredOSCoreCtx) b.getContext(new byte[] {2}); // another node serves the first request
    assertThat(onB.getSenderSeq()).isEqualTo(STEP);
    assertThat(a.unbuiltContexts()).as("the store's change event cancelled the fresh build").isZero();
    StoredOSCoreCtx onA = (StoredOSCoreCtx) a.getContext(new byte[] {2});
    assertThat(onA.isFresh()).isFalse();
    assertThat(onA.getSenderSeq()).isEqualTo(2 * STEP);
    assertThat(a.builtOnFirstUse()).isZero();
    assertThat(b.cached(new byte[] {2})).as("b's copy was dropped when a took it over").isNull();
  }

  @Test
  void evictedOrRemovedBeforeFirstUseIsUnknown() throws Exception {
    InMemoryOscoreContextStore store = new InMemoryOscoreContextStore(3);
    StoreBackedCtxDB db = db(store);
    CaliforniumContexts contexts = new CaliforniumContexts(db);
    for (int i = 1; i <= 5; i++) {
      contexts.establishServer(ctx(i)); // 1 and 2 evicted by the bound of 3
    }
    assertThat(store.evictions()).isEqualTo(2);
    assertThat(db.unbuiltContexts()).as("3, 4 and 5 pending; the eviction of 2 cancelled its build").isEqualTo(3);
    assertThat(db.getContext(new byte[] {2})).isNull();
    assertThat(db.getContext(new byte[] {1})).as("built at once, dropped when evicted").isNull();
    store.remove(new byte[] {4}, 0);
    assertThat(db.unbuiltContexts()).isEqualTo(2);
    assertThat(db.getContext(new byte[] {4})).isNull();
    assertThat(db.getContext(new byte[] {5})).isNotNull();
    assertThat(db.builtOnFirstUse()).isEqualTo(1);
    // a Recipient ID still stored is refused, built or not
    assertThatThrownBy(() -> contexts.establishServer(ctx(3))).isInstanceOf(CaliforniumContexts.UnsupportedOscoreContextException.class);
    assertThat(db.unbuiltContexts()).as("the refused creation left the pending build of 3 alone").isEqualTo(1);
    assertThat(db.getContext(new byte[] {3})).isNotNull();
  }

  @Test
  void whatCaliforniumCannotExpressIsRefusedAtTheHandshakeNotAtFirstUse() {
    StoreBackedCtxDB db = db(new InMemoryOscoreContextStore());
    db.establish(ctx(1));
    OscoreContext sha384 = OscoreContext.derive(new byte[16], new byte[0], new byte[] {7}, new byte[] {6}, null,
        CipherSuite.SUITE_24.applicationAead(), CipherSuite.SUITE_24.applicationHash());
    assertThatThrownBy(() -> db.establish(sha384)).isInstanceOf(CaliforniumContexts.UnsupportedOscoreContextException.class);
    assertThat(db.unbuiltContexts()).isZero();
    assertThat(db.inUse(new byte[] {6})).isFalse();
  }

  @Test
  void concurrentFirstLookupsBuildOneCopy() throws Exception {
    InMemoryOscoreContextStore store = new InMemoryOscoreContextStore();
    StoreBackedCtxDB db = db(store);
    db.establish(ctx(1));
    int contexts = 50;
    for (int i = 2; i < 2 + contexts; i++) {
      db.establish(ctx(i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<OSCoreCtx>>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          start.await();
          List<OSCoreCtx> seen = new ArrayList<>();
          for (int i = 2; i < 2 + contexts; i++) {
            seen.add(db.getContext(new byte[] {(byte) i}));
          }
          return seen;
        }));
      }
      start.countDown();
      Set<OSCoreCtx> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Future<List<OSCoreCtx>> r : results) {
        distinct.addAll(r.get(30, TimeUnit.SECONDS));
      }
      assertThat(distinct).hasSize(contexts).doesNotContainNull();
      assertThat(db.builtOnFirstUse()).isEqualTo(contexts);
      assertThat(db.contextsLoaded()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  /** A store that can hold up or fail reads of one Recipient ID, around a memory store. */
  private static final class ScriptedStore extends DelegatingContextStore {
    volatile byte[] target;
    volatile CountDownLatch entered;
    volatile CountDownLatch release;
    final java.util.concurrent.atomic.AtomicInteger failReadNumber = new java.util.concurrent.atomic.AtomicInteger(-1);
    final java.util.concurrent.atomic.AtomicInteger readsOfTarget = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    void beforeRead(byte[] recipientId) {
      if (java.util.Arrays.equals(recipientId, target)) {
        int n = readsOfTarget.incrementAndGet();
        if (n == failReadNumber.get()) {
          throw new IllegalStateException("store unavailable");
        }
        if (release != null) {
          entered.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    }
  }

  /** Locks are per Recipient ID stripe: a first request held up in the store does not hold up another context's. */
  @Test
  void aSlowFirstBuildDoesNotHoldUpAnotherContextsFirstRequest() throws Exception {
    ScriptedStore store = new ScriptedStore();
    StoreBackedCtxDB db = db(store);
    db.establish(ctx(1));
    db.establish(ctx(2));
    db.establish(ctx(3)); // Recipient IDs {2} and {3}: different stripes
    store.entered = new CountDownLatch(1);
    store.release = new CountDownLatch(1);
    store.target = new byte[] {2};
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<OSCoreCtx> slow = pool.submit(() -> db.getContext(new byte[] {2}));
      assertThat(store.entered.await(30, TimeUnit.SECONDS)).as("the first request for 2 is inside the store").isTrue();
      StoredOSCoreCtx three = (StoredOSCoreCtx) db.getContext(new byte[] {3}); // a global lock would wait for 2 here
      assertThat(three.isFresh()).isTrue();
      assertThat(slow.isDone()).as("2 still held up in the store").isFalse();
      store.release.countDown();
      StoredOSCoreCtx two = (StoredOSCoreCtx) slow.get(30, TimeUnit.SECONDS);
      assertThat(two.isFresh()).isTrue();
      assertThat(db.builtOnFirstUse()).isEqualTo(2);
    } finally {
      store.release.countDown();
      pool.shutdownNow();
    }
  }

  /** The store fails the check after a fresh build: no fresh copy is left behind; the load path serves the request above the reservation. */
  @Test
  void aStoreFailureAfterTheFreshBuildLeavesNoFreshCopy() throws Exception {
    ScriptedStore store = new ScriptedStore();
    StoreBackedCtxDB db = db(store);
    db.establish(ctx(1));
    db.establish(ctx(4));
    store.failReadNumber.set(2); // read 1: before the build; read 2: the check after addContext
    store.target = new byte[] {4};
    StoredOSCoreCtx four = (StoredOSCoreCtx) db.getContext(new byte[] {4});
    assertThat(store.readsOfTarget.get()).as("the failed check was reached").isGreaterThanOrEqualTo(2);
    assertThat(four).isNotNull();
    assertThat(four.isFresh()).as("loaded, not the unconfirmed fresh copy").isFalse();
    assertThat(four.getSenderSeq()).isGreaterThanOrEqualTo(STEP);
    assertThat(db.cached(new byte[] {4})).isSameAs(four);
    assertThat(db.unbuiltContexts()).isZero();
  }
}
