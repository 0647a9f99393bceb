package io.edhoc.oscore;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.CoAPMessageFormatException;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.MessageExchangeStore;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.config.Configuration;

/**
 * Californium's UDP connector with the EDHOC resource's refusals under pressure moved in front of
 * the endpoint: the overload decision (5.03) and the reachability challenge (4.01 + Echo).
 *
 * <p>Californium hands every received datagram from the connector's receiver thread to its
 * protocol-stage executor, whose queue is unbounded; the resource's own decisions therefore wait
 * behind every datagram queued there, which under a flood took hundreds of milliseconds, and a
 * spoofed flood filled that queue. This connector decides on the receiver thread, before that
 * executor, asking the resource ({@link EdhocResource#answerEarly}): while the resource's engine
 * queue is full, counting the datagrams let through and still queued in that executor as waiting
 * in it ({@link #shedFor(EdhocResource, MessageExchangeStore, CountingExecutor)}),
 * an EDHOC POST that the resource would shed is answered here with 5.03 + Max-Age;
 * while its Echo check applies (RFC 9175; {@code auto} under pressure), a message_1 without a
 * valid Echo is answered here with 4.01 + a fresh Echo value. Neither reaches Californium. A
 * confirmable request gets a piggybacked ACK (its Message ID and token), a non-confirmable one a
 * NON response with a Message ID from the endpoint's exchange store: the same bytes as the
 * resource would send through Californium (for NON up to the Message ID, which either path draws
 * from that store).
 *
 * <p>Everything else, and every request while neither condition holds, goes the normal way at the
 * cost of one queue-size check and the Echo condition; the datagram is parsed here only while one
 * holds. Requests the resource would answer otherwise under pressure (a retransmission its
 * {@link EdhocReplayCache} knows, a bad media type or size, message_3) pass through, so those
 * answers do not change. The resource's late checks stay for the requests that meet the pressure
 * only once they reach it; a message_1 whose Echo is valid is verified again there.
 *
 * <p>The early answers are sent from the receiver thread on the connector's socket, not through
 * Californium's sender thread: a refusal then waits for no second thread to be scheduled (on a
 * busy core that wake-up, behind the engine workers, was a part of the refusals' tail;
 * docs/performance.md). Should that send fail, the answer goes through the sender thread.
 *
 * <p>With several receiver threads (Californium's {@code UDP.RECEIVER_THREAD_COUNT}) each decides
 * for the datagrams it received: the parser and serializer keep no state, and the resource's
 * checks (queue, Echo MAC, replay cache, hooks) are the ones its late path already runs on
 * Californium's several protocol threads. Two threads take turns on the socket, so one receives
 * while the other answers or waits for a core.
 */
public class EdhocShedConnector extends UDPConnector {
  private final UdpDataParser parser = new UdpDataParser();
  private final UdpDataSerializer serializer = new UdpDataSerializer();
  private final LongAdder shed = new LongAdder();
  private final LongAdder challenged = new LongAdder();
  private volatile EdhocResource resource;
  private volatile MessageExchangeStore messageIds;
  private volatile CountingExecutor protocolStage;
  private volatile DatagramSocket socket;

  public EdhocShedConnector(InetSocketAddress address, Configuration configuration) {
    super(address, configuration);
  }

  /**
   * Answers early for {@code resource} (its engine queue, Echo setting, replay cache and hooks);
   * {@code messageIds} (the endpoint's exchange store) numbers NON answers, null: NON requests go
   * the normal way.
   */
  public EdhocShedConnector shedFor(EdhocResource resource, MessageExchangeStore messageIds) {
    return shedFor(resource, messageIds, null);
  }

  /**
   * As {@link #shedFor(EdhocResource, MessageExchangeStore)}, counting the datagrams this
   * connector has let through and that still wait in Californium's executor ({@code
   * protocolStage}, installed on the server: {@link CountingExecutor#installOn}) as already
   * waiting in the engine queue: the requests let through meet the queue only after it. Null:
   * nothing counted.
   */
  public EdhocShedConnector shedFor(EdhocResource resource, MessageExchangeStore messageIds, CountingExecutor protocolStage) {
    this.protocolStage = protocolStage;
    this.resource = resource;
    this.messageIds = messageIds;
    return this;
  }

  /** Requests answered 5.03 by this connector (also counted as sheds by the queue and the hooks). */
  public long shedBeforeExecutor() {
    return shed.sum();
  }

  /**
   * message_1 answered 4.01 + Echo by this connector (also reported to the resource's hooks, as
   * {@code echo_required} / {@code echo_rejected}).
   */
  public long challengedBeforeExecutor() {
    return challenged.sum();
  }

  @Override
  protected void init(DatagramSocket socket) throws IOException {
    this.socket = socket;
    super.init(socket);
  }

  @Override
  public void setRawDataReceiver(RawDataChannel receiver) {
    super.setRawDataReceiver(receiver == null ? null : raw -> {
      if (!answered(raw)) {
        CountingExecutor stage = protocolStage;
        if (stage != null) {
          stage.receive(receiver, raw);
        } else {
          receiver.receiveData(raw);
        }
      }
    });
  }

  private boolean answered(RawData raw) {
    EdhocResource r = resource;
    if (r == null || raw.isMulticast()) {
      return false;
    }
    CountingExecutor stage = protocolStage;
    int queued = stage == null ? 0 : stage.waiting();
    if (!r.mayAnswerEarly(queued)) {
      return false; // the cheap gate: nothing is answered here without pressure
    }
    Message m;
    try {
      m = parser.parseMessage(raw);
    } catch (CoAPMessageFormatException | IllegalArgumentException e) {
      return false; // Californium answers or drops it as before
    }
    if (!(m instanceof Request)) {
      return false;
    }
    Request req = (Request) m;
    MessageExchangeStore ids = messageIds;
    if (req.getType() != Type.CON && (req.getType() != Type.NON || ids == null)) {
      return false;
    }
    InetSocketAddress source = raw.getInetSocketAddress();
    Response answer = r.answerEarly(req, source, queued);
    if (answer == null) {
      return false;
    }
    LongAdder counter = answer.getCode() == ResponseCode.UNAUTHORIZED ? challenged : shed;
    answer.setToken(req.getToken());
    answer.setDestinationContext(raw.getEndpointContext());
    counter.increment(); // before the send, so that a client that has the answer sees it counted
    if (req.getType() == Type.CON) {
      answer.setType(Type.ACK); // piggybacked: the request's Message ID
      answer.setMID(req.getMID());
    } else {
      answer.setType(Type.NON);
      if (ids.assignMessageId(answer) == Message.NONE) {
        return true; // counted; no Message ID free for this peer: the NON request goes unanswered
      }
    }
    RawData bytes = serializer.serializeResponse(answer);
    DatagramSocket s = socket;
    try {
      if (s == null) {
        throw new IOException("not started");
      }
      byte[] b = bytes.getBytes();
      s.send(new DatagramPacket(b, b.length, source));
    } catch (IOException | RuntimeException e) {
      send(bytes); // the sender thread's path (it drops the datagram if the connector has stopped)
    }
    return true;
  }
}
