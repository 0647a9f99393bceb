package io.edhoc.oscore;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.stack.AbstractLayer;
import org.eclipse.californium.oscore.CoapOSException;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSCoreCtxDB;
import org.eclipse.californium.oscore.OscoreOptionDecoder;

/**
 * RFC 8613 Appendix B.1.2 on the server, just above Californium's ObjectSecurityLayer: a request
 * decrypted with a {@link StoredOSCoreCtx} that has no replay window yet is not passed up. Without
 * this copy's Echo value it is answered 4.01 Unauthorized with an Echo option (RFC 9175) and no
 * payload, OSCORE-protected with the server's own Partial IV; with it, its Partial IV becomes the
 * lower limit of the replay window and the request proceeds. A request that was decrypted before
 * the window existed but arrives here after it was initialised is checked against the window now
 * (a replay gets an unprotected 4.01, as Californium answers replays). Other contexts pass
 * untouched.
 */
final class OscoreEchoLayer extends AbstractLayer {
  private final OSCoreCtxDB db;

  OscoreEchoLayer(OSCoreCtxDB db) {
    this.db = db;
    if (db instanceof StoreBackedCtxDB s) {
      s.echoLayerCreated();
    }
  }

  @Override
  public void receiveRequest(Exchange exchange, Request request) {
    byte[] oscore = exchange.getCryptographicContextID();
    OSCoreCtx ctx = oscore == null ? null : db.getContextByToken(request.getToken());
    if (ctx instanceof StoredOSCoreCtx stored) {
      int seq;
      try {
        seq = new OscoreOptionDecoder(oscore).getSequenceNumber();
      } catch (CoapOSException e) {
        seq = -1;
      }
      StoredOSCoreCtx.Verdict v = seq < 0 ? StoredOSCoreCtx.Verdict.REPLAY : stored.admit(seq, EchoOption.get(request.getOptions()));
      if (v == StoredOSCoreCtx.Verdict.CHALLENGE) {
        Response r = answer(request, ResponseCode.UNAUTHORIZED);
        EchoOption.set(r.getOptions(), stored.echoValue());
        try {
          super.sendResponse(exchange, r); // protected with a fresh Partial IV of ours, never the request's nonce
        } finally {
          stored.challengeSent();
        }
        return;
      }
      if (v == StoredOSCoreCtx.Verdict.REPLAY) {
        Response r = answer(request, ResponseCode.UNAUTHORIZED);
        r.setPayload("Replay detected");
        exchange.setCryptographicContextID(null); // unprotected, like Californium's own replay answer
        super.sendResponse(exchange, r);
        return;
      }
    }
    super.receiveRequest(exchange, request);
  }

  /**
   * A response sent from here, below the reliability layer: piggybacked on the ACK of a
   * confirmable request (its MID), otherwise non-confirmable (the matcher assigns a MID).
   */
  private static Response answer(Request request, ResponseCode code) {
    Response r = new Response(code);
    r.setDestinationContext(request.getSourceContext());
    if (request.getType() == Type.CON && !request.isAcknowledged()) {
      r.setType(Type.ACK);
      r.setMID(request.getMID());
      request.setAcknowledged(true);
    } else {
      r.setType(Type.NON);
    }
    return r;
  }
}
