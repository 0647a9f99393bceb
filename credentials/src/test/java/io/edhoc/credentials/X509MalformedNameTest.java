package io.edhoc.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.cbor.Hex;
import org.junit.jupiter.api.Test;

/**
 * Fuzz finding (fuzz/ CredentialsFuzzTest#certificate, input crash-subject-invalid-utf8): a
 * certificate that is valid DER but whose subject holds invalid UTF-8 escaped as an
 * IllegalArgumentException from Bouncy Castle's lazy name decoding. It is a malformed credential.
 */
class X509MalformedNameTest {
  @Test
  void invalidUtf8InTheSubjectIsAMalformedCredential() throws CredentialException {
    byte[] der = Hex.decode(Rfc9529CredentialsTest.CRED_R_2);
    X509Credential ok = X509Credential.parse(der);
    assertThat(ok.toString()).isNotEmpty();
    // the subject CN is a UTF8String "EDHOC Responder..."; replace its first character by 0xff
    int at = indexOf(der, "EDHOC Responder".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(at).isPositive();
    byte[] bad = der.clone();
    bad[at] = (byte) 0xff;
    assertThatThrownBy(() -> X509Credential.parse(bad)).isInstanceOfSatisfying(CredentialException.class,
        e -> assertThat(e.reason()).isEqualTo(CredentialException.Reason.MALFORMED));
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
