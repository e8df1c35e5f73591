package io.moquette.broker;

import io.edgeport.broker.engine.internal.pipeline.AckHold;
import io.edgeport.broker.engine.internal.pipeline.ReadGate;
import io.edgeport.broker.engine.internal.session.PacedQueue;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * Holds every packet a client sends after its CONNECT until Moquette has marked the connection connected, then passes
 * them on in order.
 *
 * <p>MQTT 3.1.1 (section 3.1.4) lets a client send packets right behind its CONNECT, before the CONNACK. Moquette 0.17
 * hands the CONNECT to the client's session loop and, when that is another I/O thread, goes on reading: a PUBLISH
 * behind it found no client id yet and was dropped without a PUBACK ("Routing collision"), more often behind an
 * authenticated CONNECT (the password check delays the hand-over). A SUBSCRIBE read before Moquette's own CONNACK
 * listener has run is dropped too ("SUBSCRIBE received on already closed connection"). So nothing after the CONNECT
 * reaches Moquette, or the Edgeport handlers behind this one (which would otherwise acknowledge a refused PUBLISH
 * before the CONNACK), before the connection is marked connected; the CONNACK is always the first packet the client
 * gets.
 *
 * <p>Memory is bounded: while anything is held the channel's reading is paused ({@link ReadGate#CONNECTING}), so at most
 * one read's worth of packets waits; a client that still gets past {@link #MAX_HELD} held packets is disconnected.
 * A refused CONNECT drops what was held; a client that goes away first has what was held passed on at once if Moquette
 * already knows its client id (a publisher that sends PUBLISH and DISCONNECT and closes), else dropped.
 *
 * <p>One instance per channel, right behind {@link AckHold} (before every Edgeport handler that looks at packets after
 * CONNECT); runs on the channel's event loop.
 *
 * <p>Why in Moquette's package (the package-private members it touches): it holds the package-private
 * {@code PostOffice} ({@code routeCommand}), asks the package-private {@code MQTTConnection.isConnected()} and hands
 * the package-private {@code Session} to {@link MoquetteInternals}.
 */
final class ConnectedGate extends ChannelDuplexHandler {

    private static final AttributeKey<Object> CONNECTION = AttributeKey.valueOf("connection");
    /** Reading pauses while packets are held, so this is only reached by a flood within one read. */
    static final int MAX_HELD = 1_000;
    /** Moquette sets the flag within microseconds; give up (and pass packets on) after this many 1 ms checks. */
    static final int MAX_CHECKS = 5_000;

    private final ArrayDeque<Object> held = new ArrayDeque<>(2); // rarely used: keep it small
    private final PostOffice postOffice;
    private final SessionRegistry sessions;
    private final int inflightWindow;
    private final int maxQueued;
    private PacedQueue paced;
    /** Only touched by this client's session loop (resend commands). */
    private java.util.Map<Integer, Object> inflightAtLastTick;

    /**
     * @param postOffice routes Moquette's periodic in-flight resend to the session thread; null = leave it alone
     * @param inflightWindow QoS 1/2 messages that may be in flight to this client; Moquette's 10 when not larger
     */
    ConnectedGate(PostOffice postOffice, int inflightWindow, int maxQueued) {
        this(postOffice, null, inflightWindow, maxQueued);
    }

    /** @param sessions closes the session of a client gone before its CONNACK; null = Moquette's own (noisy) way */
    ConnectedGate(PostOffice postOffice, SessionRegistry sessions, int inflightWindow, int maxQueued) {
        this.sessions = sessions;
        this.maxQueued = maxQueued;
        this.postOffice = postOffice;
        this.inflightWindow = inflightWindow;
    }

    /**
     * Moquette's InflightResender fires every 5 s and its handler resends on this I/O thread, while the session thread
     * changes the same (unsynchronised) in-flight map. Run the resend on the client's session thread instead, and
     * resend only what was already in flight at the previous tick (Moquette resent by stale timers: an acknowledged
     * message's timer fired for whatever new message had meanwhile got the same packet id, which above ~13,000 msg/s
     * to one client, when ids wrap within 5 s, delivered duplicates out of order).
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (postOffice != null && evt instanceof InflightResender.ResendNotAckedPublishes) {
            Object connection = ctx.channel().attr(CONNECTION).get();
            String clientId = NettyUtils.clientID(ctx.channel());
            if (connection instanceof MQTTConnection && clientId != null) {
                MQTTConnection c = (MQTTConnection) connection;
                postOffice.routeCommand(clientId, "resend in-flight", () -> {
                    Session session = MoquetteInternals.boundSession(c);
                    if (c.isConnected() && session != null) {
                        inflightAtLastTick = MoquetteInternals.resendLongUnacknowledged(session, inflightAtLastTick);
                    }
                    return null;
                });
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }
    private boolean connectSeen;
    private boolean open;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        // Moquette routes the packet to a session loop from here: that loop may ask to pause this channel.
        EventLoopSessions.CURRENT_CHANNEL.set(ctx.channel());
        try {
            read(ctx, msg);
        } finally {
            EventLoopSessions.CURRENT_CHANNEL.remove();
        }
    }

    private void read(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (open) {
            ctx.fireChannelRead(msg);
        } else if (!connectSeen && msg instanceof MqttConnectMessage) {
            connectSeen = true;
            ctx.fireChannelRead(msg);
        } else if (!connectSeen) {
            ctx.fireChannelRead(msg); // Moquette refuses anything before CONNECT itself
        } else if (held.size() >= MAX_HELD) {
            ReferenceCountUtil.release(msg);
            discard();
            ctx.close();
        } else {
            held.add(msg);
            if (held.size() == 1) {
                ReadGate.pause(ctx.channel(), ReadGate.CONNECTING);
            }
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!open && msg instanceof MqttConnAckMessage) {
            MqttConnAckMessage ack = (MqttConnAckMessage) msg;
            if (ack.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED
                    && sessions != null) {
                ChannelPromise sent = ctx.newPromise();
                sent.addListener(f -> {
                    if (f.isSuccess()) {
                        promise.trySuccess();
                        awaitConnected(ctx, 0);
                    } else {
                        discard();
                        connackFailed(ctx);
                    }
                });
                ctx.write(msg, sent);
                return;
            } else if (ack.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                promise.addListener(f -> {
                    if (f.isSuccess()) {
                        awaitConnected(ctx, 0);
                    } else {
                        discard();
                    }
                });
            } else {
                discard();
            }
        }
        ctx.write(msg, promise);
    }

    /**
     * The client went away before its CONNACK could be written (a client that connects and closes at once; fuzzers do
     * it all the time). Moquette's listener on that CONNACK would log ERROR with a stack trace, then throw
     * SessionCorruptedException (logged at WARN with another one by Netty) whenever the connection loss had already
     * changed the session. Its cleanup is done here instead, quietly: the session is closed unless the connection loss
     * did it first, and the channel closed. Moquette's promise for the CONNACK is never completed, so its listener
     * never runs; nothing else waits on it.
     */
    private void connackFailed(ChannelHandlerContext ctx) {
        connackFailed(ctx.channel(), sessions);
    }

