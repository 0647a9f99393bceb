package io.edhoc.cbor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Fuzz finding (ParserFuzzTest#cborReader): a tag number above 2^63 - 1 came back as a negative long. */
class CborReaderTagTest {
  @Test
  void tagNumbersBeyondALongAreRefusedByEveryReadPath() {
    byte[] hugeTag = Hex.decode("dbdbdbdbdbdbdbdbdb00"); // tag 0xdbdb...db (> 2^63), content 0
    assertThatThrownBy(() -> new CborReader(hugeTag).readValue()).isInstanceOf(CborException.class).hasMessageContaining("tag number");
    assertThatThrownBy(() -> new CborReader(hugeTag).readTag()).isInstanceOf(CborException.class);
    assertThatThrownBy(() -> new CborReader(hugeTag).skipItem()).isInstanceOf(CborException.class);
  }

  @Test
  void theLargestLongTagIsKeptExactly() throws CborException {
    byte[] maxTag = Hex.decode("db7fffffffffffffff00");
    CborTag t = (CborTag) new CborReader(maxTag).readValue();
    assertThat(t.tag()).isEqualTo(Long.MAX_VALUE);
    assertThat(new CborWriter().writeValue(t).toByteArray()).isEqualTo(maxTag);
  }
}
