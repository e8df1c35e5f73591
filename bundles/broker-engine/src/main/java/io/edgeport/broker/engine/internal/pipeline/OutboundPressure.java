package io.edgeport.broker.engine.internal.pipeline;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.NettyUtils;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;

/**
 * Back-pressure from slow readers to publishers.
 *
 * <p>Moquette 0.17 writes to a client only while its channel is writable and otherwise <em>drops the packet</em>:
 * QoS 0 messages, but also PUBACK, PUBREC and PUBCOMP (a publisher never gets its acknowledgement and stalls) and
 * QoS 1/2 deliveries (resent only by the 5 s timer). With one slow subscriber behind eight fast publishers it dropped
 * 9 of 10 messages. The acceptor therefore sets Netty's write-buffer watermarks so high that Moquette practically
 * always writes, and this handler keeps the buffers small instead: when a client has more than {@link #PAUSE_BYTES}
 * waiting to be sent, the broker stops reading from every connection of the listener group ({@link ReadGate#OUTBOUND})
 * until that client is down to {@link #RESUME_BYTES}. Publishers are held back by TCP, as with Mosquitto's queues,
 * instead of their messages being dropped.
 *
 * <p>That pause is shared, so it is short: a client still congested after {@link #SHARED_PAUSE_MS} is a slow consumer.
 * The others are read again, and QoS 0 messages to it are dropped (counted, one line per episode) until it is down to
 * {@link #RESUME_BYTES}; its QoS 1/2 messages are bounded by its in-flight window and its queue
 * ({@link io.edgeport.broker.engine.internal.session.PacedQueue}). A client that stays congested for
 * {@link #SLOW_CONSUMER_MS} is disconnected; its persistent session keeps its QoS 1/2 messages. A subscriber to
 * {@code #} that never reads thus costs the others one pause of {@link #SHARED_PAUSE_MS}, and at most about
 * {@link #PAUSE_BYTES} plus its window of memory.
 */
public final class OutboundPressure extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundPressure.class);
    static final long PAUSE_BYTES = 1 << 20;
    static final long RESUME_BYTES = 256 << 10;
    /** Netty's own watermarks: far above ours, so that Moquette's writability check practically never fails. */
    public static final int NETTY_LOW = 32 << 20;
    public static final int NETTY_HIGH = 64 << 20;
    static final long SLOW_CONSUMER_MS = 30_000;
    /** How long the whole listener group waits for one congested client before it goes on without it. */
    static final long SHARED_PAUSE_MS = 2_000;
    private static final java.util.concurrent.atomic.LongAdder DROPPED = new java.util.concurrent.atomic.LongAdder();

    /** @return QoS 0 messages dropped for slow consumers since the broker started (all listeners) */
    public static long droppedForSlowConsumers() {
        return DROPPED.sum();
    }

    /** The connections that pause together: one per acceptor. */
    public static final class Group {
        final Set<Channel> all = ConcurrentHashMap.newKeySet();
        final Set<Channel> congested = ConcurrentHashMap.newKeySet();
        final AtomicLong pauses = new AtomicLong();


        private synchronized void congest(Channel ch) {
            if (congested.add(ch) && congested.size() == 1) {
                pauses.incrementAndGet();
                for (Channel c : all) {
                    ReadGate.pause(c, ReadGate.OUTBOUND);
                }
            }
        }

        private synchronized void relieve(Channel ch) {
            if (congested.remove(ch) && congested.isEmpty()) {
                for (Channel c : all) {
                    ReadGate.resume(c, ReadGate.OUTBOUND);
                }
            }
        }

        private synchronized void join(Channel ch) {
            all.add(ch);
            if (!congested.isEmpty()) {
                ReadGate.pause(ch, ReadGate.OUTBOUND);
            }
        }

        private void leave(Channel ch) {
            all.remove(ch);
            relieve(ch);
        }
    }

    private final Group group;
    private boolean watching;
    private long congestedSince;
    /** A slow consumer: QoS 0 messages to it are dropped until it caught up. */
    private boolean shedding;
    private long shed;

    public OutboundPressure(Group group) {
        this.group = group;
    }

    static long pending(Channel ch) {
        ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
        return b == null ? 0 : b.totalPendingWriteBytes();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        group.join(ctx.channel());
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        group.leave(ctx.channel());
        super.channelInactive(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (shedding && qos0Publish(msg)) {
            ReferenceCountUtil.release(msg);
            promise.trySuccess(); // at most once: dropped, as MQTT allows, instead of holding everybody back
            shed++;
            DROPPED.increment();
            return;
        }
        ctx.write(msg, promise);
    }

    /**
     * Whether a write is a QoS 0 PUBLISH. This handler sits between the MQTT encoder and the socket (or the WebSocket
     * framing), so it sees each packet as the one buffer the encoder made of it: the fixed header's first byte tells.
     */
    static boolean qos0Publish(Object msg) {
        if (msg instanceof ByteBuf b && b.isReadable()) {
            int first = b.getByte(b.readerIndex()) & 0xff;
            return first >> 4 == 3 && (first & 0x06) == 0;
        }
        return msg instanceof MqttPublishMessage p && p.fixedHeader().qosLevel() == MqttQoS.AT_MOST_ONCE;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) throws Exception {
        ctx.flush();
        if (!watching && pending(ctx.channel()) > PAUSE_BYTES) {
            watching = true;
            congestedSince = System.nanoTime();
            group.congest(ctx.channel());
            ctx.executor().schedule(() -> check(ctx), 1, TimeUnit.MILLISECONDS);
        }
    }

    /** Runs on the channel's event loop every millisecond while it is congested. */
    private void check(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        if (!ch.isActive()) {
            watching = false;
            shedding = false;
            group.relieve(ch);
            return;
        }
        long pending = pending(ch);
        if (pending <= RESUME_BYTES) {
            watching = false;
            if (shedding) {
                shedding = false;
                LOG.info("Client {} reads again; {} QoS 0 messages to it were dropped while it was too slow",
                        NettyUtils.clientID(ch), shed);
                shed = 0;
            }
            group.relieve(ch);
            return;
        }
        long congested = System.nanoTime() - congestedSince;
        if (!shedding && congested > TimeUnit.MILLISECONDS.toNanos(SHARED_PAUSE_MS)) {
            shedding = true;
            group.relieve(ch); // the others go on without it
            LOG.info("Client {} is too slow to read ({} bytes waiting for {} s): QoS 0 messages to it are dropped"
                    + " until it catches up; the others go on", NettyUtils.clientID(ch), pending,
                    SHARED_PAUSE_MS / 1000);
        }
        if (congested > TimeUnit.MILLISECONDS.toNanos(SLOW_CONSUMER_MS)) {
            LOG.warn("Client {} has read nothing of {} bytes for {} s: disconnected (slow consumer), so that the"
                    + " others can go on", NettyUtils.clientID(ch), pending, SLOW_CONSUMER_MS / 1000);
            watching = false;
            shedding = false;
            group.relieve(ch);
            ch.close();
            return;
        }
        ctx.executor().schedule(() -> check(ctx), 1, TimeUnit.MILLISECONDS);
    }
}
