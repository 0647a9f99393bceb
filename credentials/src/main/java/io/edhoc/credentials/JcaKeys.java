package io.edhoc.credentials;

import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeyType;
import io.edhoc.cose.CoseKeys;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.util.BigIntegers;

/**
 * Conversions between COSE keys and their PKCS#8 / SubjectPublicKeyInfo / JCA forms, with Bouncy
 * Castle. No exception message contains key material.
 */
public final class JcaKeys {
  /** A Bouncy Castle provider instance used locally (never installed globally by this module). */
  public static final Provider BC = new BouncyCastleProvider();

  private JcaKeys() {}

  static ASN1ObjectIdentifier okpOid(CoseCurve c) {
    switch (c) {
      case ED25519:
        return EdECObjectIdentifiers.id_Ed25519;
      case ED448:
        return EdECObjectIdentifiers.id_Ed448;
      case X25519:
        return EdECObjectIdentifiers.id_X25519;
      case X448:
        return EdECObjectIdentifiers.id_X448;
      default:
        return null;
    }
  }

  static ASN1ObjectIdentifier ecCurveOid(CoseCurve c) {
    return c == CoseCurve.P_256 ? X9ObjectIdentifiers.prime256v1 : c == CoseCurve.P_384 ? SECObjectIdentifiers.secp384r1 : null;
  }

