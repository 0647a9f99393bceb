package io.edhoc.oscore.store;

import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import io.edhoc.oscore.OscoreContext;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The plaintext form of a {@link StoredContext} (before sealing): version 1, then Master Secret,
 * Master Salt, Sender ID, Recipient ID, ID Context (absent/present), AEAD and HKDF by name,
 * generation, SSN bound, holder. The derived keys are not written: {@link #decode} derives them
 * again (RFC 8613 section 3.2), so a record cannot carry keys that do not match its inputs.
 */
public final class StoredContextCodec {
  private static final int VERSION = 1;
  private static final int MAX_FIELD = 64;

  private StoredContextCodec() {}

  public static byte[] encode(StoredContext r) {
    OscoreContext c = r.context();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    byte[] secret = c.masterSecret();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      field(out, secret);
      field(out, c.masterSalt());
      field(out, c.senderId());
      field(out, c.recipientId());
      byte[] idc = c.idContext();
      out.writeBoolean(idc != null);
      if (idc != null) {
        field(out, idc);
      }
      out.writeUTF(c.aead().name());
      out.writeUTF(c.hkdf().name());
      out.writeLong(r.generation());
      out.writeLong(r.ssnBound());
      out.writeLong(r.holder());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    return bytes.toByteArray();
  }

  /** Parses a record; IllegalArgumentException for anything malformed. */
  public static StoredContext decode(byte[] data) {
    byte[] secret = null;
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
      if (in.readUnsignedByte() != VERSION) {
        throw new IllegalArgumentException("unknown stored context version");
      }
      secret = field(in);
      byte[] salt = field(in);
      byte[] sid = field(in);
      byte[] rid = field(in);
      byte[] idc = in.readBoolean() ? field(in) : null;
      AeadAlgorithm aead = AeadAlgorithm.valueOf(in.readUTF());
      HashAlgorithm hkdf = HashAlgorithm.valueOf(in.readUTF());
      long generation = in.readLong();
      long bound = in.readLong();
      long holder = in.readLong();
      if (in.available() != 0) {
        throw new IllegalArgumentException("trailing bytes in a stored context");
      }
      return new StoredContext(OscoreContext.derive(secret, salt, sid, rid, idc, aead, hkdf), generation, bound, holder);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated stored context", e);
    } finally {
      if (secret != null) {
        Arrays.fill(secret, (byte) 0);
      }
    }
  }

  private static void field(DataOutputStream out, byte[] b) throws IOException {
    out.writeByte(b.length);
    out.write(b);
  }

  private static byte[] field(DataInputStream in) throws IOException {
    int n = in.readUnsignedByte();
    if (n > MAX_FIELD) {
      throw new IllegalArgumentException("stored context field too long");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
