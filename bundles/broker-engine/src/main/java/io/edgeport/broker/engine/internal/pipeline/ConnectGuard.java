package io.edgeport.broker.engine.internal.pipeline;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * Enforces Mosquitto's connection settings on CONNECT, before Moquette sees it.
 * <ul>
 * <li>{@code max_connections}: at most that many connections may have passed CONNECT at once, over all listeners
 * sharing this instance (a slot is taken at CONNECT and given back when the channel closes). Over the limit the
 * connection is closed <em>without</em> a CONNACK, as Mosquitto does: MQTT 3.1.1 has no return code that says "too
 * many connections" (0x03 means the service is unavailable, which it is not for others), Mosquitto-based clients and
 * tests expect exactly this, and a client cannot be told to wait anyway.</li>
 * <li>{@code max_keepalive}: an MQTT 3.1/3.1.1 client asking for a keep-alive above it, or for 0 (none) while it is
 * below 65535, gets CONNACK 0x02 (identifier rejected) and is disconnected: Mosquitto 2.0's documented behaviour,
 * since 3.1.1 cannot tell a client which keep-alive to use.</li>
 * <li>A Last Will on a topic starting with {@code $} gets CONNACK 0x05 (not authorized): Moquette publishes wills
 * without any authorization check, so a client could otherwise publish into {@code $SYS}.</li>
 * </ul>
 * Other CONNECTs (and MQTT 5 ones, which Moquette refuses itself) pass unchanged. One instance serves all channels
 * and listeners; put it after the codec and before Moquette's handler.
 */
@Sharable
public final class ConnectGuard extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectGuard.class);
    private static final AttributeKey<Boolean> HOLDS_SLOT = AttributeKey.valueOf(ConnectGuard.class, "slot");
    /** max_keepalive at or above this value means "no limit", as in Mosquitto. */
    public static final int NO_KEEPALIVE_LIMIT = 65_535;

    private final int maxConnections;
    private final int maxKeepalive;
    private final AtomicInteger connections = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private final AtomicInteger peak = new AtomicInteger();

    /**
     * @param maxConnections 0 or less: unlimited
     * @param maxKeepalive seconds; {@link #NO_KEEPALIVE_LIMIT} or more: no limit
     */
    public ConnectGuard(int maxConnections, int maxKeepalive) {
        this(maxConnections, maxKeepalive, (clientId, willTopic) -> true);
    }

    /**
     * @param anonymousWill (client id, will topic) → whether a client without username may leave that Last Will;
     *        clients with a username have theirs checked by the authenticator (see {@link ConnectContext})
     */
    public ConnectGuard(int maxConnections, int maxKeepalive, BiPredicate<String, String> anonymousWill) {
        this.maxConnections = maxConnections;
        this.maxKeepalive = maxKeepalive;
        this.anonymousWill = anonymousWill;
    }

    private final BiPredicate<String, String> anonymousWill;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof MqttConnectMessage) || ((MqttConnectMessage) msg).decoderResult().isFailure()) {
            ctx.fireChannelRead(msg);
            return;
        }
        ConnectionLimiter.connectReceived(ctx.channel());
        MqttConnectMessage connect = (MqttConnectMessage) msg;
        String clientId = connect.payload().clientIdentifier();
        int level = connect.variableHeader().version();
        int keepalive = connect.variableHeader().keepAliveTimeSeconds();
        if (level <= 4 && maxKeepalive < NO_KEEPALIVE_LIMIT && (keepalive == 0 || keepalive > maxKeepalive)) {
            LOG.info("Client '{}' refused: keepalive {} s, max_keepalive is {} s", clientId, keepalive, maxKeepalive);
            refuse(ctx, msg, MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
            return;
        }
        if (connect.variableHeader().isWillFlag() && connect.payload().willTopic() != null
                && connect.payload().willTopic().startsWith("$")
                && !io.edgeport.broker.engine.Topics.isOwnBridgeState(connect.payload().willTopic(), clientId)) {
            LOG.info("Client '{}' refused: will topic '{}' starts with $", clientId, connect.payload().willTopic());
            refuse(ctx, msg, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        if (connect.variableHeader().isWillFlag() && !connect.variableHeader().hasUserName()
                && !io.edgeport.broker.engine.Topics.isOwnBridgeState(connect.payload().willTopic(), clientId)
                && !anonymousWill.test(clientId, connect.payload().willTopic())) {
            LOG.info("Client '{}' refused: not authorised to leave a Last Will on '{}'", clientId,
                    connect.payload().willTopic());
            refuse(ctx, msg, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        if (ctx.channel().attr(HOLDS_SLOT).get() == null) {
            int now = connections.incrementAndGet();
            ctx.channel().attr(HOLDS_SLOT).set(Boolean.TRUE);
            if (maxConnections > 0 && now > maxConnections) {
                LOG.info("Client '{}' refused: max_connections {} reached", clientId, maxConnections);
                refused.increment();
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            peak.accumulateAndGet(now, Math::max);
        }
        ConnectContext.begin(ctx.channel(), connect);
        try {
            ctx.fireChannelRead(msg);
        } finally {
            ConnectContext.end();
        }
    }

    private void refuse(ChannelHandlerContext ctx, Object msg, MqttConnectReturnCode code) {
        refused.increment();
        ReferenceCountUtil.release(msg);
        ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                .addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Moquette answers every failed login with 0x04 "bad user name or password"; Mosquitto 2.0 answers 0x05 "not
     * authorised", which is what clients and scripts migrating from it expect.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof MqttConnAckMessage && ((MqttConnAckMessage) msg).variableHeader().connectReturnCode()
                == MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD) {
            msg = MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)
                    .sessionPresent(false).build();
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().attr(HOLDS_SLOT).getAndSet(null) != null) {
            connections.decrementAndGet();
        }
        ctx.fireChannelInactive();
    }

    /** @return connections currently past CONNECT (including ones Moquette is still authenticating) */
    public int connections() {
        return connections.get();
    }

    /** @return the most connections held at the same time (Mosquitto's clients/maximum) */
    public int peak() {
        return peak.get();
    }

    /** @return CONNECTs refused by this guard since it was created */
    public long refused() {
        return refused.sum();
    }
}
