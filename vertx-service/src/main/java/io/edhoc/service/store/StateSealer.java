package io.edhoc.service.store;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals exported responder state (which holds PRK_3e2m and the ephemeral private key) before it
 * leaves the process for a cluster map: AES-256-GCM with a random 96-bit nonce, the connection
 * identifier C_R as associated data (so a state cannot be replayed under another C_R). Output:
 * nonce || ciphertext || tag.
 */
public final class StateSealer {
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  public StateSealer(byte[] key256) {
    if (key256.length != 32) {
      throw new IllegalArgumentException("state key must be 32 bytes");
    }
    this.key = new SecretKeySpec(key256, "AES");
  }

  public byte[] seal(byte[] connectionIdR, byte[] plaintext) {
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(connectionIdR);
      byte[] ct = c.doFinal(plaintext);
      byte[] out = new byte[NONCE + ct.length];
      System.arraycopy(nonce, 0, out, 0, NONCE);
      System.arraycopy(ct, 0, out, NONCE, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** The plaintext, or null when the sealed bytes do not authenticate (wrong key, tampering, other C_R). */
  public byte[] open(byte[] connectionIdR, byte[] sealed) {
    if (sealed.length < NONCE + TAG_BITS / 8) {
      return null;
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(sealed, 0, NONCE)));
      c.updateAAD(connectionIdR);
      return c.doFinal(sealed, NONCE, sealed.length - NONCE);
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }
}
