package io.edhoc.crypto;

import io.edhoc.cose.CoseCurve;
import java.security.SecureRandom;

/** Chooses an implementation per primitive. The cipher suite says which ones a session needs. */
public interface CryptoProvider {
  Aead aead(AeadAlgorithm algorithm);

  EdhocHash hash(HashAlgorithm algorithm);

  KeyExchange keyExchange(CoseCurve curve);

  Signer signer(SignatureAlgorithm algorithm, CoseCurve curve);

  SecureRandom random();
}
