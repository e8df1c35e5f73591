package io.edgeport.bench.loadgen;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * One MQTT 3.1.1 connection. Control packets (CONNECT, SUBSCRIBE) go through Netty's {@code MqttEncoder}; incoming
 * packets are framed here and handed to {@link #onPacket} without allocating a message object (the hot path).
 * All methods run on the channel's event loop; subclasses keep their state unsynchronised for that reason and are
 * read by other threads only after a task on that loop has completed (a happens-before edge).
 */
abstract class Client extends ByteToMessageDecoder {

    final String clientId;
    Channel channel;
    /** Completed once the CONNACK (and, for subscribers, the SUBACK) arrived; failed otherwise. Any thread. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    String failure;
    /** false: a persistent session (clean session off), whose messages the broker must keep until acknowledged. */
    boolean cleanSession = true;

    Client(String clientId) {
        this.clientId = clientId;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.writeAndFlush(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(cleanSession).keepAlive(600).build());
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        fail("connection closed by the broker");
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause.toString());
        ctx.close();
    }

    void fail(String why) {
        if (failure == null) {
            failure = why;
        }
        ready.completeExceptionally(new IllegalStateException(clientId + ": " + why));
    }

    void subscribe(String filter, int qos) {
        channel.writeAndFlush(MqttMessageBuilders.subscribe().messageId(1)
                .addSubscription(MqttQoS.valueOf(qos), filter).build());
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 2) {
            int start = in.readerIndex();
            int header = in.getUnsignedByte(start);
            int len = 0, shift = 0, i = start + 1;
            while (true) {
                if (i >= in.writerIndex()) {
                    return; // length not complete yet
                }
                int digit = in.getUnsignedByte(i++);
                len |= (digit & 0x7F) << shift;
                if ((digit & 0x80) == 0) {
                    break;
                }
                shift += 7;
                if (shift > 21) {
                    throw new IllegalStateException("malformed remaining length");
                }
            }
            if (in.writerIndex() - i < len) {
                return;
            }
            ByteBuf body = in.slice(i, len);
            in.readerIndex(i + len);
            int type = header >>> 4;
            if (type == Wire.CONNACK) {
                int rc = body.getUnsignedByte(1);
                if (rc == 0) {
                    connected();
                } else {
                    fail("CONNACK return code " + rc);
                    ctx.close();
                }
            } else {
                onPacket(type, header & 0x0F, body);
            }
        }
    }

    /** CONNACK 0 received. */
    void connected() {
        ready.complete(null);
    }

    /** A packet other than CONNACK; body is valid only during the call. */
    void onPacket(int type, int flags, ByteBuf body) {
    }

    /** Flushes what onPacket wrote (acknowledgements), once per read burst. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        ctx.flush();
    }

    ChannelPromise voidPromise() {
        return channel.voidPromise();
    }
}
