package io.edhoc.credentials;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.CborType;
import io.edhoc.cbor.CborWriter;
import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseLabels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * ID_CRED_x (RFC 9528 section 3.5.3): a map of COSE header parameters that identifies a
 * credential. Holds the exact encoded map (what enters context_2/3 and the COSE protected
 * header) and knows the compact plaintext form of section 3.5.3.2.
 */
public final class IdCred {
  /** The ID_CRED forms this library understands. */
  public enum Kind {
    KID,
    KCCS,
    KCWT,
    X5CHAIN,
    X5T
  }

  private final byte[] encodedMap;
  private final Kind kind;
  private final byte[] kid;
  private final byte[] byValue; // CCS / CWT raw bytes
  private final List<byte[]> x5chain;
  private final long x5tAlg;
  private final byte[] x5tHash;

  private IdCred(byte[] encodedMap, Kind kind, byte[] kid, byte[] byValue, List<byte[]> x5chain, long x5tAlg, byte[] x5tHash) {
    this.encodedMap = encodedMap;
    this.kind = kind;
    this.kid = kid;
    this.byValue = byValue;
    this.x5chain = x5chain;
    this.x5tAlg = x5tAlg;
    this.x5tHash = x5tHash;
  }

  /** {4: kid}. */
  public static IdCred kid(byte[] kid) {
    byte[] map = new CborWriter().writeMapHeader(1).writeInt(CoseLabels.HDR_KID).writeBytes(kid).toByteArray();
    return new IdCred(map, Kind.KID, kid.clone(), null, null, 0, null);
  }

  /** {14: CCS}, the CCS inserted byte for byte. */
  public static IdCred kccs(byte[] ccs) {
    byte[] map = new CborWriter().writeMapHeader(1).writeInt(CoseLabels.HDR_KCCS).writeRaw(ccs).toByteArray();
    return new IdCred(map, Kind.KCCS, null, ccs.clone(), null, 0, null);
  }

  /** {13: CWT}, the CWT inserted byte for byte. */
  public static IdCred kcwt(byte[] cwt) {
    byte[] map = new CborWriter().writeMapHeader(1).writeInt(CoseLabels.HDR_KCWT).writeRaw(cwt).toByteArray();
    return new IdCred(map, Kind.KCWT, null, cwt.clone(), null, 0, null);
  }

  /** {33: cert} for one certificate, {33: [certs]} for a chain (leaf first), RFC 9360. */
  public static IdCred x5chain(List<byte[]> derCertificates) {
    if (derCertificates.isEmpty()) {
      throw new IllegalArgumentException("empty x5chain");
    }
    CborWriter w = new CborWriter().writeMapHeader(1).writeInt(CoseLabels.HDR_X5CHAIN);
    if (derCertificates.size() == 1) {
      w.writeBytes(derCertificates.get(0));
    } else {
      w.writeArrayHeader(derCertificates.size());
      for (byte[] c : derCertificates) {
        w.writeBytes(c);
      }
    }
    List<byte[]> copy = new ArrayList<>();
    for (byte[] c : derCertificates) {
      copy.add(c.clone());
    }
    return new IdCred(w.toByteArray(), Kind.X5CHAIN, null, null, Collections.unmodifiableList(copy), 0, null);
  }

  /** {34: [alg, hash]}, RFC 9360 (alg -15 = SHA-256/64, -16 = SHA-256). */
  public static IdCred x5t(long alg, byte[] hash) {
    byte[] map =
        new CborWriter().writeMapHeader(1).writeInt(CoseLabels.HDR_X5T).writeArrayHeader(2).writeInt(alg).writeBytes(hash).toByteArray();
    return new IdCred(map, Kind.X5T, null, null, null, alg, hash.clone());
  }

