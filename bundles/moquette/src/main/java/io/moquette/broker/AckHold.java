package io.moquette.broker;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;

/**
 * Holds back the acknowledgements (PUBACK, PUBREC, PUBCOMP) the broker writes to a publisher while a subscriber it
 * feeds is too far behind ({@link PacedQueue}); the publisher's own in-flight window then stops it, so it slows down to
 * what the subscriber takes instead of filling the broker's memory (Moquette) or having messages dropped after they
 * were acknowledged (Mosquitto beyond max_queued_messages). Reading is never paused, so acknowledgements the publisher
 * sends for its own deliveries keep flowing: two clients feeding each other cannot deadlock.
 *
 * <p>Acknowledgements keep their order (MQTT-4.6.0-2): once one is held, every later one waits behind it. A hold ends
 * when every holder released it, or after {@link #MAX_HOLD_MS} at the latest (a subscriber that stopped acknowledging
 * must not stop its publishers for good; it is the slow-consumer limit's business). One per channel, between the
 * encoder and every handler that may write an acknowledgement. State is confined to the channel's event loop.
 */
final class AckHold extends ChannelDuplexHandler {

    static final String NAME = "ackHold";
    static final long MAX_HOLD_MS = 10_000;

    // Both created on first use: most connections never hold anything (5,000 idle clients: ~2.5 MB saved).
    private Set<Object> holders;
    private ArrayDeque<Object[]> held;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> limit;
    /** Episodes ended by {@link #MAX_HOLD_MS} rather than by their holders (for tests and statistics). */
    int expired;

    /** Starts holding the acknowledgements of {@code publisher} for {@code holder}; any thread. */
    static void hold(Channel publisher, Object holder) {
        // At once when already on its loop: the acknowledgement of the very message that overfilled the queue is held.
        onLoop(publisher, h -> h.add(holder));
    }

    /** Ends {@code holder}'s hold on {@code publisher}; any thread; a no-op when it holds nothing. */
    static void release(Channel publisher, Object holder) {
        onLoop(publisher, h -> h.remove(holder));
    }

    private static void onLoop(Channel publisher, java.util.function.Consumer<AckHold> action) {
        AckHold h = publisher.pipeline().get(AckHold.class);
        if (h == null) {
            return;
        }
        if (publisher.eventLoop().inEventLoop()) {
            action.accept(h);
        } else {
            publisher.eventLoop().execute(() -> action.accept(h));
        }
    }

    boolean holding() {
        return holders != null && !holders.isEmpty();
    }

    int heldCount() {
        return held == null ? 0 : held.size();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    private void add(Object holder) {
        if (ctx == null || !ctx.channel().isActive()) {
            return;
        }
        if (holders == null) {
            holders = Collections.newSetFromMap(new IdentityHashMap<>(4));
        }
        if (holders.add(holder) && holders.size() == 1 && limit == null) {
            limit = ctx.executor().schedule(this::expire, MAX_HOLD_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void remove(Object holder) {
        if (holders != null && holders.remove(holder) && holders.isEmpty()) {
            flushHeld();
        }
    }

    private void expire() {
        limit = null;
        if (holding()) {
            expired++;
            holders.clear();
            flushHeld();
        }
    }

    private void flushHeld() {
        if (limit != null) {
            limit.cancel(false);
            limit = null;
        }
        if (held == null || held.isEmpty() || ctx == null) {
            return;
        }
        while (!held.isEmpty()) {
            Object[] w = held.poll();
            ctx.write(w[0], (ChannelPromise) w[1]);
        }
        ctx.flush();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if ((holding() || heldCount() > 0) && isAck(msg)) {
            if (held == null) {
                held = new ArrayDeque<>();
            }
            held.add(new Object[] {msg, promise});
            return;
        }
        ctx.write(msg, promise);
    }

    private static boolean isAck(Object msg) {
        if (!(msg instanceof MqttMessage) || ((MqttMessage) msg).fixedHeader() == null) {
            return false;
        }
        MqttMessageType t = ((MqttMessage) msg).fixedHeader().messageType();
        return t == MqttMessageType.PUBACK || t == MqttMessageType.PUBREC || t == MqttMessageType.PUBCOMP;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        drop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        drop();
    }

    private void drop() {
        if (holders != null) {
            holders.clear();
        }
        if (limit != null) {
            limit.cancel(false);
            limit = null;
        }
        while (held != null && !held.isEmpty()) {
            Object[] w = held.poll();
            ReferenceCountUtil.release(w[0]);
            ((ChannelPromise) w[1]).tryFailure(new ClosedChannelException());
        }
    }
}
