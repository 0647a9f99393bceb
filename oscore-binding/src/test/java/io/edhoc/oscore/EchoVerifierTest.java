package io.edhoc.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EchoVerifierTest {
  static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 40000);
  static final byte[] SECRET = new byte[32];

  @Test
  void acceptsItsOwnValueForTheSameAddressWithinTheWindowOnly() {
    Fixtures.MutableClock clock = new Fixtures.MutableClock();
    EchoVerifier v = EchoVerifier.fromSharedSecret(SECRET, Duration.ofSeconds(30), clock);
    byte[] e = v.issue(A);
    assertThat(e).hasSize(EchoVerifier.VALUE_LENGTH).hasSizeBetween(EchoOption.MIN_LENGTH, EchoOption.MAX_LENGTH);
    assertThat(v.verify(e, A)).isTrue();
    assertThat(v.verify(e, new InetSocketAddress("127.0.0.1", 40001))).isFalse();
    assertThat(v.verify(e, new InetSocketAddress("127.0.0.2", 40000))).isFalse();
    assertThat(v.verify(e, new InetSocketAddress("::1", 40000))).isFalse();
    byte[] forged = e.clone();
    forged[forged.length - 1] ^= 1;
    assertThat(v.verify(forged, A)).isFalse();
    byte[] otherTime = e.clone();
    otherTime[7] ^= 1; // the time is covered by the MAC
    assertThat(v.verify(otherTime, A)).isFalse();
    assertThat(v.verify(new byte[3], A)).isFalse();
    assertThat(v.verify(null, A)).isFalse();
    clock.advance(Duration.ofSeconds(30));
    assertThat(v.verify(e, A)).isTrue();
    clock.advance(Duration.ofMillis(1));
    assertThat(v.verify(e, A)).isFalse();
  }

  @Test
  void sharedSecretLetsAnotherNodeVerifyButNotAnotherKey() {
    Fixtures.MutableClock clock = new Fixtures.MutableClock();
    byte[] e = EchoVerifier.fromSharedSecret(SECRET, Duration.ofSeconds(30), clock).issue(A);
    assertThat(EchoVerifier.fromSharedSecret(SECRET.clone(), Duration.ofSeconds(30), clock).verify(e, A)).isTrue();
    byte[] other = SECRET.clone();
    other[0] = 1;
    assertThat(EchoVerifier.fromSharedSecret(other, Duration.ofSeconds(30), clock).verify(e, A)).isFalse();
    assertThat(EchoVerifier.random(Duration.ofSeconds(30)).verify(e, A)).isFalse();
    // issued by a node whose clock is ahead: a little is tolerated, more is not
    Fixtures.MutableClock ahead = new Fixtures.MutableClock();
    ahead.advance(Duration.ofSeconds(4));
    assertThat(EchoVerifier.fromSharedSecret(SECRET, Duration.ofSeconds(30), clock)
        .verify(EchoVerifier.fromSharedSecret(SECRET, Duration.ofSeconds(30), ahead).issue(A), A)).isTrue();
    ahead.advance(Duration.ofSeconds(2));
    assertThat(EchoVerifier.fromSharedSecret(SECRET, Duration.ofSeconds(30), clock)
        .verify(EchoVerifier.fromSharedSecret(SECRET, Duration.ofSeconds(30), ahead).issue(A), A)).isFalse();
    assertThatThrownBy(() -> EchoVerifier.fromSharedSecret(new byte[8], Duration.ofSeconds(30))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EchoVerifier.random(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThat(EchoVerifier.random(Duration.ofSeconds(30)).toString()).doesNotContainIgnoringCase("key=");
  }
}
