package io.edhoc.service.load;

import io.edhoc.CipherSuite;
import io.edhoc.Edhoc;
import io.edhoc.EdhocConfig;
import io.edhoc.Method;
import io.edhoc.service.CredentialDirectory;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A measuring harness, not a test: sends N CoAP message_1 requests (confirmable POSTs to
 * /.well-known/edhoc, content format 65) from P different UDP source ports, as a flood of
 * half-open handshakes would, and counts the answers by code, with the latency percentiles of
 * each code (send to answer, as seen by this process). Used for the half-open memory and the
 * shed-latency figures of docs/performance.md:
 *
 * <pre>
 *   java -cp vertx-service/target/edhoc.jar:vertx-service/target/test-classes \
 *     io.edhoc.service.load.HalfOpenFlood 127.0.0.1 5683 .edhoc-dev/client 100000 1000 2000
 * </pre>
 *
 * (host, port, client credentials directory, requests, source ports, requests per second).
 */
public final class HalfOpenFlood {
  public static void main(String[] a) throws Exception {
    String host = a[0];
    int port = Integer.parseInt(a[1]);
    Path creds = Path.of(a[2]);
    int n = Integer.parseInt(a[3]);
    int ports = Integer.parseInt(a[4]);
    double rate = Double.parseDouble(a[5]);
    CredentialDirectory d = CredentialDirectory.load(creds);
    EdhocConfig.Builder b = EdhocConfig.builder().suites(CipherSuite.SUITE_2).methods(Method.STAT_STAT).peers(d.resolver(false));
    d.own().forEach(b::credential);
    EdhocConfig cfg = b.build();
    // a few distinct message_1 (each a fresh ephemeral key); the server treats every request as new
    List<byte[]> m1s = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      m1s.add(Edhoc.initiator(cfg).writeMessage1().message1());
    }
    InetSocketAddress server = new InetSocketAddress(host, port);
    Selector sel = Selector.open();
    List<DatagramChannel> chans = new ArrayList<>();
    for (int i = 0; i < ports; i++) {
      DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
      ch.bind(new InetSocketAddress("127.0.0.1", 0));
      ch.configureBlocking(false);
      ch.register(sel, SelectionKey.OP_READ);
      chans.add(ch);
    }
    int[] codes = new int[256];
    long[] sentAt = new long[n];
    java.util.Map<Integer, java.util.List<Long>> latency = new java.util.HashMap<>();
    java.util.Map<DatagramChannel, Integer> index = new java.util.HashMap<>();
    for (int i = 0; i < ports; i++) {
      index.put(chans.get(i), i);
    }
    int received = 0;
    long t0 = System.nanoTime();
    ByteBuffer in = ByteBuffer.allocate(2048);
    int sent = 0;
    long lastPrint = t0;
    while (received < n) {
      long now = System.nanoTime();
      long due = Math.min(n, (long) ((now - t0) / 1e9 * rate) + 1);
      while (sent < due) {
        DatagramChannel ch = chans.get(sent % ports);
        int mid = (sent / ports) & 0xffff;
        sentAt[sent] = System.nanoTime();
        ch.send(ByteBuffer.wrap(request(mid, m1s.get(sent % m1s.size()))), server);
        sent++;
      }
      if (sel.select(5) > 0) {
        for (SelectionKey k : sel.selectedKeys()) {
          DatagramChannel ch = (DatagramChannel) k.channel();
          while (true) {
            in.clear();
            if (ch.receive(in) == null) {
              break;
            }
            in.flip();
            if (in.remaining() >= 4) {
              int code = in.get(1) & 0xff;
              codes[code]++;
              received++;
              int mid = ((in.get(2) & 0xff) << 8) | (in.get(3) & 0xff);
              long seq = (long) mid * ports + index.get(ch); // the first 65,536 x ports requests
              if (seq < n) {
                latency.computeIfAbsent(code, c0 -> new ArrayList<>()).add(System.nanoTime() - sentAt[(int) seq]);
              }
            }
          }
        }
        sel.selectedKeys().clear();
      }
      if (now - lastPrint > 1_000_000_000L) {
        lastPrint = now;
        System.out.printf("sent %d, answered %d%n", sent, received);
      }
      if (sent == n && now - t0 > (n / rate + 60) * 1e9) {
        break; // stop waiting for lost answers
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    StringBuilder s = new StringBuilder();
    for (int c = 0; c < 256; c++) {
      if (codes[c] > 0) {
        s.append(String.format(" %d.%02d: %d", c >> 5, c & 31, codes[c]));
      }
    }
    System.out.printf("flood: %d sent from %d ports, %d answered in %.1f s;%s%n", sent, ports, received, secs, s);
    for (var e : latency.entrySet()) {
      List<Long> l = e.getValue();
      java.util.Collections.sort(l);
      System.out.printf("  %d.%02d latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d)%n", e.getKey() >> 5, e.getKey() & 31,
          l.get(l.size() / 2) / 1e6, l.get((int) (l.size() * 0.99)) / 1e6, l.get(l.size() - 1) / 1e6, l.size());
    }
  }

  /** CON POST /.well-known/edhoc, Content-Format 65, payload true || message_1. */
  public static byte[] request(int mid, byte[] m1) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(0x40); // version 1, CON, no token
    o.write(0x02); // POST
    o.write(mid >> 8);
    o.write(mid);
    byte[] wk = ".well-known".getBytes(StandardCharsets.US_ASCII);
    o.write(0xb0 | wk.length); // option 11 (delta 11), length 11
    o.writeBytes(wk);
    byte[] ed = "edhoc".getBytes(StandardCharsets.US_ASCII);
    o.write(0x00 | ed.length); // option 11 again (delta 0)
    o.writeBytes(ed);
    o.write(0x11); // option 12 (delta 1), length 1
    o.write(65);
    o.write(0xff);
    o.write(0xf5);
    o.writeBytes(m1);
    return o.toByteArray();
  }
}
