package io.edgeport.broker.engine.internal.pipeline;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.NettyUtils;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;

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
 * <p>A client that takes nothing for {@link #SLOW_CONSUMER_MS} while congested is disconnected (a stuck reader must
 * not stall everybody); its persistent session keeps its QoS 1/2 messages.
 */
public final class OutboundPressure extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundPressure.class);
    static final long PAUSE_BYTES = 1 << 20;
    static final long RESUME_BYTES = 256 << 10;
    /** Netty's own watermarks: far above ours, so that Moquette's writability check practically never fails. */
    public static final int NETTY_LOW = 32 << 20;
    public static final int NETTY_HIGH = 64 << 20;
    static final long SLOW_CONSUMER_MS = 30_000;

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
            group.relieve(ch);
            return;
        }
        long pending = pending(ch);
        if (pending <= RESUME_BYTES) {
            watching = false;
            group.relieve(ch);
            return;
        }
        if (System.nanoTime() - congestedSince > TimeUnit.MILLISECONDS.toNanos(SLOW_CONSUMER_MS)) {
            LOG.warn("Client {} has read nothing of {} bytes for {} s: disconnected (slow consumer), so that the"
                    + " others can go on", NettyUtils.clientID(ch), pending, SLOW_CONSUMER_MS / 1000);
            watching = false;
            group.relieve(ch);
            ch.close();
            return;
        }
        ctx.executor().schedule(() -> check(ctx), 1, TimeUnit.MILLISECONDS);
    }
}
