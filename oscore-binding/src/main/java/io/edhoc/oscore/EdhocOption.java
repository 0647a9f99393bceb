package io.edhoc.oscore;

import org.eclipse.californium.core.coap.option.EmptyOptionDefinition;
import org.eclipse.californium.core.coap.option.MapBasedOptionRegistry;
import org.eclipse.californium.core.coap.option.OptionRegistry;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;

/**
 * The EDHOC option of RFC 9668 section 3.1: number 21, critical, safe-to-forward, empty, class U
 * for OSCORE. Stock Californium 3.13 does not know it; an endpoint that receives combined
 * requests needs {@link #REGISTRY} ({@code CoapEndpoint.Builder.setOptionRegistry}), otherwise it
 * rejects them as carrying an unknown critical option.
 */
public final class EdhocOption {
  public static final int NUMBER = 21;
  public static final EmptyOptionDefinition DEFINITION = new EmptyOptionDefinition(NUMBER, "EDHOC");
  /** The standard options plus EDHOC. */
  public static final OptionRegistry REGISTRY = new MapBasedOptionRegistry(StandardOptionRegistry.getDefaultOptionRegistry(), DEFINITION);

  /** Content-Format application/edhoc+cbor-seq (RFC 9528 section 10.9). */
  public static final int EDHOC_CBOR_SEQ = 64;
  /** Content-Format application/cid-edhoc+cbor-seq. */
  public static final int CID_EDHOC_CBOR_SEQ = 65;

  private EdhocOption() {}
}
