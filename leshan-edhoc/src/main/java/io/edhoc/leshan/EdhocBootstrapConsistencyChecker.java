package io.edhoc.leshan;

import java.util.List;
import org.eclipse.leshan.client.bootstrap.BaseBootstrapConsistencyChecker;
import org.eclipse.leshan.client.servers.DmServerInfo;
import org.eclipse.leshan.client.servers.ServerInfo;
import org.eclipse.leshan.core.oscore.InvalidOscoreSettingException;
import org.eclipse.leshan.core.oscore.OscoreSetting;
import org.eclipse.leshan.core.oscore.OscoreValidator;

/**
 * Leshan's client configuration check, knowing EDHOC-keyed OSCORE objects: an object 21 instance
 * with an empty Master Secret is keyed by EDHOC (its Recipient ID must fit the nonce of any
 * AEAD: at most 6 bytes); other instances are checked by Leshan's validator, except its
 * AES-CCM-only rule, which this project's OSCORE stack does not need. Set it with {@code
 * LeshanClientBuilder.setBootstrapConsistencyChecker}.
 */
public class EdhocBootstrapConsistencyChecker extends BaseBootstrapConsistencyChecker {
  /** nonce length - 6 for the 12-byte nonces of GCM and ChaCha20-Poly1305 (AES-CCM's 13 allow 7). */
  static final int MAX_EDHOC_RECIPIENT_ID = 6;

  @Override
  protected void checkBootstrapServerInfo(ServerInfo info, List<String> errors) {
    checkOscore(info, errors);
  }

  @Override
  protected void checkDeviceMangementServerInfo(DmServerInfo info, List<String> errors) {
    checkOscore(info, errors);
  }

  private static void checkOscore(ServerInfo info, List<String> errors) {
    if (!info.useOscore) {
      return;
    }
    OscoreSetting s = info.oscoreSetting;
    if (s.getMasterSecret().length == 0) {
      if (s.getRecipientId().length > MAX_EDHOC_RECIPIENT_ID) {
        errors.add("OSCORE object for EDHOC: Recipient ID (C_I) longer than " + MAX_EDHOC_RECIPIENT_ID + " bytes");
      }
      return;
    }
    try {
      new OscoreValidator().validateOscoreSetting(s);
    } catch (InvalidOscoreSettingException e) {
      if (!e.getMessage().contains("currently only")) { // Leshan's AES-CCM-only rule: our stack runs any Californium AEAD
        errors.add(e.getMessage());
      }
    }
  }
}
