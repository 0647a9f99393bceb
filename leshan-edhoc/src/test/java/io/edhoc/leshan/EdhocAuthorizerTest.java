package io.edhoc.leshan;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.cose.AlgorithmID;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.core.request.DeregisterRequest;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.security.Authorization;
import org.eclipse.leshan.server.security.Authorizer;
import org.junit.jupiter.api.Test;

/** The authorizer's three rules and the bindings' retirement, without sockets. */
class EdhocAuthorizerTest {
  private final HashMapCtxDB db = new HashMapCtxDB();
  private final EdhocPeerBindings bindings = new EdhocPeerBindings();
  private final AtomicInteger delegated = new AtomicInteger();
  private final Authorizer delegate = (request, registration, sender) -> {
    delegated.incrementAndGet();
    return Authorization.approved();
  };
  private final EdhocAuthorizer authorizer = new EdhocAuthorizer(bindings, delegate);

  @Test
  void edhocContextAdmitsOnlyItsPeersEndpointName() throws Exception {
    bindings.bind(new byte[] {0x03}, "urn:dev:a", "CCS urn:dev:a", context(0x03), db);
    assertThat(isAuthorized("urn:dev:a", oscore(0x03)).isApproved()).isTrue();
    assertThat(isAuthorized("urn:dev:b", oscore(0x03)).isDeclined()).isTrue();
    assertThat(delegated).hasValue(0);
  }

  @Test
  void anEdhocEndpointNameCannotBeTakenOtherwise() throws Exception {
    bindings.bind(new byte[] {0x03}, "urn:dev:a", "CCS urn:dev:a", context(0x03), db);
    assertThat(isAuthorized("urn:dev:a", new IpPeer(new InetSocketAddress("127.0.0.1", 5683))).isDeclined()).as("NoSec").isTrue();
    assertThat(isAuthorized("urn:dev:a", oscore(0x06)).isDeclined()).as("another (static) context").isTrue();
    authorizer.requireEdhoc(name -> name.startsWith("urn:edhoc-only:"));
    assertThat(isAuthorized("urn:edhoc-only:x", oscore(0x06)).isDeclined()).isTrue();
    assertThat(delegated).hasValue(0);
  }

  @Test
  void everythingElseGoesToLeshansAuthorizer() throws Exception {
    bindings.bind(new byte[] {0x03}, "urn:dev:a", "CCS urn:dev:a", context(0x03), db);
    assertThat(isAuthorized("urn:dev:static", oscore(0x06)).isApproved()).isTrue();
    assertThat(isAuthorized("urn:dev:nosec", new IpPeer(new InetSocketAddress("127.0.0.1", 5683))).isApproved()).isTrue();
    assertThat(delegated).hasValue(2);
  }

  @Test
  void aNewRunByTheSamePeerRetiresTheOldContextAndDeregistrationRemovesIt() throws Exception {
    OSCoreCtx first = context(0x03);
    db.addContext(first);
    bindings.bind(new byte[] {0x03}, "urn:dev:a", "CCS urn:dev:a", first, db);
    OSCoreCtx second = context(0x04);
    db.addContext(second);
    EdhocPeerBindings.Binding retired = bindings.bind(new byte[] {0x04}, "urn:dev:a", "CCS urn:dev:a", second, db);
    assertThat(retired.context()).isSameAs(first);
    assertThat(db.getContext(new byte[] {0x03})).as("old context removed").isNull();
    assertThat(db.getContext(new byte[] {0x04})).isSameAs(second);
    assertThat(isAuthorized("urn:dev:a", oscore(0x03)).isDeclined()).as("old rid is no EDHOC binding any more").isTrue();
    assertThat(bindings.retired()).isEqualTo(1);

    Registration reg = registration("urn:dev:a", oscore(0x04));
    bindings.unregistered(reg, java.util.List.of(), false, null);
    assertThat(bindings.size()).isZero();
    assertThat(db.getContext(new byte[] {0x04})).isNull();
  }

  private Authorization isAuthorized(String endpoint, LwM2mPeer sender) {
    Registration reg = registration(endpoint, sender);
    return authorizer.isAuthorized(new DeregisterRequest(reg.getId()), reg, sender);
  }

  private static Registration registration(String endpoint, LwM2mPeer sender) {
    return new Registration.Builder("reg-" + endpoint, endpoint, sender, URI.create("coap://127.0.0.1:5683")).build();
  }

  private static LwM2mPeer oscore(int rid) {
    return new IpPeer(new InetSocketAddress("127.0.0.1", 40000), new OscoreIdentity(new byte[] {(byte) rid}));
  }

  private static OSCoreCtx context(int rid) throws Exception {
    return new OSCoreCtx(new byte[16], false, AlgorithmID.AES_CCM_16_64_128, new byte[] {0x07}, new byte[] {(byte) rid},
        AlgorithmID.HKDF_HMAC_SHA_256, 32, null, null, 4096);
  }
}