    /** {@link #connackFailed(ChannelHandlerContext)} for a channel whose handlers are gone already. */
    static void connackFailed(io.netty.channel.Channel channel, SessionRegistry sessions) {
        Object connection = channel.attr(CONNECTION).get();
        Session session = connection instanceof MQTTConnection
                ? MoquetteInternals.boundSession((MQTTConnection) connection) : null;
        if (session != null) {
            try {
                sessions.connectionClosed(session);
            } catch (SessionCorruptedException e) {
                // the connection loss got there first: nothing left to clean up
            }
        }
        channel.close();
    }

    private void awaitConnected(ChannelHandlerContext ctx, int checks) {
        Object connection = ctx.channel().attr(CONNECTION).get();
        boolean connected = connection instanceof MQTTConnection && ((MQTTConnection) connection).isConnected();
        if (open) {
            return; // released already (connection closed)
        }
        if (connected || checks >= MAX_CHECKS) {
            if (connected) {
                MoquetteInternals.widenInflightWindow((MQTTConnection) connection, inflightWindow);
                sessionConnected(ctx.channel(), (MQTTConnection) connection);
            }
            open = true;
            passHeld(ctx);
            ReadGate.resume(ctx.channel(), ReadGate.CONNECTING);
        } else if (checks == 0) {
            // Moquette attaches its listener (which sets the flag) right after writing the CONNACK: usually set by the
            // time the next task of this loop runs.
            ctx.executor().execute(() -> awaitConnected(ctx, 1));
        } else {
            ctx.executor().schedule(() -> awaitConnected(ctx, checks + 1), 1, TimeUnit.MILLISECONDS);
        }
    }

    /** Passes the held packets on as if just read (a session loop they overfill can pause this channel). */
    private void passHeld(ChannelHandlerContext ctx) {
        if (held.isEmpty()) {
            return;
        }
        Channel before = EventLoopSessions.CURRENT_CHANNEL.get();
        EventLoopSessions.CURRENT_CHANNEL.set(ctx.channel());
        try {
            while (!held.isEmpty()) {
                ctx.fireChannelRead(held.poll());
            }
        } finally {
            EventLoopSessions.CURRENT_CHANNEL.set(before);
        }
    }

    /**
     * One command on the session's loop once the client is connected: what it is owed from before a restart goes out
     * right after the CONNACK, and its queue is wrapped so that publishers feeding it are paced.
     */
    private void sessionConnected(Channel channel, MQTTConnection connection) {
        String clientId = NettyUtils.clientID(channel);
        if (clientId == null || postOffice == null) {
            return;
        }
        postOffice.routeCommand(clientId, "session connected", () -> {
            Session session = MoquetteInternals.boundSession(connection);
            if (session != null && channel.isActive()) {
                MoquetteInternals.resendRestoredPubrels(session, connection);
                if (maxQueued > 0) {
                    PacedQueue q = MoquetteInternals.pacedQueue(session, maxQueued);
                    q.attach(channel);
                    channel.eventLoop().execute(() -> paced = q);
                }
            }
            return clientId;
        });
    }

    private void discard() {
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.poll());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // The connection is gone: tell Moquette at once (waiting for the connected flag here delayed the connection-lost
        // handling and, under load, the Last Will). What was held still counts when Moquette knows whose it is.
        open = true;
        if (NettyUtils.clientID(ctx.channel()) != null) {
            passHeld(ctx);
        } else if (!held.isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(ConnectedGate.class).debug(
                    "Connection closed before its session existed: {} packet(s) after CONNECT dropped", held.size());
            discard();
        }
        PacedQueue q = paced;
        String clientId = NettyUtils.clientID(ctx.channel());
        if (q != null && clientId != null) {
            Channel channel = ctx.channel();
            postOffice.routeCommand(clientId, "unpace queue", () -> {
                q.detach(channel);
                return clientId;
            });
        }
        ctx.fireChannelInactive();
    }
}