  /** SubjectPublicKeyInfo of a public key (EC keys need y). */
  public static SubjectPublicKeyInfo toSpki(CosePublicKey pk) {
    CoseCurve c = pk.curve();
    if (c.keyType() == CoseKeyType.OKP) {
      return new SubjectPublicKeyInfo(new AlgorithmIdentifier(okpOid(c)), pk.x());
    }
    if (!pk.hasY()) {
      throw new IllegalArgumentException("EC public key without y");
    }
    int n = c.coordinateLength();
    byte[] point = new byte[1 + 2 * n];
    point[0] = 4;
    System.arraycopy(pk.x(), 0, point, 1, n);
    System.arraycopy(pk.y(), 0, point, 1 + n, n);
    return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, ecCurveOid(c)), point);
  }

  /** PKCS#8 PrivateKeyInfo (RFC 5958 / RFC 8410; RFC 5915 inside for EC, with the public key). */
  public static PrivateKeyInfo toPrivateKeyInfo(CosePrivateKey sk) {
    CoseCurve c = sk.curve();
    byte[] d = sk.exportSecret();
    try {
      if (c.keyType() == CoseKeyType.OKP) {
        return new PrivateKeyInfo(new AlgorithmIdentifier(okpOid(c)), new DEROctetString(d));
      }
      CosePublicKey pk = sk.publicKey() != null ? sk.publicKey() : CoseKeys.derivePublicKey(c, d);
      byte[] point = toSpki(pk).getPublicKeyData().getBytes();
      ECPrivateKey ec =
          new ECPrivateKey(CoseKeys.ecParameters(c).getN().bitLength(), new BigInteger(1, d), new DERBitString(point), null);
      return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, ecCurveOid(c)), ec);
    } catch (IOException | CoseKeys.CoseKeyException e) {
      throw new IllegalStateException("cannot encode private key: " + e.getClass().getSimpleName());
    } finally {
      Arrays.fill(d, (byte) 0);
    }
  }

  /**
   * Reads a PKCS#8 PrivateKeyInfo: Ed25519 / Ed448 give the 32 / 57-byte seed, X25519 / X448 the
   * 32 / 56-byte scalar, EC P-256 / P-384 the scalar left-padded to the field size. The public key
   * is computed (and, when the structure carries one, compared with it).
   */
  public static CosePrivateKey fromPrivateKeyInfo(PrivateKeyInfo info) throws CredentialException {
    ASN1ObjectIdentifier alg = info.getPrivateKeyAlgorithm().getAlgorithm();
    CoseCurve curve = null;
    for (CoseCurve c : CoseCurve.values()) {
      if (alg.equals(okpOid(c))) {
        curve = c;
      }
    }
    byte[] d = null;
    try {
      if (curve != null) {
        ASN1Encodable inner = info.parsePrivateKey();
        if (!(inner instanceof ASN1OctetString)) {
          throw new CredentialException(CredentialException.Reason.MALFORMED, curve + " private key is not an OCTET STRING");
        }
        d = ((ASN1OctetString) inner).getOctets();
      } else if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
        ASN1Encodable params = info.getPrivateKeyAlgorithm().getParameters();
        if (X9ObjectIdentifiers.prime256v1.equals(params)) {
          curve = CoseCurve.P_256;
        } else if (SECObjectIdentifiers.secp384r1.equals(params)) {
          curve = CoseCurve.P_384;
        } else {
          throw new CredentialException(CredentialException.Reason.WRONG_KEY_TYPE, "EC private key on an unsupported curve (P-256 and P-384 only)");
        }
        ECPrivateKey ec = ECPrivateKey.getInstance(info.parsePrivateKey());
        BigInteger s = ec.getKey();
        if (s.signum() <= 0 || s.bitLength() > 8 * curve.coordinateLength()) {
          throw new CredentialException(CredentialException.Reason.MALFORMED, "EC private scalar out of range");
        }
        d = BigIntegers.asUnsignedByteArray(curve.coordinateLength(), s);
      } else {
        throw new CredentialException(CredentialException.Reason.WRONG_KEY_TYPE, "unsupported private key algorithm " + alg);
      }
      if (d.length != curve.coordinateLength()) {
        throw new CredentialException(
            CredentialException.Reason.MALFORMED, curve + " private key must be " + curve.coordinateLength() + " bytes, found " + d.length);
      }
      CosePublicKey pk = CoseKeys.derivePublicKey(curve, d);
      if (info.getPublicKeyData() != null && curve.keyType() == CoseKeyType.OKP
          && !Arrays.equals(info.getPublicKeyData().getBytes(), pk.x())) {
        throw new CredentialException(CredentialException.Reason.MALFORMED, "public key in the PKCS#8 structure does not match the private key");
      }
      return new CosePrivateKey(curve, d, pk);
    } catch (CoseKeys.CoseKeyException e) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, e.getMessage());
    } catch (IOException | IllegalArgumentException e) {
      throw new CredentialException(CredentialException.Reason.MALFORMED, "PKCS#8 private key is malformed (" + e.getClass().getSimpleName() + ")");
    } finally {
      if (d != null) {
        Arrays.fill(d, (byte) 0);
      }
    }
  }

  /** A JCA private key (Bouncy Castle provider), e.g. to sign certificates. */
  public static PrivateKey toJca(CosePrivateKey sk) {
    byte[] enc = null;
    try {
      enc = toPrivateKeyInfo(sk).getEncoded();
      String alg = sk.curve().keyType() == CoseKeyType.EC2 ? "EC" : sk.curve() == CoseCurve.ED25519 ? "Ed25519"
          : sk.curve() == CoseCurve.ED448 ? "Ed448" : sk.curve() == CoseCurve.X25519 ? "X25519" : "X448";
      return KeyFactory.getInstance(alg, BC).generatePrivate(new PKCS8EncodedKeySpec(enc));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot convert private key: " + e.getClass().getSimpleName());
    } finally {
      if (enc != null) {
        Arrays.fill(enc, (byte) 0);
      }
    }
  }

  /** The JCA signature algorithm name for certificates signed by a key on this curve. */
  public static String signatureAlgorithm(CoseCurve c) {
    switch (c) {
      case ED25519:
        return "Ed25519";
      case ED448:
        return "Ed448";
      case P_256:
        return "SHA256withECDSA";
      case P_384:
        return "SHA384withECDSA";
      default:
        throw new IllegalArgumentException(c + " keys cannot sign");
    }
  }
}
