package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.cbor.Hex;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 9528 section 3.3.2: connection identifiers are byte strings; one-byte identifiers that are
 * the encoding of an int in -24..23 travel as that int, every other identifier as a bstr.
 */
class ConnectionIdTest {
  static Stream<Arguments> ids() {
    return Stream.of(
        Arguments.of("", "40", "05"),
        Arguments.of("05", "05", "37"),
        Arguments.of("37", "37", ""), // 0x37 is the encoding of -24
        Arguments.of("20", "20", "18"),
        Arguments.of("18", "4118", "00"), // 0x18 is not a one-byte int encoding
        Arguments.of("ff", "41ff", "0102"),
        Arguments.of("00", "00", "38"),
        Arguments.of("010203", "43010203", "0a0b0c0d0e0f101112"));
  }

  @ParameterizedTest(name = "C_I = h''{0}'', C_R = h''{2}''")
  @MethodSource("ids")
  void connectionIdentifiersRoundTrip(String cI, String encodedCI, String cR) throws Exception {
    Fixture.Pair p = new Fixture.Pair(Method.STAT_STAT, CipherSuite.SUITE_0);
    byte[] ci = Hex.decode(cI);
    byte[] cr = Hex.decode(cR);
    EdhocConfig ic = p.initiator().connectionIds(ConnectionIdAllocator.fixed(ci)).build();
    EdhocConfig rc = p.responder().connectionIds(ConnectionIdAllocator.fixed(cr)).build();
    Fixture.Done d = Fixture.handshake(ic, rc);
    byte[] tail = Arrays.copyOfRange(d.m1, d.m1.length - encodedCI.length() / 2, d.m1.length);
    assertThat(Hex.encode(tail)).as("C_I as it ends message_1").isEqualTo(encodedCI);
    assertThat(d.r1.connectionIdI()).isEqualTo(ci);
    for (EdhocSession s : new EdhocSession[] {d.initiator, d.responder}) {
      assertThat(s.connectionIdI()).isEqualTo(ci);
      assertThat(s.connectionIdR()).isEqualTo(cr);
    }
    assertThat(d.initiator.ownConnectionId()).isEqualTo(ci);
    assertThat(d.initiator.peerConnectionId()).isEqualTo(cr);
    assertThat(d.responder.ownConnectionId()).isEqualTo(cr);
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();
  }
}
