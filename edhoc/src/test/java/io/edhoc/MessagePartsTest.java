package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import io.edhoc.cbor.Hex;
import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The small parts of messages at their edges: error message parsing and description, EAD items,
 * the parameters each handshake state reports, and the cipher suites' application algorithms.
 */
class MessagePartsTest {
  @Test
  void errorMessageRecognitionNeedsALeadingWellFormedInt() {
    assertThat(ErrorMessage.isErrorMessage(new byte[0])).isFalse();
    assertThat(ErrorMessage.isErrorMessage(Hex.decode("41ff"))).as("a bstr is message_2/3/4").isFalse();
    assertThat(ErrorMessage.isErrorMessage(Hex.decode("20"))).as("negative ERR_CODE is an int too").isTrue();
    assertThat(ErrorMessage.isErrorMessage(Hex.decode("0202"))).isTrue();
  }

  @Test
  void errCodeMustFitAnInt() throws CborException {
    assertThatThrownBy(() -> ErrorMessage.parse(Hex.decode("1a8000000000"))).isInstanceOf(CborException.class); // 2^31
    assertThatThrownBy(() -> ErrorMessage.parse(Hex.decode("3a8000000000"))).isInstanceOf(CborException.class); // -2^31 - 1
    assertThat(ErrorMessage.parse(Hex.decode("1a7fffffff00")).code()).isEqualTo(Integer.MAX_VALUE);
    assertThat(ErrorMessage.parse(Hex.decode("3a7fffffff00")).code()).isEqualTo(Integer.MIN_VALUE);
  }

  @Test
  void errInfoIsCheckedPerCodeAndNothingMayFollow() throws CborException {
    assertThat(ErrorMessage.parse(Hex.decode("03f5")).code()).isEqualTo(3);
    assertThatThrownBy(() -> ErrorMessage.parse(Hex.decode("03f4"))).isInstanceOf(CborException.class).hasMessageContaining("true");
    ErrorMessage unknown = ErrorMessage.parse(Hex.decode("05820102")); // ERR_CODE 5, ERR_INFO [1, 2], skipped whole
    assertThat(unknown.code()).isEqualTo(5);
    assertThat(unknown.encoded()).isEqualTo(Hex.decode("05820102"));
    assertThatThrownBy(() -> ErrorMessage.parse(Hex.decode("058201"))).as("truncated ERR_INFO").isInstanceOf(CborException.class);
    assertThatThrownBy(() -> ErrorMessage.parse(Hex.decode("0582010203"))).as("trailing byte").isInstanceOf(CborException.class);
    assertThatThrownBy(() -> ErrorMessage.parse(Hex.decode("056161ff"))).as("trailing byte").isInstanceOf(CborException.class);
    assertThatThrownBy(() -> ErrorMessage.parse(Hex.decode("0202ff"))).as("trailing byte").isInstanceOf(CborException.class);
  }

  @Test
  void errorMessagesDescribeThemselvesWithoutControlCharacters() throws CborException {
    assertThat(ErrorMessage.parse(ErrorMessage.unspecified("bad\nthing")).toString()).isEqualTo("ERR_CODE 1 (bad?thing)");
    String longText = "x".repeat(81);
    assertThat(ErrorMessage.parse(ErrorMessage.unspecified(longText)).toString()).isEqualTo("ERR_CODE 1 (" + "x".repeat(80) + "...)");
    assertThat(ErrorMessage.parse(ErrorMessage.unspecified("x".repeat(80))).toString()).isEqualTo("ERR_CODE 1 (" + "x".repeat(80) + ")");
    assertThat(ErrorMessage.parse(ErrorMessage.wrongSelectedCipherSuite(List.of(2, 6))).toString()).isEqualTo("ERR_CODE 2 (SUITES_R [2, 6])");
    assertThat(ErrorMessage.parse(ErrorMessage.unknownCredentialReferenced()).toString()).isEqualTo("ERR_CODE 3");
    assertThat(ErrorMessage.parse(Hex.decode("0900")).toString()).isEqualTo("ERR_CODE 9");
  }

  @Test
  void eadItemsKeepLabelAndValueAndShowNoValueBytes() throws CborException {
    List<EadItem> items = EadItem.readAll(new CborReader(Hex.decode("0143aabbcc2000")));
    assertThat(items).hasSize(3);
    EadItem first = items.get(0);
    assertThat(first.label()).isEqualTo(1);
    assertThat(first.hasValue()).isTrue();
    assertThat(first.value()).isEqualTo(Hex.decode("aabbcc"));
    assertThat(first.isCritical()).isFalse();
    assertThat(first.toString()).isEqualTo("EAD(1, 3 bytes)").doesNotContain("aa");
    EadItem critical = items.get(1);
    assertThat(critical.label()).isEqualTo(-1);
    assertThat(critical.isCritical()).isTrue();
    assertThat(critical.hasValue()).isFalse();
    assertThat(critical.value()).isNull();
    assertThat(critical.toString()).isEqualTo("EAD(-1)");
    EadItem padding = items.get(2);
    assertThat(padding.isPadding()).isTrue();
    assertThat(padding.isCritical()).as("label 0 is padding, never critical").isFalse();
    assertThat(first).isEqualTo(EadItem.readAll(new CborReader(Hex.decode("0143aabbcc"))).get(0));
    assertThat(first).isNotEqualTo(critical).isNotEqualTo(EadItem.readAll(new CborReader(Hex.decode("0143aabbcd"))).get(0)).isNotEqualTo("EAD");
    assertThat(first.hashCode()).isEqualTo(EadItem.readAll(new CborReader(Hex.decode("0143aabbcc"))).get(0).hashCode());
    assertThat(first.hashCode()).isNotEqualTo(EadItem.readAll(new CborReader(Hex.decode("0243aabbcc"))).get(0).hashCode());
    assertThat(first.hashCode()).isNotEqualTo(EadItem.readAll(new CborReader(Hex.decode("0143aabbcd"))).get(0).hashCode());
  }

