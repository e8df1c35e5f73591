package io.edgeport.broker.engine.internal.pipeline;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * The first handler of every connection: it bounds what a flood of connections costs before any of them has said who
 * it is. Two limits, both checked when a connection is accepted, which is closed at once when one is exceeded:
 * <ul>
 * <li><b>Connections waiting for their CONNECT</b> (including their TLS handshake) at once: each costs buffers and a
 * handshake; a flood of sockets that never speak would otherwise hold the broker's memory until their CONNECT timeout
 * ends them. A connection stops waiting when {@link ConnectGuard} sees its CONNECT ({@link #connectReceived}) or when
 * it closes.</li>
 * <li><b>Connects per second from one source address</b> (a token bucket of as many): a misbehaving device or a
 * scanner in a reconnect loop cannot crowd out the others. Loopback addresses are exempt unless configured.</li>
 * </ul>
 * Refusals are counted and logged by {@link PeerErrors} (once a minute per reason, then how many followed). One
 * shared instance per broker; thread-safe.
 */
@Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);
    private static final AttributeKey<Boolean> WAITING = AttributeKey.valueOf(ConnectionLimiter.class, "waiting");
    /** Source addresses tracked for the rate limit at most; beyond, idle buckets are dropped first. */
    static final int MAX_ADDRESSES = 10_000;

    private final int maxPending;
    private final int ratePerSecond;
    private final boolean limitLoopback;
    private final AtomicInteger pending = new AtomicInteger();
    private final Map<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong refusedPending = new AtomicLong();
    private final AtomicLong refusedRate = new AtomicLong();
    private volatile PeerErrors errors;

    /**
     * @param maxPending connections that may wait for their CONNECT at once; 0 or less: no limit
     * @param ratePerSecond connects per second per source address; 0 or less: no limit
     * @param limitLoopback whether loopback addresses are rate limited too
     */
    public ConnectionLimiter(int maxPending, int ratePerSecond, boolean limitLoopback) {
        this.maxPending = maxPending;
        this.ratePerSecond = ratePerSecond;
        this.limitLoopback = limitLoopback;
    }

    /** Where refusals are counted and logged (the pipelines' {@link PeerErrors}). */
    void reportTo(PeerErrors errors) {
        this.errors = errors;
    }

    private void report(PeerErrors.Reason reason, Channel ch, String detail) {
        PeerErrors e = errors;
        if (e != null) {
            e.report(reason, ch.remoteAddress(), detail);
        } else {
            LOG.debug("Connection from {} {}", ch.remoteAddress(), detail);
        }
    }

    /** Whether this limiter limits anything (no handler is needed otherwise). */
    public boolean active() {
        return maxPending > 0 || ratePerSecond > 0;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        Channel ch = ctx.channel();
        InetAddress address = address(ch.remoteAddress());
        if (ratePerSecond > 0 && address != null && (limitLoopback || !address.isLoopbackAddress())
                && !bucket(address).take(ratePerSecond)) {
            refusedRate.incrementAndGet();
            report(PeerErrors.Reason.CONNECT_RATE, ch, "refused: more than " + ratePerSecond
                    + " connects per second from one address (max_connect_rate)");
            refuse(ctx);
            return;
        }
        if (maxPending > 0) {
            if (pending.incrementAndGet() > maxPending) {
                pending.decrementAndGet();
                refusedPending.incrementAndGet();
                report(PeerErrors.Reason.PENDING_CONNECTS, ch, "refused: " + maxPending
                        + " connections are waiting for their CONNECT (max_pending_connects)");
                refuse(ctx);
                return;
            }
            ch.attr(WAITING).set(Boolean.TRUE);
        }
        super.channelActive(ctx);
    }

    /**
     * Closes a refused connection before the handlers behind this one learn of it: they never saw it become active
     * (Moquette's handler would fail on a close it was not told of the start of).
     */
    private static void refuse(ChannelHandlerContext ctx) {
        io.netty.channel.ChannelPipeline p = ctx.pipeline();
        boolean after = false;
        for (String name : p.names()) {
            if (name.equals(ctx.name())) {
                after = true;
            } else if (after && p.context(name) != null) {
                p.remove(name);
            }
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stopWaiting(ctx.channel());
        super.channelInactive(ctx);
    }

    /** {@code ch} sent its CONNECT: it no longer counts as waiting. Any thread; idempotent. */
    public static void connectReceived(Channel ch) {
        ConnectionLimiter l = ch.pipeline().get(ConnectionLimiter.class);
        if (l != null) {
            l.stopWaiting(ch);
        }
    }

    private void stopWaiting(Channel ch) {
        if (ch.attr(WAITING).getAndSet(null) != null) {
            pending.decrementAndGet();
        }
    }

    /** @return connections waiting for their CONNECT now */
    public int pending() {
        return pending.get();
    }

    /** @return connections refused because too many were waiting for their CONNECT */
    public long refusedPending() {
        return refusedPending.get();
    }

    /** @return connections refused because their address connected too often */
    public long refusedRate() {
        return refusedRate.get();
    }

    private Bucket bucket(InetAddress address) {
        Bucket b = buckets.get(address);
        if (b == null) {
            if (buckets.size() >= MAX_ADDRESSES) {
                evictIdle();
            }
            b = buckets.computeIfAbsent(address, a -> new Bucket(ratePerSecond));
        }
        return b;
    }

    /** Drops buckets that are full again (their address has been quiet for a second or more). */
    private void evictIdle() {
        long now = System.nanoTime();
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext();) {
            Bucket b = it.next();
            if (now - b.last > TimeUnit.SECONDS.toNanos(1)) {
                it.remove();
            }
        }
    }

    private static InetAddress address(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getAddress() : null;
    }

    /** A token bucket: {@code rate} tokens a second, at most {@code rate} saved. */
    static final class Bucket {
        private double tokens;
        volatile long last = System.nanoTime();

        Bucket(int rate) {
            this.tokens = rate;
        }

        synchronized boolean take(int rate) {
            long now = System.nanoTime();
            tokens = Math.min(rate, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
