package io.edhoc.service.client;

import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.EchoOption;
import io.edhoc.oscore.EdhocOption;
import io.edhoc.oscore.OscoreContext;
import io.edhoc.service.coap.CoapTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCoapStackFactory;

/**
 * EDHOC over CoAP for the {@code connect} command, and one OSCORE-protected GET afterwards: a
 * Californium client endpoint with the OSCORE stack, bound to an ephemeral port (on loopback when
 * the server is on loopback). A 4.01 with an Echo option (the server's RFC 9175 reachability check)
 * is answered once by repeating the request with that Echo value.
 */
public final class CoapClientTransport implements EdhocClient.Transport, AutoCloseable {
  private final URI uri;
  private final HashMapCtxDB db = new HashMapCtxDB();
  private final CaliforniumContexts contexts = new CaliforniumContexts(db);
  private final CoapEndpoint endpoint;
  private final long timeoutMs;

  public CoapClientTransport(URI uri, long timeoutMs) throws IOException {
    this.uri = uri;
    this.timeoutMs = timeoutMs;
    InetAddress target = InetAddress.getByName(uri.getHost());
    InetSocketAddress local = target.isLoopbackAddress() ? new InetSocketAddress(target, 0) : new InetSocketAddress(0);
    this.endpoint = CoapEndpoint.builder().setConfiguration(CoapTransport.configuration()).setInetSocketAddress(local)
        .setCoapStackFactory(new OSCoreCoapStackFactory()).setCustomCoapStackArgument(db).build();
    try {
      endpoint.start();
    } catch (IOException e) {
      throw new IOException("cannot open a UDP socket: " + e.getMessage(), e);
    }
  }

  @Override
  public EdhocClient.Reply post(byte[] body) throws IOException {
    CoapResponse r = send(body, null);
    if (EchoOption.isChallenge(r.advanced())) {
      r = send(body, EchoOption.get(r.getOptions())); // once: a second 4.01 is the answer
    }
    return new EdhocClient.Reply(r.isSuccess(), r.getCode().text + " (" + r.getCode() + ")", r.getPayload() == null ? new byte[0] : r.getPayload());
  }

  private CoapResponse send(byte[] body, byte[] echo) throws IOException {
    CoapClient c = new CoapClient(uri).setEndpoint(endpoint).setTimeout(timeoutMs);
    try {
      Request req = Request.newPost();
      req.setURI(uri);
      req.setPayload(body);
      req.getOptions().setContentFormat(EdhocOption.CID_EDHOC_CBOR_SEQ);
      if (echo != null) {
        EchoOption.set(req.getOptions(), echo);
      }
      CoapResponse r = c.advanced(req);
      if (r == null) {
        throw new IOException("no answer from " + uri + " within " + timeoutMs + " ms");
      }
      return r;
    } catch (ConnectorException e) {
      throw new IOException("CoAP request to " + uri + " failed: " + e.getMessage(), e);
    } finally {
      c.shutdown();
    }
  }

  /** Sends one OSCORE-protected GET to {@code path} on the same server, with the context from EDHOC. */
  public CoapResponse oscoreGet(OscoreContext context, String path) throws IOException {
    URI target = uri.resolve(path.startsWith("/") ? path : "/" + path);
    try {
      contexts.installClient(context, target.toString());
    } catch (CaliforniumContexts.UnsupportedOscoreContextException e) {
      throw new IOException("cannot use the OSCORE context: " + e.getMessage(), e);
    }
    CoapClient c = new CoapClient(target).setEndpoint(endpoint).setTimeout(timeoutMs);
    try {
      Request req = Request.newGet();
      req.setURI(target);
      req.getOptions().setOscore(new byte[0]);
      // a server that lost this context's replay window (restart, other node) answers 4.01 + Echo once
      CoapResponse r = io.edhoc.oscore.OscoreEchoClient.send(c, req);
      if (r == null) {
        throw new IOException("no answer to the OSCORE GET " + target + " within " + timeoutMs + " ms");
      }
      return r;
    } catch (ConnectorException e) {
      throw new IOException("OSCORE GET failed: " + e.getMessage(), e);
    } finally {
      c.shutdown();
    }
  }

  @Override
  public void close() {
    endpoint.destroy();
  }
}
