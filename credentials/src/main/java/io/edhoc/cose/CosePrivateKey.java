package io.edhoc.cose;

import java.util.Arrays;
import java.util.Objects;
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

  @Override
  public void destroy() {
    Arrays.fill(d, (byte) 0);
    destroyed = true;
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
