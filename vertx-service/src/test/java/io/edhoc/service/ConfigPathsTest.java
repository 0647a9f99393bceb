package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.edhoc.service.config.ConfigLoader;
import io.edhoc.service.config.ServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relative paths in the service configuration resolve against the configuration file, not the working directory. */
class ConfigPathsTest {
  @Test
  void relativePathsInTheFileResolveAgainstTheFile(@TempDir Path dir) throws Exception {
    Path etc = Files.createDirectories(dir.resolve("etc/edhoc"));
    CredentialDirectory.createDevelopmentPair(etc.resolve("creds"));
    Path file = etc.resolve("edhoc.yaml");
    Files.writeString(file, String.join("\n",
        "http: {host: 127.0.0.1, port: 0}",
        "coap: {enabled: false}",
        "admin: {enabled: false}",
        "credentials: {directory: creds/server}",
        "cluster: {stateKeyFile: ../state/cluster.key}",
        ""));
    ServiceConfig c = ConfigLoader.load(file, Map.of());
    assertThat(c.credentials.directory).isEqualTo(etc.resolve("creds/server").toString());
    assertThat(c.cluster.stateKeyFile).isEqualTo(dir.resolve("etc/state/cluster.key").toString());
    assertThat(c.credentials.devDirectory).isEqualTo(".edhoc-dev"); // a default, not from the file
    // the service starts from any working directory (this test's is vertx-service/)
    try (EdhocService svc = EdhocService.start(c, null)) {
      assertThat(svc.credentialsPath()).isEqualTo(etc.resolve("creds/server"));
      assertThat(svc.httpPort()).isPositive();
    }
  }

  @Test
  void absolutePathsAndEnvironmentValuesAreKept(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("edhoc.yaml");
    Files.writeString(file, "credentials: {config: /etc/edhoc/credentials.yaml}\n");
    assertThat(ConfigLoader.load(file, Map.of()).credentials.config).isEqualTo("/etc/edhoc/credentials.yaml");
    ServiceConfig fromEnv = ConfigLoader.load(file, Map.of("EDHOC_CREDENTIALS_CONFIG", "relative/creds.yaml"));
    assertThat(fromEnv.credentials.config).isEqualTo("relative/creds.yaml"); // relative to the working directory, as a shell user expects
  }
}
