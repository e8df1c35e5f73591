package io.edgeport.broker.engine.internal.pipeline;

import java.util.List;

import io.netty.channel.Channel;
import io.netty.channel.DefaultChannelPipeline;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.SocketUtils;

/**
 * A TCP server channel whose client channels hand an exception that reaches the end of their pipeline to
 * {@link PeerErrors} instead of Netty's WARN with a stack trace. That happens after a connection closed: Netty removes
 * the handlers (so {@link ExceptionSink} is gone) and a late write by Moquette on the closed channel fires its failure
 * into the empty pipeline. The same goes for a CONNACK written after the close (see {@link Client#writeAndFlush}).
 * Everything else is Netty's {@link NioServerSocketChannel}.
 */
public final class QuietServerChannel extends NioServerSocketChannel {

    private final PeerErrors errors;
    private final ChannelPipelines.ConnectedGates gates;

    /**
     * @param errors where late exceptions of the client channels are counted
     * @param gates closes the session of a client whose CONNACK finds its channel closed
     */
    public QuietServerChannel(PeerErrors errors, ChannelPipelines.ConnectedGates gates) {
        this.errors = errors;
        this.gates = gates;
    }

    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
        java.nio.channels.SocketChannel ch = SocketUtils.accept(javaChannel());
        if (ch == null) {
            return 0;
        }
        try {
            buf.add(new Client(this, ch, errors, gates));
            return 1;
        } catch (Throwable t) {
            ch.close();
            throw t;
        }
    }

    /** A client channel whose pipeline reports unhandled exceptions as peer errors. */
    static final class Client extends NioSocketChannel {
        private final PeerErrors errors;
        private final ChannelPipelines.ConnectedGates gates;

        Client(Channel parent, java.nio.channels.SocketChannel socket, PeerErrors errors,
               ChannelPipelines.ConnectedGates gates) {
            super(parent, socket);
            this.errors = errors;
            this.gates = gates;
        }

        /**
         * A CONNACK Moquette writes (from a session loop) after the channel closed and Netty removed its handlers:
         * Moquette's listener on it would log ERROR with a stack trace and throw SessionCorruptedException. The session
         * is closed quietly instead and the returned future never completes, so that listener never runs.
         */
        @Override
        public io.netty.channel.ChannelFuture writeAndFlush(Object msg) {
            if (!isActive() && gates != null && msg instanceof io.netty.handler.codec.mqtt.MqttConnAckMessage
                    && ((io.netty.handler.codec.mqtt.MqttConnAckMessage) msg).variableHeader().connectReturnCode()
                    == io.netty.handler.codec.mqtt.MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                ReferenceCountUtil.release(msg);
                gates.connackUndeliverable(this);
                return newPromise();
            }
            return super.writeAndFlush(msg);
        }

        @Override
        protected DefaultChannelPipeline newChannelPipeline() {
            return new DefaultChannelPipeline(this) {
                @Override
                protected void onUnhandledInboundException(Throwable cause) {
                    PeerErrors.Reason reason = PeerErrors.classify(cause);
                    errors().report(reason == null ? PeerErrors.Reason.INTERNAL_ERROR : reason, Client.this,
                            PeerErrors.describe(cause));
                    ReferenceCountUtil.release(cause);
                }

                @Override
                protected void onUnhandledInboundMessage(Object msg) {
                    ReferenceCountUtil.release(msg);
                }
            };
        }

        private PeerErrors errors() {
            return errors;
        }
    }
}
