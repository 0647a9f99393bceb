package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.oscore.EdhocOption;
import io.edhoc.service.config.ServiceConfig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.core.coap.Token;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/service.md promises 4.13 with Size1 for every oversized CoAP body. A client that sends the
 * body in one datagram (aiocoap, a raw socket; Californium's own client would switch to Block1)
 * used to get no answer at all above Californium's default 2048-byte datagram size.
 */
class CoapOversizeTest {
  @TempDir static Path dir;
  static EdhocService svc;

  @BeforeAll
  static void start() throws Exception {
    ServiceConfig c = TestSupport.config(dir);
    c.http.enabled = false;
    c.admin.enabled = false;
    c.limits.ratePerSourcePerSecond = 0;
    svc = EdhocService.start(c, null);
  }

  @AfterAll
  static void stop() {
    if (svc != null) {
      svc.close();
    }
  }

  @ParameterizedTest(name = "a {0}-byte body in one datagram gets 4.13 with Size1")
  @ValueSource(ints = {1025, 2100, 4000, 20_000, 65_000})
  void oversizedBodyInOneDatagramGets413(int size) throws Exception {
    byte[] body = new byte[size];
    body[0] = (byte) 0xf5;
    Request req = Request.newPost();
    req.setConfirmable(true);
    req.setMID(4242 + size % 1000);
    req.setToken(Token.fromProvider(new byte[] {1, 2, 3, 4}));
    req.getOptions().setUriPath(".well-known/edhoc").setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
    req.setPayload(body);
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", svc.coapPort());
    req.setDestinationContext(new AddressEndpointContext(server));
    RawData raw = new UdpDataSerializer().serializeRequest(req);
    assertThat(raw.getSize()).isGreaterThan(size); // really one datagram
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(10_000);
      s.send(new DatagramPacket(raw.getBytes(), raw.getSize(), server));
      byte[] buf = new byte[2048];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        s.receive(p);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no answer to a " + size + "-byte body (dropped silently)", e);
      }
      Message m = new UdpDataParser().parseMessage(java.util.Arrays.copyOf(buf, p.getLength()));
      assertThat(m).isInstanceOf(Response.class);
      Response r = (Response) m;
      assertThat(r.getCode()).isEqualTo(CoAP.ResponseCode.REQUEST_ENTITY_TOO_LARGE);
      assertThat(r.getOptions().getSize1()).isEqualTo(svc.config().limits.maxBodyBytes);
    }
  }
}
