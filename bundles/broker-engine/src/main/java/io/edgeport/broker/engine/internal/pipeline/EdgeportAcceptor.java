package io.edgeport.broker.engine.internal.pipeline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.broker.engine.internal.store.GroupCommit;
import io.moquette.BrokerConstants;
import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.IConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * Edgeport's own Netty acceptor for Moquette: binds the TCP, TLS, WebSocket and secure WebSocket listeners
 * named in the configuration; every accepted connection gets its handlers from {@link ChannelPipelines} (Moquette's own
 * acceptor allows no handlers between the MQTT codec and its protocol handler).
 *
 * <p>Not thread-safe: {@link #bind} and {@link #close} are called by {@link EdgeportServer} under its lock.
 */
public final class EdgeportAcceptor {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeportAcceptor.class);

    private final Map<String, Channel> serverChannels = new LinkedHashMap<>();
    private EventLoopGroup boss;
    /** Owned by {@link EventLoopSessions}: the I/O threads are also the session loops and outlive the listeners. */
    private EventLoopGroup workers;
    private ChannelGroup clients;

    /**
     * Binds every listener the configuration enables. On failure everything already bound is closed and an
     * {@link IOException} names the listener that failed.
     *
     * @param mqttHandler Moquette's protocol handler, the last of every pipeline
     * @param connectedGates makes Moquette's per-channel ConnectedGate
     * @param sslContext needed only when {@code ssl_port} or {@code secure_websocket_port} is enabled
     * @param durability null: acknowledgements need not wait for the store
     */
    public void bind(IConfig config, EventLoopGroup ioThreads, ChannelPipelines pipelines, ChannelHandler mqttHandler,
                     ChannelPipelines.ConnectedGates connectedGates, SslContext sslContext, int bufferFlushMillis,
                     GroupCommit durability) throws IOException {
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
        Listeners listeners = new Listeners(pipelines, new ChannelPipelines.Server(mqttHandler, connectedGates,
                sslContext, needClientAuth, maxBytes, connectTimeout, wsPath, wsMaxFrame, bufferFlushMillis, durability,
                maxInflight, maxQueued, new OutboundPressure.Group()));
        try {
            if (tcp != null) {
                bindOne(config, host, tcp, EdgeportServer.MQTT, listeners);
            }
            if (tls != null) {
                bindOne(config, host, tls, EdgeportServer.MQTTS, listeners);
            }
            if (ws != null) {
                bindOne(config, host, ws, EdgeportServer.WS, listeners);
            }
            if (wss != null) {
                bindOne(config, host, wss, EdgeportServer.WSS, listeners);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** @return the configured port, or null when the key is absent or 'disabled' */
    public static Integer port(IConfig config, String key) throws IOException {
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

    private void bindOne(IConfig config, String host, int port, String listener, Listeners listeners)
            throws IOException {
        ChannelGroup open = clients;
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channelFactory(() -> new QuietServerChannel(listeners.pipelines.peerErrors(),
                        listeners.server.connectedGates()))
                .option(ChannelOption.SO_BACKLOG, config.intProp(BrokerConstants.NETTY_SO_BACKLOG_PROPERTY_NAME, 128))
                .option(ChannelOption.SO_REUSEADDR,
                        config.boolProp(BrokerConstants.NETTY_SO_REUSEADDR_PROPERTY_NAME, true))
                .childOption(ChannelOption.TCP_NODELAY,
                        config.boolProp(BrokerConstants.NETTY_TCP_NODELAY_PROPERTY_NAME, true))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(OutboundPressure.NETTY_LOW,
                                OutboundPressure.NETTY_HIGH))
                .childOption(ChannelOption.SO_KEEPALIVE,
                        config.boolProp(BrokerConstants.NETTY_SO_KEEPALIVE_PROPERTY_NAME, true))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        open.add(ch);
                        listeners.pipelines.init(ch, listener, listeners.server);
                    }
                });
        try {
            Channel ch = b.bind(host, port).sync().channel();
            serverChannels.put(listener, ch);
            // Lifecycle, so debug: the broker logs one line with every listener (and before the move out of
            // io.moquette, whose log level is warn, this line never showed either).
            LOG.debug("MQTT listener {} bound to {}", listener, ch.localAddress());
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
    public int boundPort(String listener) {
        Channel ch = serverChannels.get(listener);
        if (ch != null && ch.localAddress() instanceof InetSocketAddress) {
            return ((InetSocketAddress) ch.localAddress()).getPort();
        }
        return -1;
    }

    /** Closes the listeners and the event loops, waiting up to 10 s per group. Idempotent. */
    public void close() {
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

    /** The pipelines of one bind and what the server run puts into them. */
    private record Listeners(ChannelPipelines pipelines, ChannelPipelines.Server server) {
    }
}
