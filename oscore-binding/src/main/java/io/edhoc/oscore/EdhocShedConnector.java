package io.edhoc.oscore;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;
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
 * Californium's UDP connector with the EDHOC overload decision moved in front of the endpoint.
 *
 * <p>Californium hands every received datagram from the connector's receiver thread to its
 * protocol-stage executor, whose queue is unbounded; the resource's own 5.03 decision ({@link
 * EdhocResource#engineQueue}) therefore waits behind every datagram queued there, which under a
 * flood took hundreds of milliseconds. This connector decides on the receiver thread, before that
 * executor: while the resource's engine queue is full, an EDHOC POST that the resource would shed
 * ({@link EdhocResource#shedEarly}) is answered here with 5.03 + Max-Age and never reaches
 * Californium. A confirmable request gets a piggybacked ACK (its Message ID and token), a
 * non-confirmable one a NON response with a Message ID from the endpoint's exchange store.
 *
 * <p>Everything else, and every request while the queue has room, goes the normal way at the cost
 * of one queue-size check; the datagram is parsed here only while the queue is full. Requests the
 * resource would answer otherwise under pressure (4.01 + Echo for a message_1 without a valid
 * Echo, a retransmission its {@link EdhocReplayCache} knows, a bad media type or size) pass
 * through, so those answers do not change. The resource's late check stays for the requests that
 * find the queue full only once they reach it.
 */
public class EdhocShedConnector extends UDPConnector {
  private final UdpDataParser parser = new UdpDataParser();
  private final UdpDataSerializer serializer = new UdpDataSerializer();
  private final LongAdder shed = new LongAdder();
  private volatile EdhocResource resource;
  private volatile MessageExchangeStore messageIds;

  public EdhocShedConnector(InetSocketAddress address, Configuration configuration) {
    super(address, configuration);
  }

  /**
   * Sheds for {@code resource} (its engine queue, Echo setting, replay cache and hooks);
   * {@code messageIds} (the endpoint's exchange store) numbers NON answers, null: NON requests go
   * the normal way.
   */
  public EdhocShedConnector shedFor(EdhocResource resource, MessageExchangeStore messageIds) {
    this.resource = resource;
    this.messageIds = messageIds;
    return this;
  }

  /** Requests answered 5.03 by this connector (also counted as sheds by the queue and the hooks). */
  public long shedBeforeExecutor() {
    return shed.sum();
  }

  @Override
  public void setRawDataReceiver(RawDataChannel receiver) {
    super.setRawDataReceiver(receiver == null ? null : raw -> {
      if (!shed(raw)) {
        receiver.receiveData(raw);
      }
    });
  }

  private boolean shed(RawData raw) {
    EdhocResource r = resource;
    EngineQueue q = r == null ? null : r.engineQueue();
    if (q == null || raw.isMulticast() || q.waiting() < q.capacity()) {
      return false; // the cheap gate: nothing is shed while starts are admitted
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
    Response answer = r.shedEarly(req, source);
    if (answer == null) {
      return false;
    }
    answer.setToken(req.getToken());
    answer.setDestinationContext(raw.getEndpointContext());
    if (req.getType() == Type.CON) {
      answer.setType(Type.ACK); // piggybacked: the request's Message ID
      answer.setMID(req.getMID());
    } else {
      answer.setType(Type.NON);
      if (ids.assignMessageId(answer) == Message.NONE) {
        shed.increment(); // counted as shed; no Message ID free for this peer: the NON request goes unanswered
        return true;
      }
    }
    send(serializer.serializeResponse(answer));
    shed.increment();
    return true;
  }
}
