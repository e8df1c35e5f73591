package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

class TlsIdentityTest {

    @TempDir
    static Path dir;
    static TestCertificates server;
    static TestCertificates client;

    @BeforeAll
    static void certificates() throws Exception {
        server = TestCertificates.create(dir, "CN=localhost");
        client = TestCertificates.create(dir, "CN=device-7,OU=Sensors,O=Edgeport");
    }

    /** What reached "Moquette": the CONNECT and the channel the authenticator would have seen. */
    static final class Capture extends ChannelInboundHandlerAdapter {
        final List<MqttConnectMessage> connects = new ArrayList<>();
        final List<Channel> seenByAuthenticator = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            connects.add((MqttConnectMessage) msg);
            ConnectContext cc = ConnectContext.current();
            seenByAuthenticator.add(cc == null ? null : cc.channel());
        }
    }

    private static final class Link {
        final EmbeddedChannel serverSide;
        final EmbeddedChannel clientSide;
        final Capture capture = new Capture();

        Link(CertificateUsername mode, boolean clientCertificate) throws Exception {
            SslContext serverCtx = SslContextBuilder.forServer(server.key, server.cert).sslProvider(SslProvider.JDK)
                    .trustManager(client.cert).clientAuth(ClientAuth.OPTIONAL).build();
            SslContextBuilder cb = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .trustManager(server.cert);
            if (clientCertificate) {
                cb.keyManager(client.key, client.cert);
            }
            SslContext clientCtx = cb.build();
            serverSide = new EmbeddedChannel();
            serverSide.pipeline().addLast(serverCtx.newHandler(serverSide.alloc()), new MqttDecoder(),
                    MqttEncoder.INSTANCE, new ConnectGuard(0, ConnectGuard.NO_KEEPALIVE_LIMIT), new TlsIdentity(mode),
                    capture);
            clientSide = new EmbeddedChannel();
            clientSide.pipeline().addLast(clientCtx.newHandler(clientSide.alloc(), "localhost", 8883),
                    MqttEncoder.INSTANCE);
            shuttle();
        }

        /** Moves bytes both ways until both sides are quiet. */
        void shuttle() {
            boolean moved = true;
            while (moved) {
                moved = false;
                for (Object o; (o = clientSide.readOutbound()) != null; moved = true) {
                    serverSide.writeInbound(o);
                }
                for (Object o; (o = serverSide.readOutbound()) != null; moved = true) {
                    clientSide.writeInbound(o);
                }
                clientSide.runPendingTasks();
                serverSide.runPendingTasks();
            }
        }

        void send(Object mqtt) {
            clientSide.writeAndFlush(mqtt);
            shuttle();
        }
    }

    @Test
    void recordsThePeerChainAndExposesTheChannelDuringConnect() throws Exception {
        Link link = new Link(CertificateUsername.NONE, true);
        List<X509Certificate> chain = TlsIdentity.peerCertificates(link.serverSide);
        assertThat(chain).hasSize(1);
        assertThat(chain.get(0).getSubjectX500Principal().getName()).startsWith("CN=device-7");

        link.send(Packets.connect("c1", 30, true));
        assertThat(link.capture.connects).hasSize(1);
        assertThat(link.capture.connects.get(0).payload().userName()).isNull();
        assertThat(link.capture.seenByAuthenticator).containsExactly(link.serverSide);
        assertThat(ConnectContext.current()).isNull();
    }

    @Test
    void useIdentityAsUsernameReplacesUsernameAndPassword() throws Exception {
        Link link = new Link(CertificateUsername.CN, true);
        link.send(io.netty.handler.codec.mqtt.MqttMessageBuilders.connect().clientId("c2").keepAlive(30)
                .username("mallory").password("secret".getBytes()).build());
        MqttConnectMessage seen = link.capture.connects.get(0);
        assertThat(seen.payload().userName()).isEqualTo("device-7");
        assertThat(seen.payload().passwordInBytes()).isEmpty();
        assertThat(seen.variableHeader().hasUserName()).isTrue();
        assertThat(seen.variableHeader().hasPassword()).isTrue();
    }

    @Test
    void useSubjectAsUsernameGivesTheWholeSubject() throws Exception {
        Link link = new Link(CertificateUsername.SUBJECT, true);
        link.send(Packets.connect("c3", 30, true));
        assertThat(link.capture.connects.get(0).payload().userName()).isEqualTo("CN=device-7,OU=Sensors,O=Edgeport");
    }

    @Test
    void noCertificateWhenOneIsNeededIsRefused() throws Exception {
        Link link = new Link(CertificateUsername.CN, false);
        assertThat(TlsIdentity.peerCertificates(link.serverSide)).isEmpty();
        List<Object> received = new ArrayList<>();
        link.clientSide.pipeline().addLast(new MqttDecoder(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.add(msg);
            }
        });
        link.send(Packets.connect("c4", 30, true));
        assertThat(link.capture.connects).isEmpty();
        assertThat(received).hasSize(1);
        assertThat(Packets.connAckCode(received.get(0)))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
    }

    @Test
    void cnIsTakenFromTheSubject() {
        assertThat(TlsIdentity.usernameFor(client.cert, CertificateUsername.CN)).isEqualTo("device-7");
    }

}
