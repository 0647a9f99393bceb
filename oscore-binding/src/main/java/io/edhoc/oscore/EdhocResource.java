package io.edhoc.oscore;

import java.util.Objects;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * The EDHOC resource {@code /.well-known/edhoc} of RFC 9528 Appendix A.2, a thin CoAP adapter over
 * a {@link ResponderEngine}: POST only; request Content-Format 65
 * (application/cid-edhoc+cbor-seq) or none (aiocoap sends none), anything else 4.15; 2.04 with
 * Content-Format 64 and message_2 / message_3 (reverse flow) / message_4 as payload (an empty
 * 2.04 when there is nothing to send); 4.00 or 5.00 with Content-Format 64 and the EDHOC error
 * message as payload on failure.
 */
public class EdhocResource extends CoapResource {
  private final ResponderEngine engine;

  public EdhocResource(ResponderEngine engine) {
    this("edhoc", engine);
  }

  public EdhocResource(String name, ResponderEngine engine) {
    super(name);
    this.engine = Objects.requireNonNull(engine);
    getAttributes().addResourceType("core.edhoc");
  }

  /** Adds a new EDHOC resource as {@code /.well-known/edhoc} to the server (keeping /.well-known/core). */
  public static EdhocResource addTo(CoapServer server, ResponderEngine engine) {
    Resource wellKnown = server.getRoot().getChild(".well-known");
    if (wellKnown == null) {
      wellKnown = new CoapResource(".well-known");
      server.add(wellKnown);
    }
    EdhocResource r = new EdhocResource(engine);
    wellKnown.add(r);
    return r;
  }

  public ResponderEngine engine() {
    return engine;
  }

  @Override
  public void handlePOST(CoapExchange exchange) {
    int cf = exchange.getRequestOptions().getContentFormat();
    if (cf != MediaTypeRegistry.UNDEFINED && cf != EdhocOption.CID_EDHOC_CBOR_SEQ) {
      exchange.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
      return;
    }
    ResponderEngine.Result result = engine.handle(exchange.getRequestPayload());
    ResponseCode code;
    switch (result.status()) {
      case OK:
        code = ResponseCode.CHANGED;
        break;
      case SERVER_ERROR:
        code = ResponseCode.INTERNAL_SERVER_ERROR;
        break;
      default:
        code = ResponseCode.BAD_REQUEST;
        break;
    }
    Response response = new Response(code);
    byte[] body = result.body();
    if (body.length > 0) {
      response.setPayload(body);
      response.getOptions().setContentFormat(EdhocOption.EDHOC_CBOR_SEQ);
    }
    exchange.respond(response);
  }
}
