package io.edhoc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Counting the key schedule's work instead of timing it: each side derives SALT_3e2m only when the
 * Responder authenticates with static DH and SALT_4e3m only when the Initiator does (RFC 9528
 * 4.1.1.2 / 4.1.1.3: with a signature, PRK_3e2m = PRK_2e and PRK_4e3m = PRK_3e2m and the salts
 * are never used), and the number of EDHOC_KDF calls per side is exactly what the method needs.
 */
class KeyScheduleWorkTest {
  @ParameterizedTest
  @EnumSource(Method.class)
  void saltsAreDerivedOnlyWhereAStaticDhKeyUsesThem(Method m) throws Exception {
    if (m.id() > 3) {
      return; // method 4 (PSK) has its own schedule, covered by the PSK tests
    }
    Fixture.Pair p = new Fixture.Pair(m, CipherSuite.fromId(0));
    List<String> initiatorNames = new ArrayList<>();
    List<String> responderNames = new ArrayList<>();
    EdhocConfig ic = p.initiator().testHooks(TestHooks.create().trace((name, value) -> initiatorNames.add(name))).build();
    EdhocConfig rc = p.responder().testHooks(TestHooks.create().trace((name, value) -> responderNames.add(name))).build();
    Fixture.Done d = Fixture.handshake(ic, rc);
    assertThat(Fixture.agree(d.initiator, d.responder)).isTrue();
    for (List<String> names : List.of(initiatorNames, responderNames)) {
      assertThat(names.contains("SALT_3e2m")).as("SALT_3e2m derived").isEqualTo(!m.responderSigns());
      assertThat(names.contains("SALT_4e3m")).as("SALT_4e3m derived").isEqualTo(!m.initiatorSigns());
      // KEYSTREAM_2, MAC_2, K_3, IV_3, MAC_3, PRK_out, K_4, IV_4, PRK_exporter, plus a salt per
      // static-DH side (the exporter calls of Fixture.agree are not counted)
      long kdfCalls = names.stream().filter(n -> n.startsWith("info for ") && !n.startsWith("info for EDHOC_Exporter")).count();
      int expected = 9 + (m.responderSigns() ? 0 : 1) + (m.initiatorSigns() ? 0 : 1);
      assertThat(kdfCalls).as(names.toString()).isEqualTo(expected);
    }
  }
}
