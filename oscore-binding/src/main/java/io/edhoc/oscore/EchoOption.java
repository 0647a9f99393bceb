package io.edhoc.oscore;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.option.OpaqueOptionDefinition;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;

/**
 * The Echo option of RFC 9175 section 2.2: number 252, elective, safe-to-forward, NoCacheKey,
 * opaque, 1 to 40 bytes. Californium 3.13 already knows the option's <em>definition</em> ({@link
 * StandardOptionRegistry#ECHO}, part of the default registry and so of {@link
 * EdhocOption#REGISTRY}), so it is reused here rather than registered a second time; what
 * Californium lacks is the behaviour: the server side is {@link EchoVerifier} in {@link
 * EdhocResource} (reachability on message_1) and {@link OscoreEchoLayer} (replay window of a
 * context loaded from a store, RFC 8613 B.1.2); the client side is the single retry in {@link
 * EdhocCoapClient} and {@link OscoreEchoClient}.
 */
public final class EchoOption {
  public static final int NUMBER = 252;
  public static final OpaqueOptionDefinition DEFINITION = StandardOptionRegistry.ECHO;
  public static final int MIN_LENGTH = 1;
  public static final int MAX_LENGTH = 40;

  static {
    if (DEFINITION.getNumber() != NUMBER) {
      throw new ExceptionInInitializerError("Californium's Echo option is not number 252");
    }
  }

  private EchoOption() {}

  /** The Echo value of a message, or null when it carries none. */
  public static byte[] get(OptionSet options) {
    Option o = options.getOtherOption(DEFINITION);
    return o == null ? null : o.getValue();
  }

  /** Sets (replaces) the Echo option. */
  public static void set(OptionSet options, byte[] value) {
    if (value == null || value.length < MIN_LENGTH || value.length > MAX_LENGTH) {
      throw new IllegalArgumentException("an Echo value has 1 to 40 bytes");
    }
    options.clearOtherOption(DEFINITION);
    options.addOtherOption(new Option(DEFINITION, value.clone()));
  }

  /**
   * True if the response is an Echo challenge (RFC 9175 section 2.3: 4.01 Unauthorized with an
   * Echo option): the client should send the request again with that Echo value.
   */
  public static boolean isChallenge(Response response) {
    return response != null && isChallenge(response.getCode(), get(response.getOptions()));
  }

  /** The same test on a decoded answer: 4.01 with an Echo value of a valid length. */
  public static boolean isChallenge(ResponseCode code, byte[] echo) {
    return code == ResponseCode.UNAUTHORIZED && echo != null && echo.length >= MIN_LENGTH && echo.length <= MAX_LENGTH;
  }
}
