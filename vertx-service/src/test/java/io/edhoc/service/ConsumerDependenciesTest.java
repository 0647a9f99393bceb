package io.edhoc.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 15. A consumer that only runs handshakes gets edhoc-core, edhoc-credentials,
 * bcprov, bcutil and slf4j-api: a handshake runs in a class loader holding nothing else (no
 * Jackson, SnakeYAML, bcpkix, picocli), and what needs an optional dependency fails with an
 * error naming the artifact. The BOM lists every module and the versions the build resolves.
 */
class ConsumerDependenciesTest {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  static URL location(String className) throws Exception {
    return Class.forName(className).getProtectionDomain().getCodeSource().getLocation();
  }

  /** A loader with only what a handshake-only consumer has, plus the probe class's directory. */
  static URLClassLoader consumerLoader() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String c : List.of("io.edhoc.Edhoc", "io.edhoc.credentials.CcsCredential", "org.bouncycastle.jce.provider.BouncyCastleProvider",
        "org.bouncycastle.asn1.edec.EdECObjectIdentifiers", "org.slf4j.LoggerFactory")) {
      URL u = location(c);
      if (!urls.contains(u)) {
        urls.add(u);
      }
    }
    urls.add(location(ConsumerProbe.class.getName()));
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }

  @Test
  void aHandshakeRunsWithoutTheOptionalDependencies(@TempDir Path dir) throws Exception {
    try (URLClassLoader l = consumerLoader()) {
      for (String absent : List.of("com.fasterxml.jackson.databind.ObjectMapper", "org.yaml.snakeyaml.Yaml", "org.bouncycastle.cert.X509v3CertificateBuilder",
          "picocli.CommandLine")) {
        assertThat(canLoad(l, absent)).as(absent).isFalse();
      }
      Class<?> probe = l.loadClass(ConsumerProbe.class.getName());
      assertThat(probe.getClassLoader()).isSameAs(l);
      Object result = probe.getMethod("handshake", Path.class).invoke(null, dir);
      assertThat(result).isEqualTo("method 3 suite 2 completed, keys agree; PEM and CBOR files read");
      InvocationTargetException e = org.junit.jupiter.api.Assertions.assertThrows(InvocationTargetException.class,
          () -> probe.getMethod("loadConfig", Path.class).invoke(null, dir));
      assertThat(e.getCause()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("reading a credentials configuration file needs com.fasterxml.jackson.core:jackson-databind");
      e = org.junit.jupiter.api.Assertions.assertThrows(InvocationTargetException.class, () -> probe.getMethod("issueCertificate").invoke(null));
      assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("org.bouncycastle:bcpkix-jdk18on");
    }
  }

  static boolean canLoad(ClassLoader l, String name) {
    try {
      Class.forName(name, false, l);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Test
  void bomNamesEveryModuleAndTheTestedVersions() throws Exception {
    String bom = Files.readString(REPO.resolve("bom/pom.xml"));
    String parent = Files.readString(REPO.resolve("pom.xml"));
    assertThat(bom).doesNotContain("<parent>");
    String version = tag(parent.substring(parent.indexOf("<artifactId>edhoc-parent</artifactId>")), "version");
    assertThat(tag(bom, "edhoc.version")).isEqualTo(version);
    assertThat(tag(bom.substring(bom.indexOf("<artifactId>edhoc-bom</artifactId>")), "version")).isEqualTo(version);
    Map<String, String> managed = new LinkedHashMap<>();
    Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId><version>\\$\\{([^}]+)}</version>").matcher(bom);
    while (m.find()) {
      managed.put(m.group(1), tag(bom, m.group(2)));
    }
    // every published module of the build (not the BOM itself, nor test-only modules)
    Matcher mod = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
    while (mod.find()) {
      if (mod.group(1).equals("bom")) {
        continue;
      }
      String modulePom = Files.readString(REPO.resolve(mod.group(1)).resolve("pom.xml"));
      if (modulePom.contains("<maven.deploy.skip>true</maven.deploy.skip>")) {
        continue; // a test-only module (fuzz): never published, so not for consumers
      }
      String artifact = tag(modulePom.substring(modulePom.indexOf("</parent>")), "artifactId");
      assertThat(managed).as("BOM entry for module " + mod.group(1)).containsEntry(artifact, version);
    }
    // third-party versions: exactly the jars this build puts on the class path
    Map<String, String> probes = Map.ofEntries(Map.entry("bcprov-jdk18on", "org.bouncycastle.jce.provider.BouncyCastleProvider"),
        Map.entry("bcutil-jdk18on", "org.bouncycastle.asn1.edec.EdECObjectIdentifiers"),
        Map.entry("bcpkix-jdk18on", "org.bouncycastle.cert.X509v3CertificateBuilder"), Map.entry("slf4j-api", "org.slf4j.LoggerFactory"),
        Map.entry("jackson-databind", "com.fasterxml.jackson.databind.ObjectMapper"), Map.entry("jackson-core", "com.fasterxml.jackson.core.JsonFactory"),
        Map.entry("jackson-annotations", "com.fasterxml.jackson.annotation.JsonProperty"),
        Map.entry("jackson-dataformat-yaml", "com.fasterxml.jackson.dataformat.yaml.YAMLFactory"), Map.entry("snakeyaml", "org.yaml.snakeyaml.Yaml"),
        Map.entry("picocli", "picocli.CommandLine"), Map.entry("californium-core", "org.eclipse.californium.core.CoapServer"),
        Map.entry("element-connector", "org.eclipse.californium.elements.UDPConnector"), Map.entry("cf-oscore", "org.eclipse.californium.oscore.OSCoreCtx"),
        Map.entry("scandium", "org.eclipse.californium.scandium.DTLSConnector"), Map.entry("cbor", "com.upokecenter.cbor.CBORObject"),
        Map.entry("conscrypt-openjdk-uber", "org.conscrypt.Conscrypt"));
    for (Map.Entry<String, String> e : managed.entrySet()) {
      if (e.getValue().equals(version)) {
        continue;
      }
      assertThat(probes).as("a class to check " + e.getKey() + " by").containsKey(e.getKey());
      String jar = Path.of(location(probes.get(e.getKey())).toURI()).getFileName().toString();
      assertThat(jar).as(e.getKey()).isEqualTo(e.getKey() + "-" + e.getValue() + ".jar");
    }
  }

  private static String tag(String xml, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</" + Pattern.quote(name) + ">").matcher(xml);
    assertThat(m.find()).as("<" + name + ">").isTrue();
    return m.group(1);
  }
}
