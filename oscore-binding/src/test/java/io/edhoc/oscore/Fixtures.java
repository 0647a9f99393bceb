package io.edhoc.oscore;

import io.edhoc.CipherSuite;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.cose.CoseCurve;
import io.edhoc.credentials.InMemoryCredentialStore;
import io.edhoc.credentials.KeyGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Test identities: an initiator and a responder with CCS credentials fitting a method and suite. */
final class Fixtures {
  private static final KeyGenerator KEYS = new KeyGenerator();

  final EdhocConfig initiator;
  final EdhocConfig responder;

  Fixtures(Method method, CipherSuite suite) {
    CoseCurve iCurve = method.initiatorSigns() ? suite.signatureCurve() : suite.dhCurve();
    CoseCurve rCurve = method.responderSigns() ? suite.signatureCurve() : suite.dhCurve();
    KeyGenerator.CcsKeyPair i = KEYS.ccs(iCurve, "initiator", new byte[] {0x2b});
    KeyGenerator.CcsKeyPair r = KEYS.ccs(rCurve, "responder", new byte[] {0x32});
    initiator = EdhocConfig.builder().methods(method).suites(suite).credential(i.byReference())
        .peers(new InMemoryCredentialStore().add(r.ccs())).build();
    responder = EdhocConfig.builder().methods(method).suites(suite).credential(r.byReference())
        .peers(new InMemoryCredentialStore().add(i.ccs())).build();
  }

  private Fixtures(EdhocConfig initiator, EdhocConfig responder) {
    this.initiator = initiator;
    this.responder = responder;
  }

  /** Method 4 with one fresh PSK entry on both sides. */
  static Fixtures psk(CipherSuite suite) throws Exception {
    byte[] key = new byte[16];
    new java.security.SecureRandom().nextBytes(key);
    byte[] kid = {0x10};
    io.edhoc.credentials.PskCredential entry = io.edhoc.credentials.PskCredential.of(io.edhoc.credentials.IdCred.kid(kid), key,
        io.edhoc.credentials.PskCredential.ccs("initiator", kid, key), io.edhoc.credentials.PskCredential.ccs("responder", kid, key));
    return new Fixtures(EdhocConfig.builder().methods(Method.PSK).suites(suite).psk(entry).build(),
        EdhocConfig.builder().methods(Method.PSK).suites(suite).psk(entry).build());
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public synchronized Instant instant() {
      return now;
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
    }
  }
}
