package io.edgeport.broker.engine.internal.pipeline;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.MoquetteInternals;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * Resends a resumed persistent session's unacknowledged messages at reconnect, with their original packet ids and
 * DUP=1, as MQTT 3.1.1 requires (4.4.0-1), and keeps the new connection's packet ids from colliding with them.
 *
 * <p>Moquette 0.17 keeps a session's in-flight messages across a reconnect but resends them only when its fixed 5 s
 * timer fires, and every new connection hands out packet ids from 1 again, so draining the offline queue overwrites
 * in-flight entries with the same id and those messages are lost. This journal mirrors Moquette's in-flight window
 * per client id, from what crosses the pipeline:
 * <ul>
 * <li>outbound QoS 1/2 PUBLISH: recorded by packet id (a retained duplicate of the payload, no copy); a DUP resend
 * by Moquette replaces the entry in place;</li>
 * <li>inbound PUBACK: dropped; inbound PUBREC (or an outbound PUBREL): becomes a PUBREL marker, payload released;
 * inbound PUBCOMP: dropped;</li>
 * <li>outbound CONNACK accepted with session-present=1: the new connection's id counter continues from the last id
 * the previous connection handed out (so Moquette's queue drain, which starts only after the CONNACK is flushed, uses
 * fresh ids), then the entries are written right after the CONNACK, in the order they were first sent: PUBLISH with
 * DUP=1 and the original id, PUBREL for markers. Acknowledgements of these ids match Moquette's own window, so they
 * pass through unchanged;</li>
 * <li>outbound CONNACK with session-present=0 (a clean-session CONNECT, or a new session): the journal of that client
 * id is discarded, as Moquette discards the session.</li>
 * </ul>
 * Clean sessions are not journalled (Moquette drops them at disconnect). Memory: Moquette allows 10 messages in
 * flight per session; a journal holds at most {@link #MAX_ENTRIES} (oldest evicted) plus one small object per
 * persistent client id seen in this server run, as Moquette keeps a Session per such id.
 *
 * <p>One instance per server run (the journal mirrors one Moquette instance's memory). Handlers of different channels
 * of one client id share its journal; each journal is guarded by its own lock. Must sit between the traffic counter and
 * {@link DollarFilter}: it must see only what really goes to and comes from the client.
 */
public final class InflightJournal {

    private static final Logger LOG = LoggerFactory.getLogger(InflightJournal.class);
    /** Moquette 0.17's in-flight window is 10; the rest is slack for entries Moquette dropped without telling. */
    static final int MAX_ENTRIES = 32;

    private final ConcurrentMap<String, Journal> journals = new ConcurrentHashMap<>();
    private final AtomicBoolean internalsWarned = new AtomicBoolean();

    public ChannelHandler newHandler() {
        return new Handler();
    }

    /** @return the number of entries (messages and PUBREL markers) journalled for a client id */
    int size(String clientId) {
        Journal j = journals.get(clientId);
        return j == null ? 0 : j.size();
    }

    private void discard(String clientId) {
        Journal old = journals.remove(clientId);
        if (old != null) {
            old.close();
        }
    }

    /** One client id's in-flight messages, in the order they were first sent. */
    static final class Journal {
        private final String clientId;
        /** packet id → PUBLISH (retained, DUP=0) or null for a PUBREL marker */
        private final LinkedHashMap<Integer, MqttPublishMessage> entries = new LinkedHashMap<>();
        private AtomicInteger lastCounter;
        private boolean closed;

        Journal(String clientId) {
            this.clientId = clientId;
        }

        synchronized int size() {
            return entries.size();
        }

        synchronized void sent(MqttPublishMessage p) {
            if (closed) {
                return;
            }
            int id = p.variableHeader().packetId();
            MqttFixedHeader h = p.fixedHeader();
            MqttPublishMessage copy = new MqttPublishMessage(
                    new MqttFixedHeader(MqttMessageType.PUBLISH, false, h.qosLevel(), h.isRetain(), 0),
                    new MqttPublishVariableHeader(p.variableHeader().topicName(), id),
                    p.payload().retainedDuplicate());
            if (entries.containsKey(id)) {
                release(entries.put(id, copy)); // a resend or a reused id: keeps its place in the order
            } else {
                entries.put(id, copy);
                evictOverflow();
            }
        }

        synchronized void acknowledged(int id) {
            if (entries.containsKey(id)) {
                release(entries.remove(id));
            }
        }

        /** PUBREC in: a journalled QoS 2 message is delivered; only its PUBREL is owed. Unknown ids are ignored. */
        synchronized void received(int id) {
            if (entries.get(id) != null) {
                release(entries.put(id, null));
            }
        }

        /** PUBREL out: Moquette owes the PUBCOMP exchange for this id. */
        synchronized void released(int id) {
            if (closed) {
                return;
            }
            if (entries.containsKey(id)) {
                release(entries.put(id, null));
            } else {
                entries.put(id, null);
                evictOverflow();
            }
        }

        private void evictOverflow() {
            Iterator<Map.Entry<Integer, MqttPublishMessage>> it = entries.entrySet().iterator();
            while (entries.size() > MAX_ENTRIES && it.hasNext()) {
                Map.Entry<Integer, MqttPublishMessage> e = it.next();
                LOG.debug("In-flight journal of {} is full: forgetting packet id {}", clientId, e.getKey());
                release(e.getValue());
                it.remove();
            }
        }

        /**
         * Continues {@code counter} from the previous connection's and returns what to resend, retained for the
         * caller.
         */
        synchronized List<MqttMessage> resume(AtomicInteger counter) {
            if (counter != null) {
                if (lastCounter != null && lastCounter != counter) {
                    counter.set(lastCounter.get());
                }
                lastCounter = counter;
            }
            List<MqttMessage> out = new ArrayList<>(entries.size());
            entries.forEach((id, p) -> out.add(p == null ? pubrel(id) : duplicate(p)));
            return out;
        }

        synchronized void connected(AtomicInteger counter) {
            if (counter != null) {
                lastCounter = counter;
            }
        }

        synchronized void close() {
            closed = true;
            entries.values().forEach(Journal::release);
            entries.clear();
        }

        private static void release(MqttPublishMessage p) {
            if (p != null) {
                p.release();
            }
        }

        private static MqttPublishMessage duplicate(MqttPublishMessage p) {
            MqttFixedHeader h = p.fixedHeader();
            ByteBuf payload = p.payload().retainedDuplicate();
            return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, true, h.qosLevel(), h.isRetain(),
                    0), new MqttPublishVariableHeader(p.variableHeader().topicName(), p.variableHeader().packetId()),
                    payload);
        }

        private static MqttMessage pubrel(int id) {
            return new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 2),
                    MqttMessageIdVariableHeader.from(id));
        }
    }

    /** Per channel; runs on the channel's event loop. */
    private final class Handler extends ChannelDuplexHandler {
        /** The client id of a persistent-session CONNECT seen on this channel, until its CONNACK. */
        private String connecting;
        private String cleanConnecting;
        private Journal journal;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof MqttConnectMessage) {
                MqttConnectMessage c = (MqttConnectMessage) msg;
                String id = c.payload().clientIdentifier();
                boolean named = id != null && !id.isEmpty();
                connecting = named && !c.variableHeader().isCleanSession() ? id : null;
                cleanConnecting = named && c.variableHeader().isCleanSession() ? id : null;
            } else if (journal != null && msg instanceof MqttMessage
                    && ((MqttMessage) msg).variableHeader() instanceof MqttMessageIdVariableHeader) {
                MqttMessage m = (MqttMessage) msg;
                int id = ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
                MqttMessageType type = m.fixedHeader().messageType();
                if (type == MqttMessageType.PUBACK || type == MqttMessageType.PUBCOMP) {
                    journal.acknowledged(id);
                } else if (type == MqttMessageType.PUBREC) {
                    journal.received(id);
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof MqttConnAckMessage) {
                connAck(ctx, (MqttConnAckMessage) msg, promise);
                return;
            }
            if (journal != null && msg instanceof MqttPublishMessage) {
                MqttPublishMessage p = (MqttPublishMessage) msg;
                if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE
                        || p.fixedHeader().qosLevel() == MqttQoS.EXACTLY_ONCE) {
                    journal.sent(p);
                }
            } else if (journal != null && msg instanceof MqttMessage
                    && ((MqttMessage) msg).fixedHeader().messageType() == MqttMessageType.PUBREL) {
                journal.released(((MqttMessageIdVariableHeader) ((MqttMessage) msg).variableHeader()).messageId());
            }
            ctx.write(msg, promise);
        }

        private void connAck(ChannelHandlerContext ctx, MqttConnAckMessage ack, ChannelPromise promise) {
            String persistentId = connecting;
            String cleanId = cleanConnecting;
            connecting = null;
            cleanConnecting = null;
            if (ack.variableHeader().connectReturnCode() != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                ctx.write(ack, promise);
                return;
            }
            if (cleanId != null) {
                discard(cleanId);
            }
            if (persistentId == null) {
                ctx.write(ack, promise);
                return;
            }
            AtomicInteger counter = counter(ctx);
            if (!ack.variableHeader().isSessionPresent()) {
                discard(persistentId);
                journal = journals.computeIfAbsent(persistentId, Journal::new);
                journal.connected(counter);
                ctx.write(ack, promise);
                return;
            }
            journal = journals.computeIfAbsent(persistentId, Journal::new);
            List<MqttMessage> resend = journal.resume(counter);
            ctx.write(ack, promise);
            if (!resend.isEmpty()) {
                LOG.debug("Resending {} in-flight packet(s) to {} at reconnect", resend.size(), persistentId);
            }
            for (MqttMessage m : resend) {
                ctx.write(m, ctx.voidPromise());
            }
        }

        private AtomicInteger counter(ChannelHandlerContext ctx) {
            try {
                return MoquetteInternals.packetIdCounter(ctx.channel());
            } catch (IllegalStateException e) {
                if (internalsWarned.compareAndSet(false, true)) {
                    LOG.error("Packet ids of resumed sessions cannot be continued; messages may be lost at reconnect",
                            e);
                }
                return null;
            }
        }
    }
}