  @Test
  void eadLabelsMustFitAnInt() throws CborException {
    assertThatThrownBy(() -> EadItem.readAll(new CborReader(Hex.decode("1a80000000")))).isInstanceOf(CborException.class);
    assertThatThrownBy(() -> EadItem.readAll(new CborReader(Hex.decode("3a80000000")))).isInstanceOf(CborException.class);
    assertThat(EadItem.readAll(new CborReader(Hex.decode("1a7fffffff"))).get(0).label()).isEqualTo(Integer.MAX_VALUE);
    assertThat(EadItem.readAll(new CborReader(Hex.decode("3a7fffffff"))).get(0).label()).isEqualTo(Integer.MIN_VALUE);
  }

  @Test
  void paddingHasExactlyTheRequestedSizeAndARandomValue() {
    for (int n : new int[] {1, 2, 25, 26, 27, 258, 259, 260, 65538}) {
      assertThat(EadItem.encode(EadItem.padding(n, Fixture.RANDOM))).as(n + " bytes").hasSize(n);
    }
    assertThatThrownBy(() -> EadItem.padding(0, Fixture.RANDOM)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EadItem.padding(65539, Fixture.RANDOM)).isInstanceOf(IllegalArgumentException.class);
    byte[] v = EadItem.padding(40, Fixture.RANDOM).get(0).value();
    assertThat(v).isNotEqualTo(new byte[v.length]);
  }

  @Test
  void everyStateReportsTheNegotiatedParameters() throws EdhocException {
    Fixture.Pair p = new Fixture.Pair(Method.SIG_STAT, CipherSuite.SUITE_2);
    Initiator.AwaitingMessage2 w2 = Edhoc.initiator(p.initiator().build()).writeMessage1();
    assertThat(w2.method()).isEqualTo(Method.SIG_STAT);
    assertThat(w2.suite()).isEqualTo(CipherSuite.SUITE_2);
    Responder.Message1Received r1 = Edhoc.responder(p.responder().build()).readMessage1(w2.message1());
    assertThat(r1.method()).isEqualTo(Method.SIG_STAT);
    assertThat(r1.suite()).isEqualTo(CipherSuite.SUITE_2);
    assertThat(r1.connectionIdI()).isEqualTo(w2.connectionIdI());
    Responder.AwaitingMessage3 w3 = r1.writeMessage2();
    assertThat(w3.connectionIdI()).isEqualTo(w2.connectionIdI());
    assertThat(w3.suite()).isEqualTo(CipherSuite.SUITE_2);
    assertThat(w3.method()).isEqualTo(Method.SIG_STAT);
    Initiator.Message2Verified v2 = w2.readMessage2(w3.message2());
    assertThat(v2.connectionIdR()).isEqualTo(w3.connectionIdR());
    assertThat(v2.connectionIdI()).isEqualTo(w2.connectionIdI());
    assertThat(v2.suite()).isEqualTo(CipherSuite.SUITE_2);
    assertThat(v2.peerCredential().cred()).isEqualTo(p.credR.credential().cred());
    Initiator.AwaitingMessage4 w4 = v2.writeMessage3();
    assertThat(w4.connectionIdR()).isEqualTo(w3.connectionIdR());
    assertThat(w4.method()).isEqualTo(Method.SIG_STAT);
    assertThat(w4.suite()).isEqualTo(CipherSuite.SUITE_2);
    Responder.Message3Verified v3 = w3.readMessage3(w4.message3());
    assertThat(v3.peerCredential().cred()).isEqualTo(p.credI.credential().cred());
    v3.complete().close();
    w4.complete().close();
  }

  @Test
  void suitesNameTheirApplicationAlgorithms() {
    assertThat(CipherSuite.SUITE_2.applicationAead()).isEqualTo(AeadAlgorithm.AES_CCM_16_64_128);
    assertThat(CipherSuite.SUITE_2.applicationHash()).isEqualTo(HashAlgorithm.SHA_256);
    assertThat(CipherSuite.SUITE_24.applicationAead()).isEqualTo(AeadAlgorithm.A256GCM);
    assertThat(CipherSuite.SUITE_24.applicationHash()).isEqualTo(HashAlgorithm.SHA_384);
    assertThat(CipherSuite.SUITE_6.toString()).isEqualTo("suite 6");
  }
}
