package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.crypto.CryptoChoice;
import io.edhoc.crypto.DefaultCrypto;
import io.edhoc.service.config.ConfigException;
import io.edhoc.service.config.ConfigLoader;
import io.edhoc.service.config.ServiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crypto provider choice as an operator sees it: crypto.provider / EDHOC_CRYPTO_PROVIDER /
 * --crypto, edhoc --version, the edhoc_crypto_info metric, and a responder on one library serving
 * an initiator on the other.
 */
class CryptoProviderServiceTest {
  @TempDir Path dir;

  @Test
  void configKeyEnvironmentAndValidation() throws Exception {
    assertThat(ConfigLoader.parse("http:\n  port: 0\n").crypto.provider).isEqualTo("auto");
    assertThat(ConfigLoader.environmentNames()).containsEntry("crypto.provider", "EDHOC_CRYPTO_PROVIDER");
    assertThat(ConfigLoader.load(null, Map.of("EDHOC_CRYPTO_PROVIDER", "bouncycastle")).crypto.provider).isEqualTo("bouncycastle");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("EDHOC_CRYPTO_PROVIDER", "openssl"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("crypto.provider").hasMessageContaining("auto, conscrypt or bouncycastle");
  }

  @Test
  void responderOnOneLibraryServesAnInitiatorOnTheOther() throws Exception {
    Assumptions.assumeTrue(DefaultCrypto.conscryptAvailable(), "Conscrypt not available here");
    for (String[] pair : new String[][] {{"bouncycastle", "conscrypt"}, {"conscrypt", "bouncycastle"}}) {
      Path d = dir.resolve(pair[0]);
      ServiceConfig c = TestSupport.config(d);
      c.crypto.provider = pair[0];
      c.http.enabled = false;
      c.admin.enabled = false;
      EdhocService svc = EdhocService.start(c, null);
      try {
        String scrape = svc.metrics().scrape();
        assertThat(scrape).contains("edhoc_crypto_info{primitive=\"p256\",provider=\"" + pair[0] + "\"} 1")
            .contains("edhoc_crypto_info{primitive=\"ed25519\",provider=\"" + pair[0] + "\"} 1")
            .contains("edhoc_crypto_info{primitive=\"p384\",provider=\"bouncycastle\"} 1")
            .contains("edhoc_crypto_info{primitive=\"aes-gcm\",provider=\"jdk\"} 1")
            .contains("edhoc_crypto_choice_info{choice=\"" + pair[0] + "\"} 1");
        assertThat(svc.crypto().publicKeyLibrary()).isEqualTo(pair[0]);
        URI coap = URI.create("coap://127.0.0.1:" + svc.coapPort() + "/.well-known/edhoc");
        for (int[] ms : new int[][] {{3, 2}, {0, 0}, {0, 2}}) {
          EdhocConfig base = TestSupport.clientConfig(d, CipherSuite.fromId(ms[1]), Method.fromId(ms[0]));
          EdhocConfig cfg = base.toBuilder().crypto(DefaultCrypto.of(CryptoChoice.parse(pair[1]))).build();
          try (TestSupport.CoapClient t = new TestSupport.CoapClient(coap)) {
            var o = TestSupport.handshake(cfg, Method.fromId(ms[0]), t.transport());
            try {
              CoapResponse r = t.oscoreGet(o.oscore(), "/hello");
              assertThat(r.getCode()).as("responder " + pair[0] + ", initiator " + pair[1] + ", method " + ms[0] + " suite " + ms[1])
                  .isEqualTo(ResponseCode.CONTENT);
            } finally {
              o.session().close();
            }
          }
        }
      } finally {
        svc.close();
      }
    }
  }

  private static String[] run(String... args) {
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.commandLine().execute(args);
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void versionNamesTheCryptoLibraries() {
    String[] r = run("--version");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1]).contains("edhoc 0.1.0").contains("crypto " + DefaultCrypto.get().describe());
    if (DefaultCrypto.conscryptAvailable()) {
      assertThat(r[1]).contains("crypto auto: conscrypt 2.9.0 (BoringSSL) for x25519, p256, ed25519, es256");
    }
  }

  @Test
  void badCryptoOptionIsAUsageErrorOnServeAndConnect() {
    String[] serve = run("serve", "--crypto", "openssl");
    assertThat(serve[0]).isEqualTo("2");
    assertThat(serve[2]).contains("--crypto").contains("auto, conscrypt or bouncycastle");
    String[] connect = run("connect", "--crypto", "openssl", "--credentials", dir.toString(), "coap://127.0.0.1:9/.well-known/edhoc");
    assertThat(connect[0]).isEqualTo("2");
    assertThat(connect[2]).contains("--crypto").contains("auto, conscrypt or bouncycastle");
  }
}
