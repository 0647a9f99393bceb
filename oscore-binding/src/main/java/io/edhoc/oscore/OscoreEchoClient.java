package io.edhoc.oscore;

import java.io.IOException;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.elements.exception.ConnectorException;

/**
 * The client side of RFC 8613 Appendix B.1.2: a server that lost a context's replay window
 * (restart, another cluster node) answers an OSCORE request with a protected 4.01 carrying an Echo
 * option; the client sends the same request once more, OSCORE-protected with a new Partial IV and
 * that Echo value (RFC 9175 section 2.3). A second challenge is returned as the answer.
 */
public final class OscoreEchoClient {
  private OscoreEchoClient() {}

  /**
   * Sends {@code request} through {@code client} (the request should carry the OSCORE option) and
   * answers one Echo challenge. Returns the final response, or null on timeout.
   */
  public static CoapResponse send(CoapClient client, Request request) throws IOException, ConnectorException {
    Request again = copy(request); // before sending: OSCORE rewrites the options of the original
    CoapResponse r = client.advanced(request);
    if (r != null && EchoOption.isChallenge(r.advanced())) {
      EchoOption.set(again.getOptions(), EchoOption.get(r.getOptions()));
      r = client.advanced(again);
    }
    return r;
  }

  /** A GET of {@code uri} protected with the context installed for its server, answering one Echo challenge. */
  public static CoapResponse get(CoapClient client, String uri) throws IOException, ConnectorException {
    Request get = Request.newGet();
    get.setURI(uri);
    get.getOptions().setOscore(org.eclipse.californium.elements.util.Bytes.EMPTY);
    return send(client, get);
  }

  static Request copy(Request request) {
    Request c = new Request(request.getCode(), request.getType());
    if (request.getDestinationContext() != null) {
      c.setURI(request.getURI()); // destination; the options below replace the path and query it set
    }
    c.setOptions(new OptionSet(request.getOptions()));
    c.setPayload(request.getPayload());
    return c;
  }
}
