package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.Initiator;
import io.edhoc.Method;
import io.edhoc.credentials.ConnectionIdCodec;
import io.edhoc.service.config.ServiceConfig;
import io.edhoc.service.load.HalfOpenFlood;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CoAP retransmissions of EDHOC requests (same source, same Message ID), as a client sends them
 * when an answer is lost: the service's compact deduplication answers them with the first answer,
 * without running the engine again or storing a second session.
 */
class RetransmissionTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void retransmittedMessage1And3GetTheFirstAnswersAgain() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.http.enabled = false;
    c.limits.ratePerSourcePerSecond = 0;
    c.coap.echoReachability = "off";
    try (EdhocService svc = EdhocService.start(c, null); DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(10_000);
      InetSocketAddress server = new InetSocketAddress("127.0.0.1", svc.coapPort());
      Initiator.AwaitingMessage2 w2 = Edhoc.initiator(TestSupport.clientConfig(dir, CipherSuite.SUITE_2, Method.STAT_STAT)).writeMessage1();
      byte[] m1 = HalfOpenFlood.request(0x1234, w2.message1());
      byte[] a1 = exchange(s, server, m1);
      byte[] a2 = exchange(s, server, m1);
      assertThat(a1[1]).as("2.04").isEqualTo((byte) 0x44);
      assertThat(a2).as("the same message_2 again").isEqualTo(a1);
      assertThat(svc.sessionStore().size()).as("one session, not two").isEqualTo(1);
      assertThat(svc.coapTransport().replayCache().size()).isEqualTo(1);

      byte[] message2 = Arrays.copyOfRange(a1, payloadStart(a1), a1.length);
      Initiator.AwaitingMessage4 w4 = w2.readMessage2(message2).writeMessage3();
      byte[] m3 = request(0x1235, ServiceTest.concat(ConnectionIdCodec.encode(w4.connectionIdR()), w4.message3()));
      byte[] b1 = exchange(s, server, m3);
      byte[] b2 = exchange(s, server, m3);
      assertThat(b1[1]).as("2.04").isEqualTo((byte) 0x44);
      assertThat(b2[1]).as("2.04 again, not 4.00 unknown C_R").isEqualTo((byte) 0x44);
      w4.complete().close();
      assertThat(svc.metrics().scrape()).contains("edhoc_handshakes_completed_total{method=\"3\",suite=\"2\",transport=\"coap\"} 1.0")
          .doesNotContain("unknown_c_r");
    }
  }

  private static byte[] exchange(DatagramSocket s, InetSocketAddress server, byte[] req) throws Exception {
    s.send(new DatagramPacket(req, req.length, server));
    byte[] buf = new byte[2048];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    s.receive(p);
    return Arrays.copyOf(buf, p.getLength());
  }

  /** CON POST /.well-known/edhoc, Content-Format 65, any payload. */
  private static byte[] request(int mid, byte[] payload) {
    byte[] withTrue = HalfOpenFlood.request(mid, new byte[0]);
    byte[] head = Arrays.copyOf(withTrue, withTrue.length - 1); // without the 0xf5 of message_1
    return ServiceTest.concat(head, payload);
  }

  private static int payloadStart(byte[] msg) {
    for (int i = 4; i < msg.length; i++) { // no token; the options here never contain 0xff
      if (msg[i] == (byte) 0xff) {
        return i + 1;
      }
    }
    throw new AssertionError("no payload");
  }
}
