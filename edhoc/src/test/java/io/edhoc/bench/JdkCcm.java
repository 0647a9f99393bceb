package io.edhoc.bench;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Benchmark alternative only: AES-CCM (13-byte nonce, L = 2) on the JDK's AES: CBC-MAC as the last
 * block of AES/CBC with a zero IV, the payload with AES/CTR from counter 1, the tag masked with
 * AES(A_0). Small AAD (< 0xFF00) only. Not used by the library.
 */
final class JdkCcm {
  private JdkCcm() {}

  static byte[] encrypt(byte[] key, byte[] nonce, byte[] aad, byte[] msg, int tagLength) throws GeneralSecurityException {
    SecretKeySpec k = new SecretKeySpec(key, "AES");
    int aadBlock = aad.length == 0 ? 0 : ((2 + aad.length + 15) / 16) * 16;
    int msgBlock = ((msg.length + 15) / 16) * 16;
    byte[] blocks = new byte[16 + aadBlock + msgBlock];
    blocks[0] = (byte) ((aad.length > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | 1);
    System.arraycopy(nonce, 0, blocks, 1, 13);
    blocks[14] = (byte) (msg.length >>> 8);
    blocks[15] = (byte) msg.length;
    if (aad.length > 0) {
      blocks[16] = (byte) (aad.length >>> 8);
      blocks[17] = (byte) aad.length;
      System.arraycopy(aad, 0, blocks, 18, aad.length);
    }
    System.arraycopy(msg, 0, blocks, 16 + aadBlock, msg.length);
    Cipher cbc = Cipher.getInstance("AES/CBC/NoPadding", "SunJCE");
    cbc.init(Cipher.ENCRYPT_MODE, k, new IvParameterSpec(new byte[16]));
    byte[] mac = cbc.doFinal(blocks);

    byte[] a0 = new byte[16];
    a0[0] = 1;
    System.arraycopy(nonce, 0, a0, 1, 13);
    Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding", "SunJCE");
    ctr.init(Cipher.ENCRYPT_MODE, k, new IvParameterSpec(a0));
    // keystream block 0 masks the tag, blocks 1.. encrypt the payload
    byte[] in = new byte[16 + msg.length];
    System.arraycopy(mac, mac.length - 16, in, 0, 16);
    System.arraycopy(msg, 0, in, 16, msg.length);
    byte[] out = ctr.doFinal(in);
    byte[] result = new byte[msg.length + tagLength];
    System.arraycopy(out, 16, result, 0, msg.length);
    System.arraycopy(out, 0, result, msg.length, tagLength);
    return result;
  }
}
