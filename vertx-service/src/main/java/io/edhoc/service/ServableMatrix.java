package io.edhoc.service;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.Role;
import io.edhoc.credentials.OwnCredential;
import io.edhoc.credentials.PskCredential;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which configured (method, suite) pairs the responder can actually serve with the credentials it
 * loaded, and why the others cannot: what the start-up log reports and /health shows. The rule is
 * the core's ({@link EdhocConfig#credentialFor}): a signature key on the suite's signature curve
 * when the responder signs, a static DH key on its DH curve otherwise; method 4 needs a PSK.
 */
record ServableMatrix(List<String> servable, List<String> notServable) {
  static ServableMatrix of(EdhocConfig cfg) {
    List<String> ok = new ArrayList<>();
    List<String> not = new ArrayList<>();
    for (Method m : cfg.methods()) {
      for (CipherSuite s : cfg.suites()) {
        String pair = "method " + m.id() + " suite " + s.id();
        if (m.isPsk()) {
          if (cfg.pskResolver() != null) {
            ok.add(pair);
          } else {
            not.add(pair + ": no PSK entry (psk: in the credentials file)");
          }
        } else if (cfg.credentialFor(Role.RESPONDER, m, s) != null) {
          ok.add(pair);
        } else {
          boolean signs = m.responderSigns();
          not.add(pair + ": no own " + curve(signs ? s.signatureCurve() : s.dhCurve()) + (signs ? " signature" : " static DH")
              + " credential");
        }
      }
    }
    return new ServableMatrix(List.copyOf(ok), List.copyOf(not));
  }

  /** One line per own credential and PSK: kind, identifier, curve; never key material. */
  static List<String> describe(List<OwnCredential> own, List<PskCredential> psks) {
    List<String> out = new ArrayList<>();
    for (OwnCredential o : own) {
      out.add(o.credential().describe() + ", " + curve(o.credential().publicKey().curve()) + ", sent as " + o.idCredToSend());
    }
    for (PskCredential p : psks) {
      out.add("PSK " + p.idCredPsk());
    }
    return out;
  }

  private static String curve(io.edhoc.cose.CoseCurve c) {
    return c.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
