package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import io.moquette.broker.EdgeportServer;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;

/** The handler order is behaviour (see ChannelPipelines): pinned here, listener by listener. */
class ChannelPipelinesTest {

    @TempDir
    Path tmp;

    private static final List<String> MQTT = List.of("flushConsolidation", "outboundPressure", "idleStateHandler",
            "idleEventHandler", "decoder", "encoder", "validator", "ackHold", "connectedGate", "traffic", "connectGuard",
            "publishGuard", "inflightJournal", "dollarFilter", "retainedFlags", "exceptions", "handler");

    private static ChannelPipelines.Server server(io.netty.handler.ssl.SslContext ssl) {
        return new ChannelPipelines.Server(new ChannelInboundHandlerAdapter(), (window, queued) -> new ChannelDuplexHandler(),
                ssl, false, 1024, 10, "/mqtt", 65536, 0, null, 20, 1000, new OutboundPressure.Group());
    }

    private static List<String> names(ChannelPipelines pipelines, String listener,
                                      ChannelPipelines.Server server) {
        NioSocketChannel ch = new NioSocketChannel();
        try {
            pipelines.init(ch, listener, server);
            return ch.pipeline().names().stream().filter(n -> !n.startsWith("DefaultChannelPipeline$")).toList();
        } finally {
            ch.unsafe().closeForcibly();
        }
    }

    @Test
    void plainListener() {
        ChannelPipelines p = new ChannelPipelines(0, 65_535, 0, CertificateUsername.NONE, Topics::matches);
        assertThat(names(p, EdgeportServer.MQTT, server(null))).containsExactlyElementsOf(MQTT);
    }

    @Test
    void webSocketAndTlsListeners() throws Exception {
        TestCertificates c = TestCertificates.create(tmp, "CN=server");
        io.netty.handler.ssl.SslContext ssl = SslContextBuilder.forServer(c.key, c.cert).build();
        ChannelPipelines p = new ChannelPipelines(0, 65_535, 0, CertificateUsername.NONE, Topics::matches);
        List<String> ws = List.of("http", "aggregator", "webSocketHandler", "ws2bytebuf", "bytebuf2ws");
        assertThat(names(p, EdgeportServer.WS, server(null))).startsWith(ws.toArray(String[]::new))
                .endsWith(MQTT.toArray(String[]::new));
        List<String> wss = names(p, EdgeportServer.WSS, server(ssl));
        assertThat(wss.get(0)).isEqualTo("ssl");
        assertThat(wss.subList(1, 6)).containsExactlyElementsOf(ws);
        assertThat(wss).containsSubsequence("connectGuard", "tlsIdentity", "publishGuard");
        assertThat(names(p, EdgeportServer.MQTTS, server(ssl))).startsWith("ssl", "flushConsolidation")
                .containsSubsequence("connectGuard", "tlsIdentity", "publishGuard");
    }

    @Test
    void connectsAreHeldOnlyWhileTheGateIsClosed() {
        ConnectAdmission.Gate gate = new ConnectAdmission.Gate(false);
        ChannelPipelines p = new ChannelPipelines(0, 65_535, 0, CertificateUsername.NONE, Topics::matches,
                (c, w) -> true, PublishGuard.WritePolicy.ALLOW_ALL, DollarFilter.ReceivePolicy.ALLOW_ALL, gate);
        assertThat(names(p, EdgeportServer.MQTT, server(null))).containsSubsequence("traffic", "admission",
                "connectGuard");
        gate.open();
        assertThat(names(p, EdgeportServer.MQTT, server(null))).containsExactlyElementsOf(MQTT);
    }
}
