package io.moquette.broker;

import io.edgeport.broker.engine.internal.pipeline.AckHold;
import io.edgeport.broker.engine.internal.pipeline.OutboundPressure;
import io.edgeport.broker.engine.internal.pipeline.RetainedFlagHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.BrokerConstants;
import io.moquette.broker.config.IConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * Edgeport's own Netty acceptor for Moquette: binds the TCP, TLS, WebSocket and secure WebSocket listeners named in
 * the configuration and builds each client pipeline so that callers can insert handlers between the MQTT codec and
 * Moquette's protocol handler (which Moquette's own acceptor does not allow).
 *
 * <p>Pipeline, head to tail: {@code ssl} (mqtts, wss) → {@code http}, {@code aggregator}, {@code webSocketHandler},
 * {@code ws2bytebuf}, {@code bytebuf2ws} (ws, wss) → {@code flushConsolidation}, {@code outboundPressure} →
 * {@code idleStateHandler}, {@code idleEventHandler} → [{@code autoflush}] → {@code decoder}, {@code encoder} →
 * {@code ackHold} ({@link AckHold}) → {@code connectedGate} ({@link ConnectedGate}) → whatever the
 * {@link EdgeportServer.PipelineCustomizer} adds → {@code retainedFlags} ({@link RetainedFlagHandler}) →
 * {@code handler}. The names {@code idleStateHandler}
 * and {@code handler} are load-bearing: Moquette's {@code MQTTConnection} replaces {@code idleStateHandler} after
 * CONNACK (keep-alive) and adds {@code inflightResender} at the head.
 *
 * <p>Not thread-safe: {@link #bind} and {@link #close} are called by {@link EdgeportServer} under its lock.
 */
final class EdgeportAcceptor {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeportAcceptor.class);
    static final String SUBPROTOCOLS = "mqtt, mqttv3.1, mqttv3.1.1";

    private final Map<String, Channel> serverChannels = new LinkedHashMap<>();
    private EventLoopGroup boss;
    /** Owned by {@link EventLoopSessions}: the I/O threads are also the session loops and outlive the listeners. */
    private EventLoopGroup workers;
    private ChannelGroup clients;

    /**
     * Binds every listener the configuration enables. On failure everything already bound is closed and an
     * {@link IOException} names the listener that failed.
     *
     * @param sslContext needed only when {@code ssl_port} or {@code secure_websocket_port} is enabled
     */
    void bind(IConfig config, EventLoopGroup ioThreads, ChannelHandler mqttHandler, SslContext sslContext,
              EdgeportServer.PipelineCustomizer customizer, int bufferFlushMillis, PostOffice postOffice,
              io.edgeport.broker.engine.internal.store.GroupCommit durability) throws IOException {
        String host = config.getProperty(IConfig.HOST_PROPERTY_NAME, "0.0.0.0");
        int maxBytes = config.intProp(IConfig.NETTY_MAX_BYTES_PROPERTY_NAME, IConfig.DEFAULT_NETTY_MAX_BYTES_IN_MESSAGE);
        int connectTimeout = config.intProp(BrokerConstants.NETTY_CHANNEL_TIMEOUT_SECONDS_PROPERTY_NAME, 10);
        String wsPath = config.getProperty(IConfig.WEB_SOCKET_PATH_PROPERTY_NAME, BrokerConstants.WEBSOCKET_PATH);
        int wsMaxFrame = config.intProp(BrokerConstants.WEB_SOCKET_MAX_FRAME_SIZE_PROPERTY_NAME, 65536);
        Integer tcp = port(config, IConfig.PORT_PROPERTY_NAME);
        Integer tls = port(config, IConfig.SSL_PORT_PROPERTY_NAME);
        Integer ws = port(config, IConfig.WEB_SOCKET_PORT_PROPERTY_NAME);
        Integer wss = port(config, IConfig.WSS_PORT_PROPERTY_NAME);
        if ((tls != null || wss != null) && sslContext == null) {
            throw new IOException("ssl_port or secure_websocket_port is set but no TLS context was given");
        }
        boss = new NioEventLoopGroup(1);
        workers = ioThreads;
        clients = new DefaultChannelGroup("edgeport-clients", GlobalEventExecutor.INSTANCE);
        boolean needClientAuth = config.boolProp(BrokerConstants.NEED_CLIENT_AUTH, false);
        int maxInflight = config.intProp(EdgeportServer.MAX_INFLIGHT_PROPERTY, BrokerConstants.INFLIGHT_WINDOW_SIZE);
        int maxQueued = config.intProp(EdgeportServer.MAX_QUEUED_PROPERTY, EdgeportServer.DEFAULT_MAX_QUEUED);
        Pipelines pipelines = new Pipelines(mqttHandler, customizer, maxBytes, connectTimeout, wsPath, wsMaxFrame,
                bufferFlushMillis, sslContext, needClientAuth, postOffice, maxInflight, maxQueued, durability);
        try {
            if (tcp != null) {
                bindOne(config, host, tcp, EdgeportServer.MQTT, pipelines);
            }
            if (tls != null) {
                bindOne(config, host, tls, EdgeportServer.MQTTS, pipelines);
            }
            if (ws != null) {
                bindOne(config, host, ws, EdgeportServer.WS, pipelines);
            }
            if (wss != null) {
                bindOne(config, host, wss, EdgeportServer.WSS, pipelines);
            }
            Integer internal = port(config, EdgeportServer.INTERNAL_PORT_PROPERTY);
            if (internal != null) {
                bindOne(config, "127.0.0.1", internal, EdgeportServer.INTERNAL, pipelines);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** @return the configured port, or null when the key is absent or 'disabled' */
    static Integer port(IConfig config, String key) throws IOException {
        String v = config.getProperty(key);
        if (v == null || v.isBlank() || BrokerConstants.DISABLED_PORT_BIND.equalsIgnoreCase(v.trim())) {
            return null;
        }
        try {
            int p = Integer.parseInt(v.trim());
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IOException(key + " must be 0-65535 or 'disabled', not '" + v + "'");
        }
    }

    private void bindOne(IConfig config, String host, int port, String listener, Pipelines pipelines)
            throws IOException {
        ChannelGroup open = clients;
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, config.intProp(BrokerConstants.NETTY_SO_BACKLOG_PROPERTY_NAME, 128))
                .option(ChannelOption.SO_REUSEADDR,
                        config.boolProp(BrokerConstants.NETTY_SO_REUSEADDR_PROPERTY_NAME, true))
                .childOption(ChannelOption.TCP_NODELAY,
                        config.boolProp(BrokerConstants.NETTY_TCP_NODELAY_PROPERTY_NAME, true))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new io.netty.channel.WriteBufferWaterMark(OutboundPressure.NETTY_LOW,
                                OutboundPressure.NETTY_HIGH))
                .childOption(ChannelOption.SO_KEEPALIVE,
                        config.boolProp(BrokerConstants.NETTY_SO_KEEPALIVE_PROPERTY_NAME, true))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        open.add(ch);
                        pipelines.init(ch, listener);
                    }
                });
        try {
            Channel ch = b.bind(host, port).sync().channel();
            serverChannels.put(listener, ch);
            LOG.info("MQTT listener {} bound to {}", listener, ch.localAddress());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while binding listener " + listener, e);
        } catch (Exception e) {
            // sync() rethrows the bind failure (a checked BindException among others)
            throw new EdgeportServer.BindFailure("Cannot bind listener " + listener + " to " + host + ":" + port + ": "
                    + e, e);
        }
    }

    /** @return the bound port of a listener, or -1 when it is not bound */
    int boundPort(String listener) {
        Channel ch = serverChannels.get(listener);
        if (ch != null && ch.localAddress() instanceof InetSocketAddress) {
            return ((InetSocketAddress) ch.localAddress()).getPort();
        }
        return -1;
    }

    /** Closes the listeners and the event loops, waiting up to 10 s per group. Idempotent. */
    void close() {
        serverChannels.values().forEach(Channel::close);
        serverChannels.clear();
        if (clients != null) {
            clients.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            clients = null;
        }
        shutdown(boss);
        workers = null;
        boss = null;
    }

    private static void shutdown(EventLoopGroup group) {
        if (group == null) {
            return;
        }
        try {
            if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS)) {
                LOG.warn("Netty event loops did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Builds one client pipeline. */
    private static final class Pipelines {
        private final ChannelHandler mqttHandler;
        private final EdgeportServer.PipelineCustomizer customizer;
        private final int maxBytes;
        private final int connectTimeout;
        private final String wsPath;
        private final int wsMaxFrame;
        private final int bufferFlushMillis;
        private final SslContext sslContext;
        private final boolean needClientAuth;
        private final PostOffice postOffice;
        private final int maxInflight;
        private final int maxQueued;
        private final io.edgeport.broker.engine.internal.store.GroupCommit durability;
        final OutboundPressure.Group pressure = new OutboundPressure.Group();
        private final ChannelHandler idleCloser = new IdleCloser();
        private final ChannelHandler frameDecoder = new FrameToBytes();
        private final ChannelHandler frameEncoder = new BytesToFrame();

        Pipelines(ChannelHandler mqttHandler, EdgeportServer.PipelineCustomizer customizer, int maxBytes,
                  int connectTimeout, String wsPath, int wsMaxFrame, int bufferFlushMillis, SslContext sslContext,
                  boolean needClientAuth, PostOffice postOffice, int maxInflight, int maxQueued,
                  io.edgeport.broker.engine.internal.store.GroupCommit durability) {
            this.maxQueued = maxQueued;
            this.durability = durability;
            this.postOffice = postOffice;
            this.maxInflight = maxInflight;
            this.mqttHandler = mqttHandler;
            this.customizer = customizer;
            this.maxBytes = maxBytes;
            this.connectTimeout = connectTimeout;
            this.wsPath = wsPath;
            this.wsMaxFrame = wsMaxFrame;
            this.bufferFlushMillis = bufferFlushMillis;
            this.sslContext = sslContext;
            this.needClientAuth = needClientAuth;
        }

        void init(SocketChannel ch, String listener) {
            ChannelPipeline p = ch.pipeline();
            boolean tls = EdgeportServer.MQTTS.equals(listener) || EdgeportServer.WSS.equals(listener);
            boolean ws = EdgeportServer.WS.equals(listener) || EdgeportServer.WSS.equals(listener);
            if (tls) {
                // Client authentication is the SslContext's business; need_client_auth=true forces it on top, as
                // Moquette's own acceptor does.
                InetSocketAddress peer = ch.remoteAddress();
                SslHandler ssl = peer == null ? sslContext.newHandler(ch.alloc())
                        : sslContext.newHandler(ch.alloc(), peer.getHostString(), peer.getPort());
                if (needClientAuth) {
                    ssl.engine().setNeedClientAuth(true);
                }
                p.addLast("ssl", ssl);
            }
            if (ws) {
                p.addLast("http", new HttpServerCodec());
                p.addLast("aggregator", new HttpObjectAggregator(65536));
                p.addLast("webSocketHandler", new WebSocketServerProtocolHandler(wsPath, SUBPROTOCOLS, false,
                        wsMaxFrame));
                p.addLast("ws2bytebuf", frameDecoder);
                p.addLast("bytebuf2ws", frameEncoder);
            }
            // Until CONNECT: a client must speak within netty.channel_timeout.seconds. Moquette replaces this handler
            // by name with the keep-alive timer after CONNACK.
            // One flush per read batch or event-loop turn instead of one per message: Moquette flushes every packet
            // it writes, a write(2) and a wake-up of the peer each (fan-in to one subscriber: 11 % of the broker's CPU
            // in the kernel's wake-up path). Messages still leave in the same turn of the loop.
            p.addLast("flushConsolidation", new FlushConsolidationHandler(
                    FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
            p.addLast("outboundPressure", new OutboundPressure(pressure));
            p.addLast("idleStateHandler", new IdleStateHandler(connectTimeout, 0, 0));
            p.addLast("idleEventHandler", idleCloser);
            if (bufferFlushMillis > BrokerConstants.IMMEDIATE_BUFFER_FLUSH) {
                p.addLast("autoflush", new AutoFlushHandler(bufferFlushMillis, TimeUnit.MILLISECONDS));
            }
            p.addLast("decoder", new MqttDecoder(maxBytes));
            p.addLast("encoder", MqttEncoder.INSTANCE);
            p.addLast(AckHold.NAME, new AckHold(durability)); // outside every handler that may write an acknowledgement
            if (customizer != null) {
                customizer.customize(p, listener);
            }
            // Innermost, so it sees every PUBLISH Moquette writes before an outer handler may drop or count it.
            p.addLast("retainedFlags", new RetainedFlagHandler());
            int window = EdgeportServer.INTERNAL.equals(listener) ? EdgeportServer.INTERNAL_INFLIGHT_WINDOW
                    : maxInflight;
            int queued = EdgeportServer.INTERNAL.equals(listener) ? Math.max(maxQueued, 2 * window) : maxQueued;
            // Right behind ackHold: what follows a CONNECT reaches no handler before the session exists.
            p.addAfter(AckHold.NAME, "connectedGate", new ConnectedGate(postOffice, window, queued));
            p.addLast("handler", mqttHandler);
        }
    }

    /** Closes a channel whose reader went idle (no CONNECT in time, or keep-alive missed). */
    @ChannelHandler.Sharable
    static final class IdleCloser extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
                LOG.debug("Closing idle connection {}", ctx.channel().remoteAddress());
                ctx.close();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }
    }

    /** MQTT over WebSocket travels in binary frames (MQTT-6.0.0-1); a packet may span frames. */
    @ChannelHandler.Sharable
    static final class FrameToBytes extends MessageToMessageDecoder<WebSocketFrame> {
        @Override
        protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
            if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
                out.add(frame.content().retain());
            } else {
                LOG.debug("Closing WebSocket {}: non-binary frame {}", ctx.channel().remoteAddress(),
                        frame.getClass().getSimpleName());
                ctx.close();
            }
        }
    }

    @ChannelHandler.Sharable
    static final class BytesToFrame extends MessageToMessageEncoder<ByteBuf> {
        @Override
        protected void encode(ChannelHandlerContext ctx, ByteBuf bytes, List<Object> out) {
            out.add(new BinaryWebSocketFrame(bytes.retain()));
        }
    }
}
