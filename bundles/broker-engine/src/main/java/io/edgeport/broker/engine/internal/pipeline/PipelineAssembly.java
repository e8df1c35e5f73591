package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import java.util.function.BiPredicate;

import io.moquette.broker.EdgeportServer;
import io.netty.channel.ChannelPipeline;

/**
 * The Edgeport handlers in the order they must have, as one {@link EdgeportServer.PipelineCustomizer}:
 * {@code traffic} → [{@code admission} while the broker does not admit clients yet] → {@code connectGuard} → [{@code tlsIdentity} on mqtts/wss] → {@code publishGuard} →
 * {@code dollarFilter} → (EdgeportServer's own {@code retainedFlags}, which sets RETAIN=1 on retained copies replayed
 * after a SUBACK, then Moquette's {@code handler}).
 *
 * <p>Why this order: the traffic counter sees every packet that really crosses the wire (not the synthetic acks
 * {@link DollarFilter} feeds Moquette, not outbound messages it drops); limits are checked before anything else looks at
 * a CONNECT (a CONNECT held by {@link ConnectAdmission} is checked when it is let through); the certificate username is in place before Moquette authenticates; DollarFilter must be next to Moquette
 * (only EdgeportServer's retainedFlags follows) so its synthetic acks reach only Moquette.
 *
 * <p>One instance per server run; the counters it exposes cover all listeners. Thread-safe.
 *
 * <p>{@code inflightJournal} ({@link InflightJournal}) sits between {@code publishGuard} and {@code dollarFilter}:
 * outside DollarFilter it records only what really reaches the client and never sees the synthetic acks; its resends
 * at reconnect pass the guards and the traffic counter like any packet.
 */
public final class PipelineAssembly implements EdgeportServer.PipelineCustomizer {

    private final TrafficCounter traffic = new TrafficCounter();
    private final ConnectGuard connectGuard;
    private final PublishGuard.Shared publishGuard;
    private final DollarFilter.Shared dollarFilter;
    private final TlsIdentity tlsIdentity;
    private final InflightJournal inflightJournal = new InflightJournal();
    private final ConnectAdmission.Gate admission;

    /**
     * @param maxConnections Mosquitto's max_connections; 0 or less = unlimited
     * @param maxKeepalive Mosquitto's max_keepalive in seconds; 65535 = no limit
     * @param messageSizeLimit Mosquitto's message_size_limit in payload bytes; 0 = no limit
     * @param usernameMode {@link CertificateUsername#CN} for use_identity_as_username, {@link CertificateUsername#SUBJECT}
     *        for use_subject_as_username, else {@link CertificateUsername#NONE}
     * @param topicMatcher (filter, topic) → match, honouring MQTT-4.7.2-1 ({@link io.edgeport.broker.engine.Topics#matches})
     */
    public PipelineAssembly(int maxConnections, int maxKeepalive, int messageSizeLimit, CertificateUsername usernameMode,
                            BiPredicate<String, String> topicMatcher) {
        this(maxConnections, maxKeepalive, messageSizeLimit, usernameMode, topicMatcher, (c, w) -> true,
                PublishGuard.WritePolicy.ALLOW_ALL, DollarFilter.ReceivePolicy.ALLOW_ALL, new ConnectAdmission.Gate(true),
                ConnectGuard.DEFAULT_INTERNAL_PREFIX);
    }

    /**
     * @param anonymousWill (client id, will topic) → may a client without username leave that Last Will
     * @param writePolicy asked for every inbound PUBLISH (refused ones are acknowledged and dropped)
     * @param receivePolicy asked for every message before it is written to a client
     * @param admission holds CONNECTs until it opens (a new connection gets no handler for it once it is open)
     * @param internalPrefix client ids reserved for the internal listener
     */
    public PipelineAssembly(int maxConnections, int maxKeepalive, int messageSizeLimit, CertificateUsername usernameMode,
                            BiPredicate<String, String> topicMatcher, BiPredicate<String, String> anonymousWill,
                            PublishGuard.WritePolicy writePolicy, DollarFilter.ReceivePolicy receivePolicy,
                            ConnectAdmission.Gate admission, String internalPrefix) {
        this.admission = admission;
        this.connectGuard = new ConnectGuard(maxConnections, maxKeepalive, anonymousWill, internalPrefix);
        this.publishGuard = new PublishGuard.Shared(messageSizeLimit, writePolicy);
        this.dollarFilter = new DollarFilter.Shared(topicMatcher, receivePolicy);
        this.tlsIdentity = new TlsIdentity(usernameMode);
    }

    @Override
    public void customize(ChannelPipeline p, String listenerName) {
        p.channel().attr(ConnectContext.LISTENER).set(listenerName);
        p.addLast("traffic", traffic);
        if (!admission.isOpen()) {
            p.addLast("admission", admission.newHandler());
        }
        p.addLast("connectGuard", connectGuard);
        if (EdgeportServer.MQTTS.equals(listenerName) || EdgeportServer.WSS.equals(listenerName)) {
            p.addLast("tlsIdentity", tlsIdentity);
        }
        p.addLast("publishGuard", publishGuard.newHandler());
        p.addLast("inflightJournal", inflightJournal.newHandler());
        p.addLast("dollarFilter", dollarFilter.newHandler());
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
}
