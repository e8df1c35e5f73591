package io.edgeport.broker.engine.internal.pipeline;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.internal.store.GroupCommit;
import io.moquette.BrokerConstants;
import io.moquette.broker.AutoFlushHandler;
import io.moquette.broker.EdgeportServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
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
 * The one place that builds a client connection's handler list, head (socket) to tail (Moquette):
 * <ol>
 * <li>{@code ssl} (mqtts, wss) → {@code http}, {@code aggregator}, {@code webSocketHandler}, {@code ws2bytebuf},
 * {@code bytebuf2ws} (ws, wss): transport;</li>
 * <li>{@code flushConsolidation} → {@code outboundPressure} ({@link OutboundPressure}) → {@code idleStateHandler},
 * {@code idleEventHandler} → [{@code autoflush}]: flow of bytes;</li>
 * <li>{@code decoder}, {@code encoder} → {@code validator} ({@link PacketValidator}): well-formed MQTT packets in a
 * valid order from here on;</li>
 * <li>{@code ackHold} ({@link AckHold}) → {@code connectedGate} (Moquette's package: what follows a CONNECT waits
 * until the session exists);</li>
 * <li>{@code traffic} ({@link TrafficCounter}) → [{@code admission} ({@link ConnectAdmission}) while the engine does
 * not admit clients yet] → {@code connectGuard} ({@link ConnectGuard}) → [{@code tlsIdentity} ({@link TlsIdentity})
 * on mqtts/wss] → {@code publishGuard} ({@link PublishGuard}) → {@code inflightJournal} ({@link InflightJournal}) →
 * {@code dollarFilter} ({@link DollarFilter});</li>
 * <li>{@code retainedFlags} ({@link RetainedFlagHandler}) → {@code exceptions} ({@link ExceptionSink}) →
 * {@code handler} (Moquette's protocol handler).</li>
 * </ol>
 *
 * <p>Why this order: {@code validator} right behind the codec, so that no Edgeport handler and not Moquette ever see
 * a malformed or out-of-order packet (refused packets are counted by {@link PeerErrors}, not by the traffic counter);
 * {@code exceptions} in front of Moquette's handler, so that no exception reaches Moquette's ERROR-with-stack-trace
 * logging. {@code ackHold} sits outside every handler that may write an acknowledgement, so it can hold
 * them all until the store has them; {@code connectedGate} right behind it, so nothing after a CONNECT reaches an
 * Edgeport handler (which might acknowledge a refused PUBLISH) before the session exists. The traffic counter sees every
 * packet that really crosses the wire (not the synthetic acks {@link DollarFilter} feeds Moquette, not outbound
 * messages it drops); limits are checked before anything else looks at a CONNECT (a CONNECT held by
 * {@link ConnectAdmission} is checked when it is let through); the certificate username is in place before Moquette
 * authenticates; {@code inflightJournal} between {@code publishGuard} and {@code dollarFilter} records only what
 * really reaches the client and never sees the synthetic acks, and its resends at reconnect pass the guards and the
 * counter like any packet; {@code dollarFilter} is next to Moquette (only {@code retainedFlags} follows, which must
 * see every PUBLISH Moquette writes before an outer handler drops or counts it) so its synthetic acks reach only
 * Moquette. The names {@code idleStateHandler} and {@code handler} are load-bearing: Moquette's {@code MQTTConnection}
 * replaces {@code idleStateHandler} after CONNACK (keep-alive) and adds {@code inflightResender} at the head.
 *
 * <p>One instance per server run: the Edgeport handlers' shared state and counters cover all listeners. Thread-safe;
 * {@link #init} runs on each new channel's event loop.
 */
public final class ChannelPipelines {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelPipelines.class);
    static final String SUBPROTOCOLS = "mqtt, mqttv3.1, mqttv3.1.1";

    /** Makes Moquette's per-channel {@code ConnectedGate} (whose constructor is package-private). */
    @FunctionalInterface
    public interface ConnectedGates {
        ChannelHandler newGate(int inflightWindow, int maxQueued);

        /**
         * Moquette accepted a client whose channel had closed before the CONNACK could be written: close its session
         * quietly (Moquette's own reaction logs ERROR with stack traces). Default: nothing.
         */
        default void connackUndeliverable(io.netty.channel.Channel channel) {
        }
    }

    /**
     * What the server run contributes to every pipeline, fixed when its listeners are bound.
     *
     * @param handler Moquette's protocol handler (shared)
     * @param sslContext for mqtts/wss; null without TLS listeners
     * @param needClientAuth forces client certificates on top of what the context asks
     * @param durability null: acknowledgements need not wait for the store
     */
    public record Server(ChannelHandler handler, ConnectedGates connectedGates, SslContext sslContext,
            boolean needClientAuth, int maxBytes, int connectTimeoutSeconds, String wsPath, int wsMaxFrame,
            int bufferFlushMillis, GroupCommit durability, int maxInflight, int maxQueued,
            OutboundPressure.Group pressure) {
    }

    private final PeerErrors peerErrors = new PeerErrors();
    private final ExceptionSink exceptionSink = new ExceptionSink(peerErrors);
    private final TrafficCounter traffic = new TrafficCounter();
    private final ConnectGuard connectGuard;
    private final PublishGuard.Shared publishGuard;
    private final DollarFilter.Shared dollarFilter;
    private final TlsIdentity tlsIdentity;
    private final InflightJournal inflightJournal = new InflightJournal();
    private final ConnectAdmission.Gate admission;
    private final ChannelHandler idleCloser = new IdleCloser();
    private final ChannelHandler frameDecoder = new FrameToBytes();
    private final ChannelHandler frameEncoder = new BytesToFrame();
    private ConnectionLimiter limiter;

    /** Bounds connection floods (see {@link ConnectionLimiter}); set before the listeners are bound. */
    public ChannelPipelines limitConnections(ConnectionLimiter limiter) {
        this.limiter = limiter;
        limiter.reportTo(peerErrors);
        return this;
    }

    /** @return the limiter in use, or null */
    public ConnectionLimiter connectionLimiter() {
        return limiter;
    }

    /**
     * @param maxConnections Mosquitto's max_connections; 0 or less = unlimited
     * @param maxKeepalive Mosquitto's max_keepalive in seconds; 65535 = no limit
     * @param messageSizeLimit Mosquitto's message_size_limit in payload bytes; 0 = no limit
     * @param usernameMode {@link CertificateUsername#CN} for use_identity_as_username, {@link CertificateUsername#SUBJECT}
     *        for use_subject_as_username, else {@link CertificateUsername#NONE}
     * @param topicMatcher (filter, topic) → match, honouring MQTT-4.7.2-1 ({@link io.edgeport.broker.engine.Topics#matches})
     */
    public ChannelPipelines(int maxConnections, int maxKeepalive, int messageSizeLimit,
                            CertificateUsername usernameMode, BiPredicate<String, String> topicMatcher) {
        this(maxConnections, maxKeepalive, messageSizeLimit, usernameMode, topicMatcher, (c, w) -> true,
                PublishGuard.WritePolicy.ALLOW_ALL, DollarFilter.ReceivePolicy.ALLOW_ALL, new ConnectAdmission.Gate(true));
    }

    /**
     * @param anonymousWill (client id, will topic) → may a client without username leave that Last Will
     * @param writePolicy asked for every inbound PUBLISH (refused ones are acknowledged and dropped)
     * @param receivePolicy asked for every message before it is written to a client
     * @param admission holds CONNECTs until it opens (a new connection gets no handler for it once it is open)
     */
    public ChannelPipelines(int maxConnections, int maxKeepalive, int messageSizeLimit,
                            CertificateUsername usernameMode, BiPredicate<String, String> topicMatcher,
                            BiPredicate<String, String> anonymousWill, PublishGuard.WritePolicy writePolicy,
                            DollarFilter.ReceivePolicy receivePolicy, ConnectAdmission.Gate admission) {
        this.admission = admission;
        this.connectGuard = new ConnectGuard(maxConnections, maxKeepalive, anonymousWill);
        this.publishGuard = new PublishGuard.Shared(messageSizeLimit, writePolicy);
        this.dollarFilter = new DollarFilter.Shared(topicMatcher, receivePolicy);
        this.tlsIdentity = new TlsIdentity(usernameMode);
    }

    /** Builds the pipeline of a connection accepted on {@code listener} ({@link EdgeportServer#MQTT} ...). */
    public void init(SocketChannel ch, String listener, Server server) {
        ChannelPipeline p = ch.pipeline();
        boolean tls = EdgeportServer.MQTTS.equals(listener) || EdgeportServer.WSS.equals(listener);
        boolean ws = EdgeportServer.WS.equals(listener) || EdgeportServer.WSS.equals(listener);
        p.channel().attr(ConnectContext.LISTENER).set(listener);
        if (limiter != null && limiter.active()) {
            p.addLast("connectionLimiter", limiter); // first: a refused connection costs no TLS handshake
        }
        if (tls) {
            // Client authentication is the SslContext's business; need_client_auth=true forces it on top, as
            // Moquette's own acceptor does.
            InetSocketAddress peer = ch.remoteAddress();
            SslHandler ssl = peer == null ? server.sslContext().newHandler(ch.alloc())
                    : server.sslContext().newHandler(ch.alloc(), peer.getHostString(), peer.getPort());
            if (server.needClientAuth()) {
                ssl.engine().setNeedClientAuth(true);
            }
            p.addLast("ssl", ssl);
        }
        if (ws) {
            p.addLast("http", new HttpServerCodec());
            p.addLast("aggregator", new HttpObjectAggregator(65536));
            p.addLast("webSocketHandler", new WebSocketServerProtocolHandler(server.wsPath(), SUBPROTOCOLS, false,
                    server.wsMaxFrame()));
            p.addLast("ws2bytebuf", frameDecoder);
            p.addLast("bytebuf2ws", frameEncoder);
        }
        // One flush per read batch or event-loop turn instead of one per message: Moquette flushes every packet it
        // writes, a write(2) and a wake-up of the peer each (fan-in to one subscriber: 11 % of the broker's CPU in the
        // kernel's wake-up path). Messages still leave in the same turn of the loop.
        p.addLast("flushConsolidation", new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        p.addLast("outboundPressure", new OutboundPressure(server.pressure()));
        // Until CONNECT: a client must speak within netty.channel_timeout.seconds. Moquette replaces this handler by
        // name with the keep-alive timer after CONNACK.
        p.addLast("idleStateHandler", new IdleStateHandler(server.connectTimeoutSeconds(), 0, 0));
        p.addLast("idleEventHandler", idleCloser);
        if (server.bufferFlushMillis() > BrokerConstants.IMMEDIATE_BUFFER_FLUSH) {
            p.addLast("autoflush", new AutoFlushHandler(server.bufferFlushMillis(), TimeUnit.MILLISECONDS));
        }
        p.addLast("decoder", new MqttDecoder(server.maxBytes()));
        p.addLast("encoder", MqttEncoder.INSTANCE);
        p.addLast("validator", new PacketValidator(peerErrors));
        p.addLast(AckHold.NAME, new AckHold(server.durability()));
        p.addLast("connectedGate", server.connectedGates().newGate(server.maxInflight(), server.maxQueued()));
        p.addLast("traffic", traffic);
        if (!admission.isOpen()) {
            p.addLast("admission", admission.newHandler());
        }
        p.addLast("connectGuard", connectGuard);
        if (tls) {
            p.addLast("tlsIdentity", tlsIdentity);
        }
        p.addLast("publishGuard", publishGuard.newHandler());
        p.addLast("inflightJournal", inflightJournal.newHandler());
        p.addLast("dollarFilter", dollarFilter.newHandler());
        p.addLast("retainedFlags", new RetainedFlagHandler());
        p.addLast("exceptions", exceptionSink);
        p.addLast("handler", server.handler());
    }

    /** @return the peer errors of all listeners of this server run (counted by reason, logged rate-limited) */
    public PeerErrors peerErrors() {
        return peerErrors;
    }

    public TrafficCounter traffic() {
        return traffic;
    }

    public ConnectGuard connectGuard() {
        return connectGuard;
    }

    public PublishGuard.Shared publishGuard() {
        return publishGuard;
    }

    /** @return the gate CONNECTs on the client listeners wait at */
    public ConnectAdmission.Gate admission() {
        return admission;
    }

    /**
     * Closes a channel whose reader went idle (no CONNECT in time, or keep-alive missed), as a peer error
     * ({@link PeerErrors.Reason#CONNECT_TIMEOUT} or {@link PeerErrors.Reason#KEEPALIVE_TIMEOUT}).
     */
    @ChannelHandler.Sharable
    final class IdleCloser extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
                ChannelHandler v = ctx.pipeline().get("validator");
                boolean connected = v instanceof PacketValidator && ((PacketValidator) v).connected();
                peerErrors.report(connected ? PeerErrors.Reason.KEEPALIVE_TIMEOUT : PeerErrors.Reason.CONNECT_TIMEOUT,
                        ctx.channel(), connected ? "nothing received for 1.5 keep-alive periods"
                                : "no CONNECT within the connect timeout");
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
