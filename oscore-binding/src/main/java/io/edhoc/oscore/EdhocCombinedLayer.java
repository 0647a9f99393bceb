package io.edhoc.oscore;

import io.edhoc.ErrorMessage;
import io.edhoc.cbor.CborException;
import io.edhoc.cbor.CborReader;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.stack.AbstractLayer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RFC 9668 EDHOC + OSCORE request, as a Californium stack layer placed <em>below</em> the
 * OSCORE layer (next to the network), see {@link EdhocOscoreStackFactory}.
 *
 * <p>Server side (section 3.3.1): a request with the EDHOC option and an OSCORE option has its
 * payload split into EDHOC_MSG_3 (the first CBOR item, a byte string) and the OSCORE ciphertext;
 * the {@link ResponderEngine} completes the handshake for C_R = the OSCORE 'kid' (its listener
 * installs the context), the request is rebuilt with the ciphertext only and without the EDHOC
 * option, and handed up to OSCORE. Malformed combined requests get 4.00; a failed message_3 gets
 * an unprotected 4.00 (5.00 for a server fault) carrying an EDHOC error message with ERR_CODE 1
 * (section 3.3.1; an unknown credential says so in DIAG_MSG) and Content-Format 64.
 *
 * <p>Client side (section 3.2.1): for a request registered with {@link
 * EdhocOscoreStackFactory#attachMessage3}, or the next OSCORE-protected request to a destination
 * armed with {@link EdhocOscoreStackFactory#attachMessage3ToNext} (an LwM2M client's Register),
 * after OSCORE protected it, message_3 is prepended to the payload and the EDHOC option added.
 */
public final class EdhocCombinedLayer extends AbstractLayer {
  /** The transport name of combined requests in {@link ResponderEngine.Origin}. */
  public static final String TRANSPORT = "coap+oscore";
  private static final Logger LOG = LoggerFactory.getLogger(EdhocCombinedLayer.class);

  private final ResponderEngine engine;
  private final Map<Request, byte[]> pending;
  private final Map<java.net.InetSocketAddress, byte[]> nextTo;
  private final java.util.function.Consumer<ResponderEngine.Result> results;

  /**
   * {@code engine} null: client side only. {@code pending}: shared with the client registering
   * requests. {@code results}: told every engine result (counting).
   */
  EdhocCombinedLayer(ResponderEngine engine, Map<Request, byte[]> pending, java.util.function.Consumer<ResponderEngine.Result> results) {
    this(engine, pending, new java.util.concurrent.ConcurrentHashMap<>(), results);
  }

  /** {@code nextTo}: message_3 for the next OSCORE-protected request to a destination (see EdhocOscoreStackFactory). */
  EdhocCombinedLayer(ResponderEngine engine, Map<Request, byte[]> pending, Map<java.net.InetSocketAddress, byte[]> nextTo,
      java.util.function.Consumer<ResponderEngine.Result> results) {
    this.engine = engine;
    this.pending = pending;
    this.nextTo = nextTo;
    this.results = results;
  }

  static Map<Request, byte[]> newPendingMap() {
    return Collections.synchronizedMap(new IdentityHashMap<>());
  }

  @Override
  public void sendRequest(Exchange exchange, Request request) {
    byte[] m3 = pending.remove(exchange.getRequest());
    if (m3 == null && request != exchange.getRequest()) {
      m3 = pending.remove(request);
    }
    if (m3 == null && !nextTo.isEmpty() && request.getOptions().hasOscore() && request.getDestinationContext() != null) {
      m3 = nextTo.remove(request.getDestinationContext().getPeerAddress());
    }
    if (m3 != null) {
      if (!request.getOptions().hasOscore()) {
        LOG.warn("combined request without OSCORE protection: message_3 not attached");
      } else {
        byte[] ciphertext = request.getPayload();
        byte[] comb = Arrays.copyOf(m3, m3.length + ciphertext.length);
        System.arraycopy(ciphertext, 0, comb, m3.length, ciphertext.length);
        request.setPayload(comb);
        request.getOptions().addOption(EdhocOption.DEFINITION.create(new byte[0]));
      }
    }
    super.sendRequest(exchange, request);
  }

  @Override
  public void receiveRequest(Exchange exchange, Request request) {
    if (engine == null || !request.getOptions().hasOption(EdhocOption.DEFINITION)) {
      super.receiveRequest(exchange, request);
      return;
    }
    byte[] oscore = request.getOptions().getOscore();
    byte[] kid = oscore == null ? null : kid(oscore);
    byte[] payload = request.getPayload();
    int split = -1;
    try {
      CborReader r = new CborReader(payload);
      r.readBytes();
      split = r.position();
    } catch (CborException e) {
      // handled below
    }
    if (kid == null || split < 0 || split >= payload.length) {
      LOG.debug("malformed EDHOC + OSCORE request (OSCORE option with kid, bstr message_3 and ciphertext required)");
      reply(exchange, request, ResponseCode.BAD_REQUEST, null);
      return;
    }
    byte[] message3 = Arrays.copyOfRange(payload, 0, split);
    java.net.InetSocketAddress peer = request.getSourceContext() == null ? null : request.getSourceContext().getPeerAddress();
    ResponderEngine.Origin origin = new ResponderEngine.Origin(TRANSPORT, peer == null ? "" : peer.getAddress().getHostAddress());
    ResponderEngine.Result result = engine.handleMessage3(kid, message3, true, origin);
    try {
      results.accept(result);
    } catch (RuntimeException e) {
      LOG.warn("combined-request result listener failed: {}", e.toString());
    }
    if (!result.completed()) {
      byte[] err = errCode1(result);
      reply(exchange, request, result.status() == ResponderEngine.Status.SERVER_ERROR ? ResponseCode.INTERNAL_SERVER_ERROR
          : ResponseCode.BAD_REQUEST, err);
      return;
    }
    request.setPayload(Arrays.copyOfRange(payload, split, payload.length));
    request.getOptions().clearOtherOption(EdhocOption.DEFINITION);
    super.receiveRequest(exchange, request);
  }

  /**
   * RFC 9668 3.3.1 requires ERR_CODE 1 for any failed EDHOC processing of a combined request. So
   * that the client still learns what the two-round-trip flow would tell it, another code is
   * carried in the diagnostic: ERR_CODE 3 becomes ERR_CODE 1 with DIAG_MSG "Unknown credential
   * referenced" (no more than that flow reveals, RFC 9528 9.5).
   */
  static byte[] errCode1(ResponderEngine.Result result) {
    byte[] err = result.body();
    if (result.isErrorMessage()) {
      try {
        ErrorMessage m = ErrorMessage.parse(err);
        if (m.code() == ErrorMessage.UNSPECIFIED) {
          return err;
        }
        if (m.code() == ErrorMessage.UNKNOWN_CREDENTIAL_REFERENCED) {
          return ErrorMessage.unspecified(UNKNOWN_CREDENTIAL_DIAGNOSTIC);
        }
      } catch (CborException e) {
        // fall through
      }
    }
    return ErrorMessage.unspecified("EDHOC processing failed");
  }

  /** DIAG_MSG of the ERR_CODE 1 that stands for ERR_CODE 3 in a combined request's answer. */
  public static final String UNKNOWN_CREDENTIAL_DIAGNOSTIC = "Unknown credential referenced";

  private void reply(Exchange exchange, Request request, ResponseCode code, byte[] edhocError) {
    Response response = new Response(code);
    if (edhocError != null) {
      response.setPayload(edhocError);
      response.getOptions().setContentFormat(EdhocOption.EDHOC_CBOR_SEQ);
    }
    response.setDestinationContext(request.getSourceContext());
    exchange.sendResponse(response);
  }

  /** The 'kid' of an OSCORE option value (RFC 8613 section 6.1), or null if absent or malformed. */
  static byte[] kid(byte[] option) {
    if (option.length == 0) {
      return null;
    }
    int flags = option[0] & 0xff;
    int n = flags & 0x07;
    boolean k = (flags & 0x08) != 0;
    boolean h = (flags & 0x10) != 0;
    if (!k || n > 5 || (flags & 0xe0) != 0) {
      return null;
    }
    int pos = 1 + n;
    if (h) {
      if (pos >= option.length) {
        return null;
      }
      pos += 1 + (option[pos] & 0xff);
    }
    if (pos > option.length) {
      return null;
    }
    return Arrays.copyOfRange(option, pos, option.length);
  }
}
