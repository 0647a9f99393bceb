package io.edhoc.vectors;

import io.edhoc.cbor.CborWriter;
import io.edhoc.cose.CoseCurve;
import io.edhoc.cose.CoseKeyType;
import io.edhoc.cose.CosePrivateKey;
import io.edhoc.cose.CosePublicKey;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.CredentialException;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.crypto.DefaultCrypto;
import java.security.SecureRandom;

/** Fresh CCS credentials on any curve, for conformance matrices and negative tests. */
public final class TestCredentials {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestCredentials() {}

  /** A new key on {@code curve} in a CCS {2: sub, 8: {1: COSE_Key}} with the given kid; sent by reference. */
  public static OwnCredential ccs(CoseCurve curve, String sub, byte[] kid) {
    CosePrivateKey k = generate(curve);
    return OwnCredential.byReference(ccsFor(k.publicKey(), sub, kid), k);
  }

  /** A fresh private key on any curve (EC2 keys serve both ECDH and ECDSA). */
  public static CosePrivateKey generate(CoseCurve curve) {
    if (curve.use().agrees()) {
      return DefaultCrypto.get().keyExchange(curve).generate(RANDOM);
    }
    byte[] seed = new byte[curve.coordinateLength()];
    RANDOM.nextBytes(seed);
    byte[] pk = new byte[curve.coordinateLength()];
    if (curve == CoseCurve.ED25519) {
      org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pk, 0);
    } else {
      org.bouncycastle.math.ec.rfc8032.Ed448.generatePublicKey(seed, 0, pk, 0);
    }
    return new CosePrivateKey(curve, seed, new CosePublicKey(curve, pk, null));
  }

  public static CcsCredential ccsFor(CosePublicKey pk, String sub, byte[] kid) {
    boolean ec2 = pk.curve().keyType() == CoseKeyType.EC2;
    CborWriter w = new CborWriter().writeMapHeader(2).writeInt(2).writeText(sub).writeInt(8).writeMapHeader(1).writeInt(1)
        .writeMapHeader(ec2 ? 5 : 4).writeInt(1).writeInt(pk.curve().keyType().coseId()).writeInt(2).writeBytes(kid)
        .writeInt(-1).writeInt(pk.curve().coseId()).writeInt(-2).writeBytes(pk.x());
    if (ec2) {
      w.writeInt(-3).writeBytes(pk.y());
    }
    try {
      return CcsCredential.parse(w.toByteArray());
    } catch (CredentialException e) {
      throw new IllegalStateException(e);
    }
  }
}
