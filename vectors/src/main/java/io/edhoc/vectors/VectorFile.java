package io.edhoc.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edhoc.cbor.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A trace file of vectors/ (RFC 9529 or the PSK draft, extracted from the specification text):
 * named values with their encodings as the document prints them.
 */
public final class VectorFile {
  private final JsonNode root;

  private VectorFile(JsonNode root) {
    this.root = root;
  }

  public static VectorFile load(String resource) {
    try (InputStream in = VectorFile.class.getResourceAsStream("/vectors/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("vector file " + resource + " is missing from the classpath");
      }
      return new VectorFile(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read vector file " + resource, e);
    }
  }

  public JsonNode root() {
    return root;
  }

  /** One trace ("section_2", "section_3", "appendix_B"). */
  public Trace trace(String name) {
    JsonNode t = root.path("traces").path(name);
    if (t.isMissingNode()) {
      throw new IllegalArgumentException("no trace " + name);
    }
    return new Trace(name, t);
  }

  /** A trace: values by name and encoding. */
  public static final class Trace {
    private final String name;
    private final JsonNode node;

    Trace(String name, JsonNode node) {
      this.name = name;
      this.node = node;
    }

    public String name() {
      return name;
    }

    public JsonNode node() {
      return node;
    }

    public boolean has(String valueName) {
      return node.path("values").has(valueName);
    }

    public List<String> names() {
      List<String> r = new ArrayList<>();
      node.path("values").fieldNames().forEachRemaining(r::add);
      return r;
    }

    /** The value in one encoding ("Raw Value", "CBOR Data Item", "CBOR Sequence", ...). */
    public byte[] get(String valueName, String encoding) {
      JsonNode v = node.path("values").path(valueName).path(encoding);
      if (!v.isTextual()) {
        throw new IllegalArgumentException(name + ": no " + encoding + " of " + valueName);
      }
      return Hex.decode(v.asText());
    }

    /** The raw value if printed, else the CBOR sequence, else the data item, else the unlabelled value. */
    public byte[] get(String valueName) {
      JsonNode v = node.path("values").path(valueName);
      for (String enc : new String[] {"Raw Value", "CBOR Sequence", "CBOR Data Item", "unspecified"}) {
        if (v.path(enc).isTextual()) {
          return Hex.decode(v.path(enc).asText());
        }
      }
      throw new IllegalArgumentException(name + ": no value " + valueName);
    }

    /** A value by its alias (PK_R_x, G_X_y, ...). */
    public byte[] alias(String alias) {
      return get(node.path("aliases").path(alias).asText());
    }

    /** A value of the first, superseded attempt (section 3's message_1 with suite 6). */
    public byte[] superseded(String valueName, String encoding) {
      for (JsonNode e : node.path("superseded")) {
        if (e.path("name").asText().equals(valueName) && e.path("encoding").asText().equals(encoding)) {
          return Hex.decode(e.path("hex").asText());
        }
      }
      throw new IllegalArgumentException(name + ": no superseded " + valueName);
    }
  }
}
