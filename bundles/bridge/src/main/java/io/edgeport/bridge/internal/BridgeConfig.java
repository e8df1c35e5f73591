package io.edgeport.bridge.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.edgeport.commons.bridge.BridgeSettings;

/**
 * One bridge connection to an upstream broker (factory PID {@code io.edgeport.bridge}), for the console's form. The
 * keys are Mosquitto's bridge settings, so that a connection can be copied from a mosquitto.conf (a method's
 * {@code __} is the property's {@code _}: {@code remote__clientid()} reads {@code remote_clientid}); the component
 * reads them with {@link BridgeSettings}, whose {@code KEYS} these methods must match (BridgeConfigTest).
 */
@ObjectClassDefinition(name = "Edgeport MQTT bridge", description = "A store-and-forward connection to an upstream"
        + " MQTT broker (Mosquitto's bridge settings). Outgoing messages are read from the gateway's durable message"
        + " store and only taken as sent once the upstream acknowledged them: an upstream outage loses nothing.",
        id = BridgeComponent.PID)
@interface BridgeConfig {

    @AttributeDefinition(name = "Connection name", description = "Names the bridge (Mosquitto's 'connection'): its"
            + " position in the message store, its log lines and the default remote client id. Letters, digits,"
            + " '.', '_', '-'.")
    String connection();

    @AttributeDefinition(name = "address", description = "host:port of the upstream broker; several are tried in"
            + " order (failover, the first preferred). Port 1883 when omitted, 8883 with TLS.")
    String[] address();

    @AttributeDefinition(name = "topic", description = "Mosquitto's 'topic <pattern> [in|out|both] [qos]"
            + " [local prefix] [remote prefix]', one per entry; \"\" for an empty prefix. out: local messages sent"
            + " upstream; in: upstream messages published locally.")
    String[] topic();

    @AttributeDefinition(name = "remote_clientid", description = "Client id on the upstream broker; empty: the host"
            + " name, '.', the connection name (as Mosquitto).", required = false)
    String remote__clientid() default "";

    @AttributeDefinition(name = "remote_username", required = false)
    String remote__username() default "";

    @AttributeDefinition(name = "remote_password", type = AttributeType.PASSWORD, required = false)
    String remote__password() default "";

    @AttributeDefinition(name = "cleansession", description = "false (default): the upstream keeps the bridge's"
            + " session and what it subscribed to while it is away")
    boolean cleansession() default BridgeSettings.CLEANSESSION;

    @AttributeDefinition(name = "keepalive_interval", description = "Seconds (5-65535)")
    int keepalive__interval() default BridgeSettings.KEEPALIVE_INTERVAL;

    @AttributeDefinition(name = "restart_timeout", description = "Seconds to wait before connecting again after"
            + " every address failed (1-3600)")
    int restart__timeout() default BridgeSettings.RESTART_TIMEOUT;

    @AttributeDefinition(name = "max_inflight_messages", description = "QoS 1/2 messages sent upstream and not yet"
            + " acknowledged (1-65535)")
    int max__inflight__messages() default BridgeSettings.MAX_INFLIGHT_MESSAGES;

    @AttributeDefinition(name = "bridge_cafile", description = "PEM CA certificate(s) to verify the upstream with;"
            + " set: TLS", required = false)
    String bridge__cafile() default "";

    @AttributeDefinition(name = "bridge_certfile", description = "PEM client certificate (mutual TLS)",
            required = false)
    String bridge__certfile() default "";

    @AttributeDefinition(name = "bridge_keyfile", description = "PEM PKCS#8 private key of bridge_certfile",
            required = false)
    String bridge__keyfile() default "";

    @AttributeDefinition(name = "bridge_insecure", description = "true: do not check that the upstream's certificate"
            + " names its host (tests only)")
    boolean bridge__insecure() default BridgeSettings.BRIDGE_INSECURE;

    @AttributeDefinition(name = "notifications", description = "Publish the connection state (1 connected, 0 not),"
            + " retained, locally and upstream (a Will sets 0 upstream when the bridge goes away)")
    boolean notifications() default BridgeSettings.NOTIFICATIONS;

    @AttributeDefinition(name = "notifications_local_only", description = "true: the connection state only"
            + " locally, nothing upstream (an upstream whose ACL does not let the bridge write the notification topic"
            + " drops the connection: Mosquitto 2.0 does)")
    boolean notifications__local__only() default BridgeSettings.NOTIFICATIONS_LOCAL_ONLY;

    @AttributeDefinition(name = "notification_topic", description = "Empty: $SYS/broker/connection/<remote"
            + " client id>/state", required = false)
    String notification__topic() default "";

    @AttributeDefinition(name = "try_private", description = "Accepted for mosquitto.conf compatibility; Paho cannot"
            + " send Mosquitto's private bridge flag, so Edgeport drops the upstream's echo of its own messages itself")
    boolean try__private() default BridgeSettings.TRY_PRIVATE;

    @AttributeDefinition(name = "Source", description = "Set by the gateway on a bridge from its mosquitto.conf: the"
            + " file and line of the 'connection' section. The file wins: such a bridge is written again from the"
            + " file at every start (edit it there) and deleted when its section is gone. Empty for bridges made"
            + " here, which the file never touches.", required = false)
    String edgeport_source() default "";
}
