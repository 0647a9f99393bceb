package io.edhoc.cbor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The writer's own buffer (it replaced ByteArrayOutputStream): encodings from RFC 8949 Appendix A
 * whatever the initial capacity, growth past the initial size without losing or reordering bytes,
 * and a result that is a copy the writer no longer touches.
 */
class CborWriterTest {
  @Test
  void rfc8949AppendixAExamplesAreWrittenExactlyFromAnyInitialCapacity() {
    for (int cap : new int[] {0, 1, 2, 9, 64}) {
      assertThat(new CborWriter(cap).writeInt(0).toByteArray()).isEqualTo(Hex.decode("00"));
      assertThat(new CborWriter(cap).writeInt(23).toByteArray()).isEqualTo(Hex.decode("17"));
      assertThat(new CborWriter(cap).writeInt(24).toByteArray()).isEqualTo(Hex.decode("1818"));
      assertThat(new CborWriter(cap).writeInt(1000).toByteArray()).isEqualTo(Hex.decode("1903e8"));
      assertThat(new CborWriter(cap).writeInt(1000000).toByteArray()).isEqualTo(Hex.decode("1a000f4240"));
      assertThat(new CborWriter(cap).writeInt(1000000000000L).toByteArray()).isEqualTo(Hex.decode("1b000000e8d4a51000"));
      assertThat(new CborWriter(cap).writeInt(-1000).toByteArray()).isEqualTo(Hex.decode("3903e7"));
      assertThat(new CborWriter(cap).writeBytes(Hex.decode("01020304")).toByteArray()).isEqualTo(Hex.decode("4401020304"));
      assertThat(new CborWriter(cap).writeText("IETF").toByteArray()).isEqualTo(Hex.decode("6449455446"));
      assertThat(new CborWriter(cap).writeArrayHeader(3).writeInt(1).writeInt(2).writeInt(3).toByteArray()).isEqualTo(Hex.decode("83010203"));
      assertThat(new CborWriter(cap).writeMapHeader(1).writeInt(1).writeInt(2).writeBoolean(true).writeNull().toByteArray())
          .isEqualTo(Hex.decode("a10102f5f6"));
    }
  }

  @Test
  void growsPastItsInitialCapacityKeepingEveryByteInOrder() {
    byte[] big = new byte[70_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + 7);
    }
    CborWriter w = new CborWriter(1).writeInt(-24).writeBytes(big).writeText("x");
    byte[] out = w.toByteArray();
    assertThat(w.size()).isEqualTo(out.length).isEqualTo(1 + 5 + big.length + 2);
    assertThat(out[0]).isEqualTo((byte) 0x37);
    assertThat(Arrays.copyOfRange(out, 1, 6)).isEqualTo(Hex.decode("5a00011170"));
    assertThat(Arrays.copyOfRange(out, 6, 6 + big.length)).isEqualTo(big);
    assertThat(Arrays.copyOfRange(out, 6 + big.length, out.length)).isEqualTo(Hex.decode("6178"));
  }

  @Test
  void theResultIsACopyEvenWhenTheBufferIsExactlyFull() {
    CborWriter w = new CborWriter(2).writeInt(24);
    byte[] first = w.toByteArray();
    first[0] = 0;
    assertThat(w.toByteArray()).isEqualTo(Hex.decode("1818"));
    w.writeInt(1);
    assertThat(w.toByteArray()).isEqualTo(Hex.decode("181801"));
  }

  @Test
  void finishHandsOverAnExactlySizedArrayAndEndsTheWriter() {
    byte[] context = new byte[40];
    int size = CborWriter.headLength(-7) + CborWriter.headLength(context.length) + context.length + CborWriter.headLength(300);
    CborWriter w = new CborWriter(size).writeInt(-7).writeBytes(context).writeInt(300);
    byte[] copy = w.toByteArray();
    byte[] out = w.finish();
    assertThat(out).isEqualTo(copy).hasSize(size);
    assertThatThrownBy(() -> w.writeInt(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(w::toByteArray).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(w::finish).isInstanceOf(IllegalStateException.class);
    // not exactly full: a copy of the bytes written
    assertThat(new CborWriter(64).writeInt(24).finish()).isEqualTo(Hex.decode("1818"));
  }

  @Test
  void headLengthIsTheLengthOfTheHeadTheWriterWrites() {
    long[] edges = {0, 23, 24, 255, 256, 65535, 65536, 0xFFFFFFFFL, 0x100000000L, Long.MAX_VALUE};
    for (long v : edges) {
      assertThat(CborWriter.headLength(v)).as("" + v).isEqualTo(new CborWriter().writeInt(v).toByteArray().length);
      long neg = -1 - v;
      assertThat(CborWriter.headLength(neg)).as("" + neg).isEqualTo(new CborWriter().writeInt(neg).toByteArray().length);
    }
    for (int n : new int[] {0, 23, 24, 255, 256, 65535, 65536}) {
      assertThat(CborWriter.headLength(n) + n).as("bstr " + n).isEqualTo(CborWriter.bstr(new byte[n]).length);
    }
  }

  @Test
  void bstrHasTheWritersEncodingAtEveryHeaderSize() {
    for (int n : new int[] {0, 1, 23, 24, 255, 256, 65535, 65536, 70000}) {
      byte[] v = new byte[n];
      for (int i = 0; i < n; i++) {
        v[i] = (byte) (i ^ 0x5a);
      }
      assertThat(CborWriter.bstr(v)).as("length " + n).isEqualTo(new CborWriter(1).writeBytes(v).toByteArray());
    }
    assertThat(CborWriter.bstr(Hex.decode("01020304"))).isEqualTo(Hex.decode("4401020304"));
  }

  @Test
  void aNegativeInitialCapacityIsRefused() {
    assertThatThrownBy(() -> new CborWriter(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
