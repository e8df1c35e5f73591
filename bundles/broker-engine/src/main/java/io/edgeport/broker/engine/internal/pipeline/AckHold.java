package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.internal.session.PacedQueue;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.edgeport.broker.engine.internal.store.GroupCommit;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * Holds back the acknowledgements the broker writes to a client until they may be sent. Two reasons, one queue:
 * <ul>
 * <li><b>Durability</b> (with a {@link GroupCommit}): PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK, PUBREL (to a
 * subscriber: its message is no longer to be redelivered) and the CONNACK of a persistent session wait until what
 * they promise is in the store: the acknowledgement takes a ticket when it is
 * written here (after Moquette made, or queued, the changes it answers for) and leaves when that group commit
 * completed. Everything written behind a held CONNACK waits too (the CONNACK must be the first packet); PUBLISH
 * packets to the client may overtake held acknowledgements (MQTT 3.1.1 allows a PUBLISH before the SUBACK).</li>
 * <li><b>Pacing</b>: the publish acknowledgements (PUBACK, PUBREC, PUBCOMP) of a publisher feeding a subscriber that is
 * too far behind ({@link PacedQueue}); the publisher's own in-flight window then stops it, so it slows down to what
 * the subscriber takes instead of filling the broker's memory (Moquette) or having messages dropped after they were
 * acknowledged (Mosquitto beyond max_queued_messages). Reading is never paused, so acknowledgements the publisher
 * sends for its own deliveries keep flowing: two clients feeding each other cannot deadlock. A pacing hold ends when
 * every holder released it, or after {@link #MAX_HOLD_MS} at the latest (a subscriber that stopped acknowledging
 * must not stop its publishers for good; it is the slow-consumer limit's business).</li>
 * </ul>
 * <p>What an acknowledgement promises may be written on another thread: a message to a subscriber whose session
 * loop is another I/O thread is queued there ({@code EventLoopSessions}) and recorded in the store only when that
 * loop runs it. Such commands are counted per channel ({@link #routed}, {@link #routeDone}); an acknowledgement that
 * needs the store takes its ticket only once every command routed on behalf of its channel before it has run, so a
 * PUBACK is never durable before the subscriber's copy of its message (a kill in between lost it).
 *
 * <p>Acknowledgements keep their order (MQTT-4.6.0-2): once one is held, every later one waits behind it. One per
 * channel, between the encoder and every handler that may write an acknowledgement. State is confined to the
 * channel's event loop.
 */
public final class AckHold extends ChannelDuplexHandler {

    public static final String NAME = "ackHold";
    private static final AttributeKey<AckHold> KEY = AttributeKey.valueOf("edgeport.ackHold");
    static final long MAX_HOLD_MS = 10_000;

    /** Null: acknowledgements need not wait for the store (persistence off). */
    private final GroupCommit durability;
    // Both created on first use: most connections never hold anything (5,000 idle clients: ~2.5 MB saved).
    private Set<Object> holders;
    private ArrayDeque<Held> held;
    /** The client asked for a persistent session: its CONNACK waits for the store. */
    private boolean persistentConnect;
    /** A CONNACK is held: everything written after it waits behind it. */
    private boolean connackHeld;
    /** The highest ticket a wake-up was asked for. */
    private long wakeTicket;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> limit;
    /** Episodes ended by {@link #MAX_HOLD_MS} rather than by their holders (for tests and statistics). */
    int expired;
    /** Commands routed to other session loops on behalf of this channel's packets, and how many of them have run. */
    private final AtomicLong routed = new AtomicLong();
    private final AtomicLong routesDone = new AtomicLong();
    /**
     * The number of routed commands the first waiting acknowledgement needs to have run (0: none waits): the command
     * that reaches it wakes this channel's loop, the others do not (one wake-up, not one per delivery).
     */
    private final AtomicLong wakeAtRoutes = new AtomicLong();

    public AckHold(GroupCommit durability) {
        this.durability = durability;
    }

    /**
     * A held write: the message, its promise, and, when it needs the store, the routed commands it waits for and then
     * the store generation (0 until taken).
     */
    private static final class Held {
        final Object msg;
        final ChannelPromise promise;
        final boolean publishAck;
        final boolean connack;
        final boolean needsStore;
        final long routes;
        long ticket;

        Held(Object msg, ChannelPromise promise, boolean publishAck, boolean connack, boolean needsStore, long routes,
                long ticket) {
            this.msg = msg;
            this.promise = promise;
            this.publishAck = publishAck;
            this.connack = connack;
            this.needsStore = needsStore;
            this.routes = routes;
            this.ticket = ticket;
        }
    }

    /** @return the channel's AckHold when acknowledgements wait for the store, else null */
    public static AckHold of(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** A command was routed to another session loop on behalf of this channel's packet; any thread. */
    public void routed() {
        routed.incrementAndGet();
    }

    /** A command counted by {@link #routed()} has run (or was dropped); any thread. */
    public void routeDone() {
        long done = routesDone.incrementAndGet();
        long wake = wakeAtRoutes.get();
        ChannelHandlerContext c = ctx;
        if (wake > 0 && done >= wake && c != null && wakeAtRoutes.compareAndSet(wake, 0)) {
            c.executor().execute(this::flushHeld);
        }
    }

    /** Starts holding the acknowledgements of {@code publisher} for {@code holder}; any thread. */
    public static void hold(Channel publisher, Object holder) {
        // At once when already on its loop: the acknowledgement of the very message that overfilled the queue is held.
        onLoop(publisher, h -> h.add(holder));
    }

    /** Ends {@code holder}'s hold on {@code publisher}; any thread; a no-op when it holds nothing. */
    public static void release(Channel publisher, Object holder) {
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
        if (durability != null) {
            ctx.channel().attr(KEY).set(this);
        }
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
        if (limit != null && !holding()) {
            limit.cancel(false);
            limit = null;
        }
        if (held == null || held.isEmpty() || ctx == null) {
            return;
        }
        boolean wrote = false;
        boolean waitingForRoutes = false;
        while (!held.isEmpty()) {
            Held h = held.peek();
            if (h.publishAck && holding()) {
                break;
            }
            if (h.needsStore && h.ticket == 0) {
                if (!routesRan(h.routes)) {
                    waitingForRoutes = true;
                    break;
                }
                h.ticket = durability.ticket();
                wakeAt(h.ticket);
            }
            if (h.ticket > 0 && !durability.isDurable(h.ticket)) {
                break;
            }
            held.poll();
            if (h.connack) {
                connackHeld = false;
            }
            ctx.write(h.msg, h.promise);
            wrote = true;
        }
        if (!waitingForRoutes) {
            wakeAtRoutes.set(0);
        }
        if (wrote) {
            ctx.flush();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof MqttConnectMessage c) {
            persistentConnect = !c.variableHeader().isCleanSession();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        MqttMessageType type = type(msg);
        boolean publishAck = type == MqttMessageType.PUBACK || type == MqttMessageType.PUBREC
                || type == MqttMessageType.PUBCOMP;
        boolean connack = type == MqttMessageType.CONNACK;
        boolean needsStore = durability != null && needsStore(type, msg);
        long routes = needsStore ? routed.get() : 0;
        boolean routesRan = !needsStore || routesRan(routes);
        long ticket = needsStore && routesRan ? durability.ticket() : 0;
        boolean ack = publishAck || connack || type == MqttMessageType.SUBACK || type == MqttMessageType.UNSUBACK
                || type == MqttMessageType.PUBREL;
        if (needsStore || connackHeld || ack && (holding() || heldCount() > 0)) {
            if (held == null) {
                held = new ArrayDeque<>();
            }
            held.add(new Held(msg, promise, publishAck, connack && needsStore, needsStore, routes, ticket));
            if (connack && needsStore) {
                connackHeld = true;
            }
            if (ticket > 0) {
                wakeAt(ticket);
            }
            return;
        }
        ctx.write(msg, promise);
    }

    /**
     * @return whether the first {@code routes} commands routed on behalf of this channel have run; when not, a wake-up
     *         is asked for (set before the second look: a command ending in between sees it)
     */
    private boolean routesRan(long routes) {
        if (routesDone.get() >= routes) {
            return true;
        }
        wakeAtRoutes.set(routes);
        return routesDone.get() >= routes;
    }

    private void wakeAt(long ticket) {
        if (ticket > wakeTicket) {
            wakeTicket = ticket;
            durability.whenDurable(ticket, ctx.executor(), this::flushHeld);
        }
    }

    private boolean needsStore(MqttMessageType type, Object msg) {
        if (type == null) {
            return false;
        }
        return switch (type) {
            // PUBREL: the broker's second QoS 2 step towards a subscriber. Once it is out, the subscriber hands the
            // message to its application, so the store must already know the message is no longer to be redelivered.
            case PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK, PUBREL -> true;
            case CONNACK -> persistentConnect && ((MqttConnAckMessage) msg).variableHeader()
                    .connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED;
            default -> false;
        };
    }

    private static MqttMessageType type(Object msg) {
        if (!(msg instanceof MqttMessage) || ((MqttMessage) msg).fixedHeader() == null) {
            return null;
        }
        return ((MqttMessage) msg).fixedHeader().messageType();
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
        connackHeld = false;
        wakeAtRoutes.set(0);
        while (held != null && !held.isEmpty()) {
            Held h = held.poll();
            ReferenceCountUtil.release(h.msg);
            h.promise.tryFailure(new ClosedChannelException());
        }
    }
}
