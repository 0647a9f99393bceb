package io.edhoc.oscore;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless Echo values for the reachability check of RFC 9528 Appendix A.2 / RFC 9175 section
 * 2.4 (item 3): before a server spends crypto and sends a large message_2 to a UDP source address,
 * it makes the client prove it receives at that address.
 *
 * <p>Value (24 bytes) = {@code T || MAC}, where T is the issue time in milliseconds since the epoch
 * (8 bytes, big-endian) and MAC is HMAC-SHA-256(key, "EDHOC Echo v1" || T || client IP address
 * (4 or 16 bytes) || client port (2 bytes)) truncated to 16 bytes. Nothing is stored: {@link
 * #verify} recomputes the MAC (constant-time comparison) and accepts a value issued to the same
 * address and port at most {@code window} ago (and at most {@link #MAX_CLOCK_SKEW} in the future,
 * for nodes of a cluster whose clocks differ slightly). Within the window a value may be used
 * again from the same address; that is harmless, since it already proved reachability there.
 *
 * <p>The key is either random per process ({@link #random(Duration)}), or derived from a secret
 * shared by every node of a cluster ({@link #fromSharedSecret(byte[], Duration)}: HMAC-SHA-256(
 * secret, "EDHOC Echo key"), so a secret used for something else is not used directly), so that
 * a value issued by one node is accepted by the others. The key is never logged or exposed.
 */
public final class EchoVerifier {
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
  /** How far in the future an issue time may lie (clock differences between cluster nodes). */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(5);
  public static final int MAC_LENGTH = 16;
  public static final int VALUE_LENGTH = 8 + MAC_LENGTH;
  private static final byte[] LABEL = "EDHOC Echo v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEY_LABEL = "EDHOC Echo key".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;
  private final long windowMillis;
  private final Clock clock;

  private EchoVerifier(byte[] key, Duration window, Clock clock) {
    Objects.requireNonNull(window);
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("the Echo window must be positive");
    }
    this.key = new SecretKeySpec(key, "HmacSHA256");
    Arrays.fill(key, (byte) 0);
    this.windowMillis = window.toMillis();
    this.clock = Objects.requireNonNull(clock);
  }

  /** A fresh random key (one process, or a cluster whose clients always reach the same node). */
  public static EchoVerifier random(Duration window) {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return new EchoVerifier(k, window, Clock.systemUTC());
  }

  /** A key derived from a secret every node shares (at least 16 bytes); the secret is not kept. */
  public static EchoVerifier fromSharedSecret(byte[] secret, Duration window) {
    return fromSharedSecret(secret, window, Clock.systemUTC());
  }

  public static EchoVerifier fromSharedSecret(byte[] secret, Duration window, Clock clock) {
    if (secret == null || secret.length < 16) {
      throw new IllegalArgumentException("the shared Echo secret must have at least 16 bytes");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return new EchoVerifier(mac.doFinal(KEY_LABEL), window, clock);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
    }
  }

  public Duration window() {
    return Duration.ofMillis(windowMillis);
  }

  /** A new Echo value for a client at {@code client}. */
  public byte[] issue(InetSocketAddress client) {
    long t = clock.millis();
    byte[] out = new byte[VALUE_LENGTH];
    ByteBuffer.wrap(out).putLong(t);
    System.arraycopy(mac(t, client), 0, out, 8, MAC_LENGTH);
    return out;
  }

  /** True if {@code value} was issued by this key to {@code client} within the window. */
  public boolean verify(byte[] value, InetSocketAddress client) {
    if (value == null || value.length != VALUE_LENGTH || client == null || client.getAddress() == null) {
      return false;
    }
    long t = ByteBuffer.wrap(value).getLong();
    byte[] expected = mac(t, client);
    boolean macOk = MessageDigest.isEqual(expected, Arrays.copyOfRange(value, 8, VALUE_LENGTH));
    long age = clock.millis() - t;
    return macOk & age <= windowMillis & age >= -MAX_CLOCK_SKEW.toMillis();
  }

  private byte[] mac(long t, InetSocketAddress client) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(LABEL);
      mac.update(ByteBuffer.allocate(8).putLong(t).array());
      mac.update(client.getAddress().getAddress());
      int port = client.getPort();
      mac.update(new byte[] {(byte) (port >>> 8), (byte) port});
      return Arrays.copyOf(mac.doFinal(), MAC_LENGTH);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "EchoVerifier[window " + window() + "]"; // never the key
  }
}
