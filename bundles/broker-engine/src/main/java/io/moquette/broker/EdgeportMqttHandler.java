package io.moquette.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.broker.engine.internal.pipeline.PeerErrors;
import io.edgeport.broker.engine.internal.pipeline.PeerErrors.Reason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * Moquette's protocol handler without its ERROR lines: {@link NewNettyMQTTHandler} logs every exception, from a
 * packet it could not process or from the channel, at ERROR with a stack trace (on fuzzed input: 130 MB of log for
 * 20,000 connections). Here those exceptions go to {@link PeerErrors} as one rate-limited line (classified as the
 * peer's fault where they are, else {@link Reason#INTERNAL_ERROR}; the stack trace at DEBUG), and the channel is closed
 * as before. Packets reach it only through {@code PacketValidator}, so a failure here is Moquette's, not the peer's.
 *
 * <p>Why in Moquette's package: the constructor of {@link NewNettyMQTTHandler} and
 * {@code MQTTConnection.handleMessage} are package-private. Shared by all channels, like the original.
 */
public final class EdgeportMqttHandler extends NewNettyMQTTHandler {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeportMqttHandler.class);
    /** The key {@link NewNettyMQTTHandler} keeps the channel's {@link MQTTConnection} under. */
    private static final AttributeKey<Object> CONNECTION = AttributeKey.valueOf("connection");

    private final PeerErrors errors;

    EdgeportMqttHandler(MQTTConnectionFactory connectionFactory, PeerErrors errors) {
        super(connectionFactory);
        this.errors = errors;
    }

    /** As Moquette's, but a failure is reported instead of logged with its stack trace. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        try {
            Object connection = ctx.channel().attr(CONNECTION).get();
            if (!(message instanceof MqttMessage) || ((MqttMessage) message).fixedHeader() == null
                    || ((MqttMessage) message).decoderResult().isFailure() || !(connection instanceof MQTTConnection)) {
                failed(ctx, new IllegalStateException("not a valid MQTT packet: " + message));
                return;
            }
            if (message instanceof io.netty.handler.codec.mqtt.MqttPublishMessage p) {
                EventLoopSessions.CURRENT_PUBLISH.set(p);
            }
            ((MQTTConnection) connection).handleMessage((MqttMessage) message);
        } catch (Throwable ex) {
            failed(ctx, ex);
        } finally {
            EventLoopSessions.CURRENT_PUBLISH.remove();
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed(ctx, cause);
    }

    private void failed(ChannelHandlerContext ctx, Throwable cause) {
        Reason reason = PeerErrors.classify(cause);
        errors.report(reason == null ? Reason.INTERNAL_ERROR : reason, ctx.channel(),
                "Moquette: " + PeerErrors.describe(cause));
        LOG.debug("Exception in Moquette's handler for {}", ctx.channel().remoteAddress(), cause);
        ctx.channel().close();
    }
}
