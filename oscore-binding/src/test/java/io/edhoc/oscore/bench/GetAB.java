package io.edhoc.oscore.bench;

import io.edhoc.crypto.AeadAlgorithm;
import io.edhoc.crypto.HashAlgorithm;
import io.edhoc.oscore.*;
import io.edhoc.oscore.store.*;
import java.net.InetSocketAddress;
import org.eclipse.californium.core.*;
import org.eclipse.californium.core.coap.*;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.*;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.oscore.*;

/** OSCORE GET round trips over loopback, HashMapCtxDB vs the file-backed StoreBackedCtxDB, interleaved A/B (not a test: docs/oscore.md). */
public final class GetAB {
  static Configuration cfg;
  public static void main(String[] a) throws Exception {
    CoapConfig.register(); UdpConfig.register();
    cfg = Configuration.createStandardWithoutFile(); Configuration.setStandard(cfg);
    double[] sums = new double[2];
    for (int round = 0; round < 9; round++) {
      for (int k = 0; k < 2; k++) { int v = (round % 2 == 0) ? k : 1 - k;
        double us = run(v == 1, (byte) (round * 2 + v + 1));
        if (round > 0) sums[v] += us;
        System.out.printf("round %d %-12s %7.1f us/GET%n", round, v == 1 ? "store(file)" : "HashMapCtxDB", us);
      }
    }
    System.out.printf("mean rounds 1-8: HashMapCtxDB %.1f us, store %.1f us, ratio %.3f%n", sums[0] / 8, sums[1] / 8, sums[1] / sums[0]);
  }

  static double run(boolean store, byte id) throws Exception {
    OscoreContext server = OscoreContext.derive(new byte[16], new byte[8], new byte[] {id}, new byte[] {(byte) (id + 100)}, null,
        AeadAlgorithm.AES_CCM_16_64_128, HashAlgorithm.SHA_256);
    OSCoreCtxDB db;
    FileOscoreContextStore fs = null;
    if (store) {
      fs = FileOscoreContextStore.open(java.nio.file.Files.createTempDirectory("ab"), new byte[32], 1000);
      db = new StoreBackedCtxDB(fs);
    } else {
      db = new HashMapCtxDB();
    }
    new CaliforniumContexts(db).installServer(server);
    CoapEndpoint sep = new EdhocOscoreStackFactory(db, null).endpointBuilder(cfg).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    CoapServer srv = new CoapServer(cfg);
    srv.addEndpoint(sep);
    srv.add(new OSCoreResource("hello", true) { public void handleGET(CoapExchange e) { e.respond("hi"); } });
    srv.start();
    HashMapCtxDB cdb = new HashMapCtxDB();
    String uri = "coap://127.0.0.1:" + sep.getAddress().getPort() + "/hello";
    new CaliforniumContexts(cdb).installClient(server.peerView(), uri);
    CoapEndpoint cep = new EdhocOscoreStackFactory(cdb, null).endpointBuilder(cfg).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    cep.start();
    CoapClient c = new CoapClient(uri); c.setEndpoint(cep); c.setTimeout(5000L);
    int n = 1500;
    long t0 = 0;
    for (int i = -300; i < n; i++) {
      if (i == 0) t0 = System.nanoTime();
      Request r = Request.newGet(); r.setURI(uri); r.getOptions().setOscore(Bytes.EMPTY);
      if (c.advanced(r).getCode() != CoAP.ResponseCode.CONTENT) throw new IllegalStateException();
    }
    double us = (System.nanoTime() - t0) / 1e3 / n;
    c.shutdown(); cep.destroy(); srv.destroy();
    if (fs != null) fs.close();
    return us;
  }
}
