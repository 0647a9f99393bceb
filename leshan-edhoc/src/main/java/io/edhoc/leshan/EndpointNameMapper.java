package io.edhoc.leshan;

import io.edhoc.EdhocSession;
import io.edhoc.credentials.CcsCredential;
import io.edhoc.credentials.Credential;
import io.edhoc.credentials.PskCredential;
import io.edhoc.credentials.X509Credential;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Which LwM2M endpoint name an authenticated EDHOC peer may use: the server admits an OSCORE
 * request on an EDHOC-keyed context only for the endpoint name this mapping gives for the peer
 * that established the context ({@link EdhocAuthorizer}). Returns null when the credential names
 * no endpoint; the handshake is then refused (the context is never installed).
 *
 * <p>Mappings: {@link #ccsSubject()} (the CCS 'sub' claim; for method 4 the 'sub' of the
 * Initiator's CCS in the PSK entry), {@link #x509CommonName()}, {@link #x509SubjectAltName()}
 * (first URI or DNS name, e.g. {@code urn:imei:...}), {@link #kidTable(Map)} (CCS kid or
 * ID_CRED_PSK kid, hex, to a name), and {@link #firstOf} to chain them.
 */
@FunctionalInterface
public interface EndpointNameMapper {

  /** The endpoint name the peer of this (established, responder-side) session may register as, or null. */
  String endpointName(EdhocSession session);

  /** The 'sub' claim of the peer's CCS (method 4: of CRED_I in the PSK entry). */
  static EndpointNameMapper ccsSubject() {
    return session -> {
      Credential c = session.peerCredential();
      if (c instanceof CcsCredential ccs) {
        return blankToNull(ccs.subject());
      }
      PskCredential psk = session.pskCredential();
      if (c == null && psk != null) {
        return blankToNull(ccsSub(psk.credI()));
      }
      return null;
    };
  }

  /** The CN attribute of the peer's X.509 subject (the most specific one if several). */
  static EndpointNameMapper x509CommonName() {
    return session -> {
      X509Certificate cert = certificate(session.peerCredential());
      if (cert == null) {
        return null;
      }
      try {
        List<Rdn> rdns = new LdapName(cert.getSubjectX500Principal().getName()).getRdns();
        String cn = null;
        for (Rdn rdn : rdns) { // LdapName lists the RDNs from the least to the most significant
          if ("CN".equalsIgnoreCase(rdn.getType())) {
            cn = String.valueOf(rdn.getValue());
          }
        }
        return blankToNull(cn);
      } catch (InvalidNameException e) {
        return null;
      }
    };
  }

  /** The first uniformResourceIdentifier (6) or dNSName (2) subjectAltName of the peer's certificate. */
  static EndpointNameMapper x509SubjectAltName() {
    return session -> {
      X509Certificate cert = certificate(session.peerCredential());
      if (cert == null) {
        return null;
      }
      try {
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans == null) {
          return null;
        }
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          if ((type == 6 || type == 2) && san.get(1) instanceof String s) {
            return blankToNull(s);
          }
        }
        return null;
      } catch (CertificateParsingException e) {
        return null;
      }
    };
  }

  /**
   * A table from credential key identifier (lower-case hex of the CCS kid, or of the ID_CRED_PSK
   * kid for method 4) to endpoint name.
   */
  static EndpointNameMapper kidTable(Map<String, String> kidHexToEndpoint) {
    Map<String, String> table = Map.copyOf(kidHexToEndpoint);
    return session -> {
      byte[] kid = null;
      if (session.peerCredential() instanceof CcsCredential ccs) {
        kid = ccs.kid();
      } else if (session.idCredPsk() != null) {
        kid = session.idCredPsk().kid();
      }
      return kid == null ? null : table.get(HexFormat.of().formatHex(kid));
    };
  }

  /** The first non-null answer of the given mappings. */
  static EndpointNameMapper firstOf(EndpointNameMapper... mappers) {
    List<EndpointNameMapper> list = List.of(mappers);
    return session -> {
      for (EndpointNameMapper m : list) {
        String name = m.endpointName(session);
        if (name != null) {
          return name;
        }
      }
      return null;
    };
  }

  /**
   * The 'sub' claim (2) of a CCS (RFC 8392 claims map). Parsed here, not with {@link
   * CcsCredential#parse}: the CCS of a PSK entry carries a symmetric COSE_Key, which that parser
   * (for public keys) refuses.
   */
  private static String ccsSub(byte[] ccs) {
    try {
      com.upokecenter.cbor.CBORObject claims = com.upokecenter.cbor.CBORObject.DecodeFromBytes(ccs);
      com.upokecenter.cbor.CBORObject sub = claims.getType() == com.upokecenter.cbor.CBORType.Map ? claims.get(2) : null;
      return sub != null && sub.getType() == com.upokecenter.cbor.CBORType.TextString ? sub.AsString() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static X509Certificate certificate(Credential c) {
    if (!(c instanceof X509Credential x)) {
      return null;
    }
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(x.der()));
    } catch (CertificateException e) {
      return null;
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
