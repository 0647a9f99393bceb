package io.edhoc.vectors;

import io.edhoc.crypto.CryptoChoice;
import io.edhoc.crypto.DefaultCrypto;
import java.util.ArrayList;
import java.util.List;

/** Further conformance suites (PSK draft, matrix) register here. */
final class Extensions {
  private Extensions() {}

  static List<Runnable> all(Report report) {
    List<Runnable> r = new ArrayList<>();
    r.add(new Matrix(report));
    r.add(PskDraftReplay.task(report));
    r.addAll(otherProvider(report));
    return r;
  }

  /**
   * The default provider ("auto") ran everything above; the other public-key library replays the
   * RFC 9529 and PSK-draft traces, and the matrix's honest handshakes run with the initiator on
   * one library and the responder on the other, both ways round. (Where Conscrypt's native
   * library does not load, "auto" is Bouncy Castle and there is no other library to run.)
   */
  static List<Runnable> otherProvider(Report report) {
    List<Runnable> r = new ArrayList<>();
    DefaultCrypto auto = DefaultCrypto.get();
    CryptoChoice other;
    if (auto.publicKeyLibrary().equals(DefaultCrypto.CONSCRYPT)) {
      other = CryptoChoice.BOUNCYCASTLE;
    } else if (DefaultCrypto.conscryptAvailable()) {
      other = CryptoChoice.CONSCRYPT;
    } else {
      return r;
    }
    DefaultCrypto o = DefaultCrypto.of(other);
    String label = " [" + o.publicKeyLibrary() + "]";
    r.add(() -> new Rfc9529Replay(VectorFile.load("rfc9529.json"), report, o, label).run());
    r.add(PskDraftReplay.task(report, o, label));
    r.add(new Matrix(report, auto, o, " [initiator " + auto.publicKeyLibrary() + ", responder " + o.publicKeyLibrary() + "]", false));
    r.add(new Matrix(report, o, auto, " [initiator " + o.publicKeyLibrary() + ", responder " + auto.publicKeyLibrary() + "]", false));
    return r;
  }
}
