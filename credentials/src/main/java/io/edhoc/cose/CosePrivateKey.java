package io.edhoc.cose;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import javax.security.auth.DestroyFailedException;
import javax.security.auth.Destroyable;

/**
 * A private key (scalar for EC2 and X25519/X448, seed for Ed25519/Ed448) with its public key.
 * The secret never appears in {@link #toString()}; {@link #destroy()} wipes it.
 */
public final class CosePrivateKey implements Destroyable {
  private final CoseCurve curve;
  private final byte[] d;
  private final CosePublicKey publicKey;
  private volatile boolean destroyed;
  /** One crypto provider's own form of this key (e.g. a BoringSSL key object), see {@link #providerForm}. */
  private volatile ProviderForm providerForm;

  private static final class ProviderForm {
    final Object owner;
    final Object form;

    ProviderForm(Object owner, Object form) {
      this.owner = owner;
      this.form = form;
    }
  }

  public CosePrivateKey(CoseCurve curve, byte[] d, CosePublicKey publicKey) {
    this.curve = Objects.requireNonNull(curve, "curve");
    if (d == null || d.length != curve.coordinateLength()) {
      throw new IllegalArgumentException("private key must be " + curve.coordinateLength() + " bytes for " + curve);
    }
    if (publicKey != null && publicKey.curve() != curve) {
      throw new IllegalArgumentException("public key is on another curve");
    }
    this.d = d.clone();
    this.publicKey = publicKey;
  }

  public CoseCurve curve() {
    return curve;
  }

  /** The matching public key, or null if it was not supplied. */
  public CosePublicKey publicKey() {
    return publicKey;
  }

  /**
   * A copy of the secret, for the crypto layer and for writing key files. The caller wipes it
   * after use.
   */
  public byte[] exportSecret() {
    if (destroyed) {
      throw new IllegalStateException("private key was destroyed");
    }
    return d.clone();
  }

  /**
   * A crypto provider's parsed form of this key (for example a native key object), built once
   * from the secret and then kept with the key, so that a credential's key is parsed once and not
   * in every handshake. {@code owner} is the provider's private token: a form is only ever
   * returned to the owner that built it (a key used alternately by two providers is rebuilt, not
   * mixed up). {@code build} receives a copy of the secret, wiped when it returns; a null result
   * is not kept. Thread-safe: two threads racing may both build, one of the two forms is kept.
   * {@link #destroy()} drops the form and destroys it where it can be.
   */
  public Object providerForm(Object owner, Function<byte[], ?> build) {
    Objects.requireNonNull(owner, "owner");
    ProviderForm have = providerForm;
    if (destroyed) {
      throw new IllegalStateException("private key was destroyed");
    }
    if (have != null && have.owner == owner) {
      return have.form;
    }
    byte[] secret = exportSecret();
    Object form;
    try {
      form = build.apply(secret);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    if (form != null && !destroyed) {
      providerForm = new ProviderForm(owner, form);
    }
    return form;
  }

  @Override
  public void destroy() {
    Arrays.fill(d, (byte) 0);
    destroyed = true;
    ProviderForm f = providerForm;
    providerForm = null;
    if (f != null && f.form instanceof Destroyable) {
      try {
        ((Destroyable) f.form).destroy();
      } catch (DestroyFailedException | RuntimeException e) {
        // the provider cannot wipe it (a native key is freed, and cleared, when collected)
      }
    }
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "CosePrivateKey[" + curve + ", secret hidden]";
  }
}