  /** Parses a full ID_CRED_x map. Unknown or unsupported forms are an error that names them. */
  public static IdCred fromMap(byte[] encodedMap) throws CborException {
    CborReader r = new CborReader(encodedMap);
    int n = r.readMapHeader();
    if (n != 1) {
      throw new CborException("ID_CRED with " + n + " parameters is not supported (exactly one expected)");
    }
    long label = r.readInt();
    IdCred result;
    if (label == CoseLabels.HDR_KID) {
      result = kid(r.readBytes());
    } else if (label == CoseLabels.HDR_KCCS || label == CoseLabels.HDR_KCWT) {
      if (label == CoseLabels.HDR_KCCS && r.peekType() != CborType.MAP) {
        throw new CborException("kccs must carry a CCS map");
      }
      byte[] raw = r.readRawItem();
      result = label == CoseLabels.HDR_KCCS ? kccs(raw) : kcwt(raw);
    } else if (label == CoseLabels.HDR_X5CHAIN) {
      List<byte[]> certs = new ArrayList<>();
      if (r.peekType() == CborType.ARRAY) {
        int m = r.readArrayHeader();
        if (m == 0) {
          throw new CborException("empty x5chain");
        }
        for (int i = 0; i < m; i++) {
          certs.add(r.readBytes());
        }
      } else {
        certs.add(r.readBytes());
      }
      result = x5chain(certs);
    } else if (label == CoseLabels.HDR_X5T) {
      if (r.readArrayHeader() != 2) {
        throw new CborException("x5t must be [alg, hash]");
      }
      long alg = r.readInt();
      result = x5t(alg, r.readBytes());
    } else {
      throw new CborException("unsupported ID_CRED parameter " + label);
    }
    r.expectEnd("ID_CRED");
    if (!Arrays.equals(result.encodedMap, encodedMap)) {
      throw new CborException("ID_CRED is not in deterministic encoding");
    }
    return result;
  }

  /**
   * Reads ID_CRED_x as it appears in PLAINTEXT_2/3 (section 3.5.3.2): a map, or the compact
   * form of {4: kid}, a one-byte CBOR int or a byte string.
   */
  public static IdCred readFromPlaintext(CborReader r) throws CborException {
    CborType t = r.peekType();
    if (t.isInteger()) {
      int start = r.position();
      long v = r.readInt();
      if (v < -24 || v > 23) {
        throw new CborException("compact kid must be a one-byte CBOR int");
      }
      return kid(new byte[] {ConnectionIdCodec.oneByteIntEncoding(v)});
    } else if (t == CborType.BYTES) {
      byte[] k = r.readBytes();
      if (k.length == 1 && ConnectionIdCodec.isOneByteInt(k[0])) {
        throw new CborException("compact kid that encodes a one-byte int must be sent as that int");
      }
      return kid(k);
    } else if (t == CborType.MAP) {
      byte[] raw = r.readRawItem();
      IdCred c = fromMap(raw);
      if (c.kind == Kind.KID) {
        throw new CborException("ID_CRED {4: kid} must be sent in compact form");
      }
      return c;
    }
    throw new CborException("ID_CRED must be a map, a byte string or an int");
  }

  /** ID_CRED_x as it is written in PLAINTEXT_2/3: compact for {4: kid}, else the map. */
  public byte[] plaintextEncoding() {
    if (kind == Kind.KID) {
      if (kid.length == 1 && ConnectionIdCodec.isOneByteInt(kid[0])) {
        return new byte[] {kid[0]};
      }
      return CborWriter.bstr(kid);
    }
    return encodedMap.clone();
  }

  /** The full encoded map. */
  public byte[] encodedMap() {
    return encodedMap.clone();
  }

  public Kind kind() {
    return kind;
  }

  public boolean isByValue() {
    return kind == Kind.KCCS || kind == Kind.KCWT || kind == Kind.X5CHAIN;
  }

  public byte[] kid() {
    return kid == null ? null : kid.clone();
  }

  /** The CCS or CWT bytes of kccs / kcwt. */
  public byte[] valueBytes() {
    return byValue == null ? null : byValue.clone();
  }

  /** The DER certificates of x5chain, leaf first. */
  public List<byte[]> x5chain() {
    if (x5chain == null) {
      return null;
    }
    List<byte[]> r = new ArrayList<>();
    for (byte[] c : x5chain) {
      r.add(c.clone());
    }
    return r;
  }

  public long x5tAlgorithm() {
    return x5tAlg;
  }

  public byte[] x5tHash() {
    return x5tHash == null ? null : x5tHash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdCred && Arrays.equals(encodedMap, ((IdCred) o).encodedMap);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encodedMap);
  }

  /** Names the form; identifiers are public values, so kid and x5t hash are shown. */
  @Override
  public String toString() {
    switch (kind) {
      case KID:
        return "kid h'" + Hex.encode(kid) + "'";
      case X5T:
        return "x5t h'" + Hex.encode(x5tHash) + "'";
      case X5CHAIN:
        return "x5chain (" + x5chain.size() + " certificates)";
      default:
        return kind.name().toLowerCase() + " (by value, " + byValue.length + " bytes)";
    }
  }
}
