package io.edgeport.broker.engine.internal.pipeline;

import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.util.AttributeKey;

/**
 * What the authenticator needs to know about a CONNECT beyond (client id, username, password), which is all Moquette
 * passes it: the channel (remote address, TLS peer chain), the listener and the Last Will topic.
 *
 * <p>Moquette authenticates synchronously on the I/O thread while {@link ConnectGuard} passes the CONNECT on, so the
 * context is a thread-local set around that call and cleared right after; outside it {@link #current()} is null.
 */
public record ConnectContext(Channel channel, String listener, String willTopic) {

    /** Set on every channel by {@link ChannelPipelines}: mqtt, mqtts, ws or wss. */
    public static final AttributeKey<String> LISTENER = AttributeKey.valueOf(ConnectContext.class, "listener");

    private static final ThreadLocal<ConnectContext> CURRENT = new ThreadLocal<>();

    /** @return the CONNECT being authenticated on this thread, or null */
    public static ConnectContext current() {
        return CURRENT.get();
    }

    static void begin(Channel channel, MqttConnectMessage connect) {
        String will = connect.variableHeader().isWillFlag() ? connect.payload().willTopic() : null;
        CURRENT.set(new ConnectContext(channel, channel.attr(LISTENER).get(), will));
    }

    static void end() {
        CURRENT.remove();
    }
}
