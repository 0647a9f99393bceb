package io.edhoc.leshan;

import io.edhoc.oscore.CaliforniumContexts;
import io.edhoc.oscore.OscoreContext;
import java.util.List;
import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/**
 * An OSCORE object (21) instance for a server whose OSCORE context comes from EDHOC. Its Master
 * Secret is empty (the marker {@link EdhocClientEndpointFactory} keys with EDHOC; EDHOC keys never
 * enter the object model); its Recipient ID is the client's fixed C_I, which Leshan uses as the
 * server's OSCORE identity; {@link #refresh(OscoreContext)} sets Sender ID (C_R), Recipient ID and
 * algorithms after each handshake. Not writable from LwM2M servers (a bootstrap server configures
 * such a client by writing a new instance).
 */
public class EdhocOscoreInstance extends BaseInstanceEnabler {
  private static final List<Integer> RESOURCES = List.of(LwM2mId.OSCORE_MASTER_SECRET, LwM2mId.OSCORE_SENDER_ID,
      LwM2mId.OSCORE_RECIPIENT_ID, LwM2mId.OSCORE_AEAD_ALGORITHM, LwM2mId.OSCORE_HMAC_ALGORITHM, LwM2mId.OSCORE_MASTER_SALT);
  /** COSE HKDF SHA-256 (-10), the HKDF of every suite Californium can run. */
  private static final long HKDF_SHA_256 = -10;

  private byte[] senderId = new byte[0];
  private byte[] recipientId;
  private long aead;
  private long hkdf = HKDF_SHA_256;

  /** For Leshan's object factory (instances created by a Create or a bootstrap Write): empty IDs, AES-CCM-16-64-128. */
  public EdhocOscoreInstance() {
    this.recipientId = new byte[0];
    this.aead = 10;
  }

  /**
   * @param recipientId the client's connection identifier C_I (its OSCORE Recipient ID), at most 6
   *     bytes for suites with GCM or ChaCha20-Poly1305, 7 for AES-CCM
   * @param aeadCoseId the expected OSCORE AEAD (e.g. 10 for AES-CCM-16-64-128), until the first handshake
   */
  public EdhocOscoreInstance(int instanceId, byte[] recipientId, int aeadCoseId) {
    super(instanceId);
    this.recipientId = recipientId.clone();
    this.aead = aeadCoseId;
  }

  /** After a handshake: the new context's IDs and algorithms (never its keys). */
  public void refresh(OscoreContext ctx) {
    synchronized (this) {
      senderId = ctx.senderId();
      recipientId = ctx.recipientId();
      aead = CaliforniumContexts.aead(ctx.aead()).AsCBOR().AsInt32();
      hkdf = HKDF_SHA_256;
    }
    fireResourceChange(LwM2mId.OSCORE_SENDER_ID);
    fireResourceChange(LwM2mId.OSCORE_RECIPIENT_ID);
    fireResourceChange(LwM2mId.OSCORE_AEAD_ALGORITHM);
  }

  public synchronized byte[] senderId() {
    return senderId.clone();
  }

  public synchronized byte[] recipientId() {
    return recipientId.clone();
  }

  @Override
  public synchronized ReadResponse read(LwM2mServer server, int resourceId) {
    switch (resourceId) {
      case LwM2mId.OSCORE_MASTER_SECRET:
        return ReadResponse.success(resourceId, new byte[0]);
      case LwM2mId.OSCORE_SENDER_ID:
        return ReadResponse.success(resourceId, senderId.clone());
      case LwM2mId.OSCORE_RECIPIENT_ID:
        return ReadResponse.success(resourceId, recipientId.clone());
      case LwM2mId.OSCORE_AEAD_ALGORITHM:
        return ReadResponse.success(resourceId, aead);
      case LwM2mId.OSCORE_HMAC_ALGORITHM:
        return ReadResponse.success(resourceId, hkdf);
      case LwM2mId.OSCORE_MASTER_SALT:
        return ReadResponse.success(resourceId, new byte[0]);
      default:
        return super.read(server, resourceId);
    }
  }

  @Override
  public WriteResponse write(LwM2mServer server, boolean replace, int resourceId, LwM2mResource value) {
    return WriteResponse.methodNotAllowed();
  }

  @Override
  public List<Integer> getAvailableResourceIds(ObjectModel model) {
    return RESOURCES;
  }
}
