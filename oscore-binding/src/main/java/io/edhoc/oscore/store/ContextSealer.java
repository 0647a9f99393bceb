package io.edhoc.oscore.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption of stored contexts (they hold Master Secrets): AES-256-GCM with a
 * random 96-bit nonce per write, associated data "edhoc-oscore-ctx v1" || Recipient ID, so a
 * record cannot be moved to another key. Output: nonce || ciphertext || tag. The key lives apart
 * from the data (a key file, or the cluster state key) and is never logged.
 */
public final class ContextSealer {
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] LABEL = "edhoc-oscore-ctx v1".getBytes(StandardCharsets.US_ASCII);
  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  public ContextSealer(byte[] key256) {
    if (key256 == null || key256.length != 32) {
      throw new IllegalArgumentException("the context store key must be 32 bytes (AES-256)");
    }
    this.key = new SecretKeySpec(key256, "AES");
  }

  public byte[] seal(byte[] recipientId, StoredContext record) {
    byte[] plain = StoredContextCodec.encode(record);
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad(recipientId));
      byte[] ct = c.doFinal(plain);
      byte[] out = Arrays.copyOf(nonce, NONCE + ct.length);
      System.arraycopy(ct, 0, out, NONCE, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** The record, or null when the bytes do not authenticate (other key, tampering, other Recipient ID) or do not parse. */
  public StoredContext open(byte[] recipientId, byte[] sealed) {
    if (sealed == null || sealed.length < NONCE + TAG_BITS / 8) {
      return null;
    }
    byte[] plain = null;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE));
      c.updateAAD(aad(recipientId));
      plain = c.doFinal(sealed, NONCE, sealed.length - NONCE);
      StoredContext r = StoredContextCodec.decode(plain);
      return Arrays.equals(r.recipientId(), recipientId) ? r : null;
    } catch (AEADBadTagException | IllegalArgumentException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    } finally {
      if (plain != null) {
        Arrays.fill(plain, (byte) 0);
      }
    }
  }

  private static byte[] aad(byte[] recipientId) {
    byte[] a = Arrays.copyOf(LABEL, LABEL.length + recipientId.length);
    System.arraycopy(recipientId, 0, a, LABEL.length, recipientId.length);
    return a;
  }

  @Override
  public String toString() {
    return "ContextSealer[AES-256-GCM]";
  }
}
