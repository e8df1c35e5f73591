package io.edgeport.broker.engine.internal.pipeline;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * Makes the TLS client certificate available to authentication, and optionally turns it into the MQTT username as
 * Mosquitto's {@code use_identity_as_username} / {@code use_subject_as_username} do.
 *
 * <p>After the TLS handshake the peer's certificate chain (leaf first; empty when the client sent none) is stored in
 * the channel attribute {@link #PEER_CERTIFICATES}; the authenticator finds the channel through
 * {@link ConnectContext#current()}.
 *
 * <p>With {@link CertificateUsername#CN} or {@link CertificateUsername#SUBJECT} the CONNECT username is replaced by the certificate's CN or its full
 * subject (RFC 2253) and the client's password is dropped; an empty password is sent on instead, so that Moquette still
 * calls the authenticator when {@code allow_anonymous} is false (it skips it for a username without password) — the
 * authenticator decides from the certificate. A client without a certificate is refused with CONNACK 0x05 (not
 * authorized), as Mosquitto does.
 *
 * <p>Put it on TLS listeners only, after the codec. One instance serves all channels.
 */
@Sharable
public final class TlsIdentity extends ChannelInboundHandlerAdapter {

    public static final AttributeKey<List<X509Certificate>> PEER_CERTIFICATES =
            AttributeKey.valueOf(TlsIdentity.class, "peerCertificates");
    private static final Logger LOG = LoggerFactory.getLogger(TlsIdentity.class);
    /**
     * The username taken from the client certificate (use_identity/subject_as_username): the TLS handshake has
     * authenticated it, so password providers are not asked, as in Mosquitto.
     */
    public static final AttributeKey<String> CERTIFICATE_IDENTITY = AttributeKey.valueOf(TlsIdentity.class,
            "certificateIdentity");

    private final CertificateUsername mode;

    public TlsIdentity(CertificateUsername mode) {
        this.mode = mode;
    }

    /** @return the certificate chain stored on the channel; empty when none (or not a TLS channel) */
    public static List<X509Certificate> peerCertificates(Channel channel) {
        List<X509Certificate> chain = channel == null ? null : channel.attr(PEER_CERTIFICATES).get();
        return chain == null ? List.of() : chain;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) evt).isSuccess()) {
            record(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    private List<X509Certificate> record(ChannelHandlerContext ctx) {
        List<X509Certificate> chain = readChain(ctx.pipeline().get(SslHandler.class));
        ctx.channel().attr(PEER_CERTIFICATES).set(chain);
        return chain;
    }

    static List<X509Certificate> readChain(SslHandler ssl) {
        if (ssl == null) {
            return List.of();
        }
        SSLSession session = ssl.engine().getSession();
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate) {
                    out.add((X509Certificate) c);
                }
            }
            return List.copyOf(out);
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof MqttConnectMessage)) {
            ctx.fireChannelRead(msg);
            return;
        }
        List<X509Certificate> chain = ctx.channel().attr(PEER_CERTIFICATES).get();
        if (chain == null) {
            chain = record(ctx); // the handshake event can only be missing if we were added late
        }
        Object out = msg;
        if (mode != CertificateUsername.NONE) {
            String name = chain.isEmpty() ? null : usernameFor(chain.get(0), mode);
            if (name == null) {
                LOG.info("Client '{}' refused: no usable client certificate for use_{}_as_username",
                        ((MqttConnectMessage) msg).payload().clientIdentifier(),
                        mode == CertificateUsername.CN ? "identity" : "subject");
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(MqttMessageBuilders.connAck()
                        .returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED).build())
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            out = withUsername((MqttConnectMessage) msg, name);
            ctx.channel().attr(CERTIFICATE_IDENTITY).set(name);
        }
        ctx.fireChannelRead(out);
    }

    /** @return the CN or the subject of the certificate, or null when it has no CN */
    static String usernameFor(X509Certificate cert, CertificateUsername mode) {
        String subject = cert.getSubjectX500Principal().getName(); // RFC 2253
        if (mode == CertificateUsername.SUBJECT) {
            return subject;
        }
        try {
            List<Rdn> rdns = new LdapName(subject).getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) { // LdapName lists RDNs right to left; take the first CN
                if ("CN".equalsIgnoreCase(rdns.get(i).getType())) {
                    return String.valueOf(rdns.get(i).getValue());
                }
            }
        } catch (InvalidNameException e) {
            LOG.debug("Unparsable certificate subject '{}'", subject, e);
        }
        return null;
    }

    static MqttConnectMessage withUsername(MqttConnectMessage m, String username) {
        MqttConnectVariableHeader v = m.variableHeader();
        MqttConnectVariableHeader nv = new MqttConnectVariableHeader(v.name(), v.version(), true, true,
                v.isWillRetain(), v.willQos(), v.isWillFlag(), v.isCleanSession(), v.keepAliveTimeSeconds(),
                v.properties());
        MqttConnectPayload p = m.payload();
        MqttConnectPayload np = new MqttConnectPayload(p.clientIdentifier(), p.willProperties(), p.willTopic(),
                p.willMessageInBytes(), username, new byte[0]);
        return new MqttConnectMessage(m.fixedHeader(), nv, np);
    }
}
