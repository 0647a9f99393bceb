package io.edhoc;

import io.edhoc.cbor.Hex;
import io.edhoc.cose.CoseCurve;
import java.util.List;
import java.util.stream.Collectors;

/** The invalid and low-order keys of {@link InvalidPublicKeyTest}, for the crypto package's tests. */
public final class InvalidPublicKeyTestAccess {
  private InvalidPublicKeyTestAccess() {}

  public static List<String> lowOrderAndInvalid(CoseCurve curve) {
    return InvalidPublicKeyTest.bad(curve).stream().map(Hex::encode).collect(Collectors.toList());
  }
}
