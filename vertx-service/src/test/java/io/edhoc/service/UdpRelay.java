package io.edhoc.service;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.oscore.OscoreOptionDecoder;

/**
 * A UDP "load balancer" on loopback for tests: the client talks to {@link #port()}, the relay
 * forwards to the current backend ({@link #target}) and the answers back, and records every
 * datagram in both directions, so a test can move a client between nodes and check what each node
 * put on the wire.
 */
final class UdpRelay implements AutoCloseable {
  /** One datagram: from the client (request side) or from a backend. */
  record Seen(boolean fromClient, int backendPort, int epoch, byte[] bytes) {}

  private final DatagramSocket front;
  private final DatagramSocket back;
  private volatile InetSocketAddress backend;
  private volatile InetSocketAddress client;
  private volatile int epoch;
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  UdpRelay() throws SocketException {
    front = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    back = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    thread("relay-front", () -> pump(front, true)).start();
    thread("relay-back", () -> pump(back, false)).start();
  }

  private static Thread thread(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  int port() {
    return front.getLocalPort();
  }

  String uri() {
    return "coap://127.0.0.1:" + port();
  }

  void target(int backendPort) {
    backend = new InetSocketAddress("127.0.0.1", backendPort);
  }

  /** Starts a new key epoch (after a key update (Sender ID, Partial IV) pairs may repeat under new keys). */
  void newEpoch() {
    epoch++;
  }

  private void pump(DatagramSocket in, boolean fromClient) {
    byte[] buf = new byte[4096];
    while (!in.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        in.receive(p);
        byte[] data = Arrays.copyOf(buf, p.getLength());
        InetSocketAddress to;
        DatagramSocket out;
        if (fromClient) {
          client = (InetSocketAddress) p.getSocketAddress();
          to = backend;
          out = back;
        } else {
          to = client;
          out = front;
        }
        if (to == null) {
          continue;
        }
        seen.add(new Seen(fromClient, fromClient ? to.getPort() : p.getPort(), epoch, data));
        out.send(new DatagramPacket(data, data.length, to));
      } catch (java.io.IOException e) {
        if (in.isClosed()) {
          return;
        }
      }
    }
  }

  /** The last OSCORE request the client sent (for replays). */
  byte[] lastProtectedRequest() {
    for (int i = seen.size() - 1; i >= 0; i--) {
      Seen s = seen.get(i);
      if (s.fromClient() && parse(s.bytes()) instanceof Request r && r.getOptions().hasOscore()) {
        return s.bytes();
      }
    }
    return null;
  }

  /** Responses from backends that carry a Partial IV of their own (with the OSCORE option), counted. */
  long responsesWithPartialIv() {
    return seen.stream().filter(s -> !s.fromClient()).filter(s -> partialIv(parse(s.bytes())) != null).count();
  }

  /** OSCORE messages (either direction) carrying an Echo option outside the encryption: must be none (RFC 9175: class E). */
  long outerEchoOptions() {
    return seen.stream().map(s -> parse(s.bytes())).filter(m -> m != null && m.getOptions().hasOscore())
        .filter(m -> io.edhoc.oscore.EchoOption.get(m.getOptions()) != null).count();
  }

  /** EDHOC requests (POST /.well-known/edhoc) the client sent. */
  long edhocRequests() {
    return seen.stream().filter(Seen::fromClient).map(s -> parse(s.bytes()))
        .filter(m -> m instanceof Request r && r.getOptions().getUriPathString().equals(".well-known/edhoc")).count();
  }

  /**
   * Every (epoch, Sender ID, Partial IV) on the wire with the distinct datagrams that carried it:
   * requests name their Sender ID (kid), responses are the server's ({@code serverSenderId}, the
   * client's Recipient ID). A CoAP retransmission repeats the same bytes, so it is one datagram.
   */
  Map<String, List<String>> nonceUses(byte[] serverSenderId) {
    Map<String, List<String>> uses = new HashMap<>();
    for (Seen s : seen) {
      Message m = parse(s.bytes());
      Integer piv = partialIv(m);
      if (piv == null) {
        continue;
      }
      byte[] sid = m instanceof Request ? kid(m) : serverSenderId;
      String key = s.epoch() + "/" + HexFormat.of().formatHex(sid) + "/" + piv;
      String body = HexFormat.of().formatHex(Arrays.copyOfRange(s.bytes(), 4, s.bytes().length)) // without type/code/MID
          + (s.fromClient() ? "" : "@" + s.backendPort());
      List<String> l = uses.computeIfAbsent(key, k -> new ArrayList<>());
      String withoutMid = body.replaceAll("@.*", "");
      if (l.stream().noneMatch(x -> x.replaceAll("@.*", "").equals(withoutMid))) {
        l.add(body);
      }
    }
    return uses;
  }

  static Message parse(byte[] bytes) {
    try {
      return new UdpDataParser().parseMessage(bytes);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Integer partialIv(Message m) {
    if (m == null || !m.getOptions().hasOscore() || m.getOptions().getOscore().length == 0) {
      return null;
    }
    try {
      OscoreOptionDecoder d = new OscoreOptionDecoder(m.getOptions().getOscore());
      return d.getPartialIV() == null ? null : d.getSequenceNumber();
    } catch (Exception e) {
      return null;
    }
  }

  private static byte[] kid(Message m) {
    try {
      byte[] k = new OscoreOptionDecoder(m.getOptions().getOscore()).getKid();
      return k == null ? new byte[0] : k;
    } catch (Exception e) {
      return new byte[0];
    }
  }

  @Override
  public void close() {
    front.close();
    back.close();
  }
}
