package io.edhoc.service.coap;

import io.edhoc.oscore.ResponderEngine;
import io.edhoc.service.EdhocEndpoint;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * The {@code edhoc} resource under {@code .well-known} (RFC 9528 Appendix A.2) for the service:
 * the same {@link EdhocEndpoint} as HTTP, so limits and metrics are shared. Requests: POST with
 * Content-Format 65 (application/cid-edhoc+cbor-seq) or none; 4.15 for another format, 4.13 when
 * the payload is over the limit, 4.29 over the per-source rate, 4.00/5.00 with the EDHOC error
 * message (Content-Format 64) for EDHOC errors, 2.04 with message_2 / message_4 otherwise.
 * Californium runs this on its own executor, not on a Vert.x event loop.
 */
public final class CoapEdhocResource extends CoapResource {
  public static final int CF_EDHOC_CBOR_SEQ = 64;
  public static final int CF_CID_EDHOC_CBOR_SEQ = 65;
  public static final String TRANSPORT = "coap";

  private final EdhocEndpoint endpoint;
  private final int maxBody;

  public CoapEdhocResource(EdhocEndpoint endpoint, int maxBody) {
    super("edhoc");
    this.endpoint = endpoint;
    this.maxBody = maxBody;
    getAttributes().setTitle("EDHOC (RFC 9528)");
    getAttributes().addResourceType("core.edhoc");
  }

  @Override
  public void handlePOST(CoapExchange ex) {
    int cf = ex.getRequestOptions().getContentFormat();
    if (cf != -1 && cf != CF_CID_EDHOC_CBOR_SEQ) {
      endpoint.refused(TRANSPORT, "bad_media_type");
      ex.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
      return;
    }
    byte[] body = ex.getRequestPayload();
    if (body == null || body.length == 0) {
      endpoint.refused(TRANSPORT, "empty_body");
      ex.respond(ResponseCode.BAD_REQUEST);
      return;
    }
    if (body.length > maxBody) {
      endpoint.refused(TRANSPORT, "too_large");
      Response r = new Response(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
      r.getOptions().setSize1(maxBody);
      ex.respond(r);
      return;
    }
    String source = ex.getSourceAddress().getHostAddress();
    if (!endpoint.admit(TRANSPORT, source, body)) {
      Response r = new Response(ResponseCode.TOO_MANY_REQUESTS);
      r.getOptions().setMaxAge(1);
      ex.respond(r);
      return;
    }
    ResponderEngine.Result result = endpoint.process(TRANSPORT, source, body);
    ResponseCode code = switch (result.status()) {
      case OK -> ResponseCode.CHANGED;
      case CLIENT_ERROR, UNKNOWN_SESSION -> ResponseCode.BAD_REQUEST;
      case SERVER_ERROR -> ResponseCode.INTERNAL_SERVER_ERROR;
    };
    Response r = new Response(code);
    byte[] out = result.body();
    if (out.length > 0) {
      r.setPayload(out);
      r.getOptions().setContentFormat(CF_EDHOC_CBOR_SEQ);
    }
    ex.respond(r);
  }
}
