package io.edhoc.leshan;

import com.upokecenter.cbor.CBORObject;
import io.edhoc.EdhocConfig;
import io.edhoc.oscore.EdhocOption;
import io.edhoc.oscore.EdhocOscoreStackFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.californium.cose.AlgorithmID;
import org.eclipse.californium.cose.CoseException;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapClientEndpointFactory;
import org.eclipse.leshan.client.endpoint.ClientEndpointToolbox;
import org.eclipse.leshan.client.servers.ServerInfo;
import org.eclipse.leshan.core.californium.identity.IdentityHandler;
import org.eclipse.leshan.core.californium.oscore.cf.InMemoryOscoreContextDB;
import org.eclipse.leshan.core.californium.oscore.cf.OscoreParameters;
import org.eclipse.leshan.core.californium.oscore.cf.OscoreStore;
import org.eclipse.leshan.core.californium.oscore.cf.StaticOscoreStore;
import org.eclipse.leshan.core.oscore.OscoreSetting;

/**
 * A Leshan client CoAP endpoint factory over this project's OSCORE stack (cf-oscore's layers plus
 * the RFC 9668 layer, the EDHOC option registered), for servers whose security object links an
 * OSCORE object (21):
 *
 * <ul>
 *   <li>an object 21 instance with an <b>empty Master Secret</b> (e.g. {@link EdhocOscoreInstance})
 *       is keyed by EDHOC: an {@link EdhocClientSession} per server runs the handshake on this
 *       endpoint with C_I = the instance's Recipient ID; {@link EdhocRegistrationHook} runs it
 *       before Register / Bootstrap-Request and again after a 4.01;
 *   <li>any other instance is static OSCORE as with Leshan's own factory, but without Leshan's
 *       client-side AES-CCM-only check (any AEAD Californium supports).
 * </ul>
 *
 * Contexts live in Leshan's {@link InMemoryOscoreContextDB}, one per endpoint.
 */
public class EdhocClientEndpointFactory extends CoapClientEndpointFactory {
  private final EdhocConfig config;
  private final Map<String, EdhocClientSession> sessions = new ConcurrentHashMap<>();
  private volatile Consumer<CoapEndpoint> endpointListener = e -> {};
  private volatile Consumer<EdhocClientSession> sessionListener = s -> {};
  private boolean expectMessage4;
  private boolean combinedRegister;
  private long timeoutMillis = 10_000;

  /** {@code config}: the client's EDHOC identity, methods and suites, and the trusted servers. */
  public EdhocClientEndpointFactory(EdhocConfig config) {
    this.config = Objects.requireNonNull(config);
  }

  /** The server's profile sends message_4 (always read for method 4). */
  public EdhocClientEndpointFactory expectMessage4(boolean expect) {
    this.expectMessage4 = expect;
    return this;
  }

  /**
   * RFC 9668: send message_3 with the Register (one round trip less) instead of in its own POST.
   * The server must accept combined requests (its message_4 policy NEVER or UNLESS_COMBINED).
   */
  public EdhocClientEndpointFactory combinedRegister(boolean combined) {
    this.combinedRegister = combined;
    return this;
  }

  public boolean combinedRegister() {
    return combinedRegister;
  }

  public EdhocClientEndpointFactory timeoutMillis(long millis) {
    this.timeoutMillis = millis;
    return this;
  }

  /** Sees each endpoint created (before it starts): to add interceptors, for instance. */
  public EdhocClientEndpointFactory onEndpoint(Consumer<CoapEndpoint> listener) {
    this.endpointListener = Objects.requireNonNull(listener);
    return this;
  }

  /** Sees each EDHOC session created (one per EDHOC-keyed server endpoint), e.g. to refresh object 21. */
  public EdhocClientEndpointFactory onSession(Consumer<EdhocClientSession> listener) {
    this.sessionListener = Objects.requireNonNull(listener);
    return this;
  }

  @Override
  public String getEndpointDescription() {
    return super.getEndpointDescription() + " with OSCORE keyed by EDHOC (or static OSCORE)";
  }

  /** The EDHOC session towards this server URI, or null (not created yet, or not EDHOC-keyed). */
  public EdhocClientSession session(URI serverUri) {
    return serverUri == null ? null : session(serverUri.toString());
  }

  /** The EDHOC session towards this server URI (as in the security object), or null. */
  public EdhocClientSession session(String serverUri) {
    return serverUri == null ? null : sessions.get(serverUri);
  }

  @Override
  public CoapEndpoint createCoapEndpoint(InetAddress clientAddress, Configuration defaultConfiguration, ServerInfo serverInfo,
      boolean clientInitiatedOnly, List<Certificate> trustStore, ClientEndpointToolbox toolbox) {
    CoapEndpoint.Builder builder = createEndpointBuilder(new InetSocketAddress(clientAddress, 0), serverInfo, defaultConfiguration);
    if (!serverInfo.useOscore) {
      CoapEndpoint endpoint = builder.build();
      endpointListener.accept(endpoint);
      return endpoint;
    }
    OscoreSetting setting = serverInfo.oscoreSetting;
    boolean edhoc = setting.getMasterSecret().length == 0;
    InMemoryOscoreContextDB db = new InMemoryOscoreContextDB(edhoc ? new FixedRecipientId(setting.getRecipientId()) : staticStore(setting));
    EdhocOscoreStackFactory stack = new EdhocOscoreStackFactory(db, null);
    builder.setCoapStackFactory(stack).setCustomCoapStackArgument(db).setOptionRegistry(EdhocOption.REGISTRY);
    CoapEndpoint endpoint = builder.build();
    if (edhoc) {
      EdhocClientSession session = new EdhocClientSession(serverInfo.serverUri, serverInfo.getAddress(), config, setting.getRecipientId(), endpoint, db, stack,
          expectMessage4, timeoutMillis);
      sessions.put(serverInfo.serverUri.toString(), session);
      sessionListener.accept(session);
    }
    endpointListener.accept(endpoint);
    return endpoint;
  }

  @Override
  public IdentityHandler createIdentityHandler() {
    return EdhocServerEndpointFactory.OSCORE_IDENTITY;
  }

  private static OscoreStore staticStore(OscoreSetting s) {
    try {
      AlgorithmID aead = AlgorithmID.FromCBOR(CBORObject.FromObject(s.getAeadAlgorithm().getValue()));
      AlgorithmID hkdf = AlgorithmID.FromCBOR(CBORObject.FromObject(s.getHkdfAlgorithm().getValue()));
      byte[] salt = s.getMasterSalt() == null || s.getMasterSalt().length == 0 ? null : s.getMasterSalt();
      return new StaticOscoreStore(new OscoreParameters(s.getSenderId(), s.getRecipientId(), s.getMasterSecret(), aead, hkdf, salt));
    } catch (CoseException | RuntimeException e) {
      throw new IllegalArgumentException("unusable OSCORE object: " + e.getMessage(), e);
    }
  }

  /** EDHOC contexts are installed directly; the one server of this endpoint is known by our fixed Recipient ID. */
  private static final class FixedRecipientId implements OscoreStore {
    private final byte[] rid;

    FixedRecipientId(byte[] rid) {
      this.rid = rid.clone();
    }

    @Override
    public OscoreParameters getOscoreParameters(byte[] recipientID) {
      return null; // never derive: a context missing is a context to establish with EDHOC
    }

    @Override
    public byte[] getRecipientId(String uri) {
      return rid.clone();
    }
  }
}
