package io.edgeport.broker.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Broker settings, named after mosquitto.conf where Mosquitto has the setting (a double underscore in a method
 * name becomes one underscore in the property key). Edited in the web console under Configuration, PID
 * {@value #PID}.
 */
@ObjectClassDefinition(name = "Edgeport MQTT broker", description = "Listeners, limits and persistence of the MQTT"
        + " broker. Saving applies the change at once: the broker restarts internally and clients reconnect.")
public @interface BrokerConfig {

    String PID = "io.edgeport.broker";

    @AttributeDefinition(name = "bind_address", description = "Address every listener binds to. 127.0.0.1 (default)"
            + " accepts local clients only, 0.0.0.0 every interface.")
    String bind__address() default "127.0.0.1";

    @AttributeDefinition(name = "port", description = "MQTT over TCP. 0 switches the listener off.")
    int port() default 1883;

    @AttributeDefinition(name = "websocket_port", description = "MQTT over WebSocket. 0 (default) = off.")
    int websocket__port() default 0;

    @AttributeDefinition(name = "websocket_path", description = "HTTP path of the WebSocket listeners.")
    String websocket__path() default "/mqtt";

    @AttributeDefinition(name = "tls_port", description = "MQTT over TLS (Mosquitto's 8883). 0 (default) = off."
            + " Needs certfile and keyfile.")
    int tls__port() default 0;

    @AttributeDefinition(name = "wss_port", description = "MQTT over secure WebSocket. 0 (default) = off. Needs"
            + " certfile and keyfile.")
    int wss__port() default 0;

    @AttributeDefinition(name = "cafile", description = "PEM file of CA certificates that sign client certificates"
            + " (for require_certificate).")
    String cafile() default "";

    @AttributeDefinition(name = "certfile", description = "PEM server certificate (chain) for TLS listeners.")
    String certfile() default "";

    @AttributeDefinition(name = "keyfile", description = "PEM private key (PKCS#8, unencrypted) of certfile.")
    String keyfile() default "";

    @AttributeDefinition(name = "require_certificate", description = "TLS clients must present a certificate signed"
            + " by cafile (mutual TLS).")
    boolean require__certificate() default false;

    @AttributeDefinition(name = "use_identity_as_username", description = "TLS clients are known by the Common Name"
            + " of their certificate instead of the username they send (needs require_certificate).")
    boolean use__identity__as__username() default false;

    @AttributeDefinition(name = "use_subject_as_username", description = "TLS clients are known by the full subject of"
            + " their certificate (needs require_certificate).")
    boolean use__subject__as__username() default false;

    @AttributeDefinition(name = "persistence", description = "Keep retained messages, persistent sessions and their"
            + " queued QoS 1/2 messages across restarts.")
    boolean persistence() default true;

    @AttributeDefinition(name = "persistence_location", description = "Folder of the broker store. Empty = broker/"
            + " inside the gateway data directory.")
    String persistence__location() default "";

    @AttributeDefinition(name = "persistence_sync", description = "How far a QoS 1/2 message, subscription or"
            + " persistent session must be stored before the broker acknowledges it. 'write' (default): written to"
            + " the store log and handed to the operating system; survives the gateway being killed (kill -9, OOM"
            + " killer, crash). 'fsync': also forced to the disk; survives a power cut, at the disk's pace."
            + " Acknowledgements wait for the next group commit (a few milliseconds), never one write per message.",
            options = { @Option(label = "write (survives a crash)", value = "write"),
                @Option(label = "fsync (survives a power cut)", value = "fsync") })
    String persistence__sync() default "write";

    @AttributeDefinition(name = "autosave_interval", description = "Seconds between checkpoints of the broker store"
            + " (also after every 8 MB of store log): what recovery after a crash has to replay. Acknowledged"
            + " messages are stored before this, in the log; unlike Mosquitto this interval loses nothing.")
    int autosave__interval() default 30;

    @AttributeDefinition(name = "max_connections", description = "Most clients connected at once; -1 = no limit."
            + " Further connections are refused.")
    int max__connections() default -1;

    @AttributeDefinition(name = "max_pending_connects", description = "Most connections that may wait for their"
            + " CONNECT (and TLS handshake) at once; further ones are closed when accepted, so that a flood of"
            + " connections that never speak cannot hold the broker's memory. 0 = no limit.")
    int max__pending__connects() default io.edgeport.broker.engine.EngineSettings.DEFAULT_MAX_PENDING_CONNECTS;

    @AttributeDefinition(name = "max_connect_rate", description = "Connections per second one source address may"
            + " open; more are closed when accepted (a device in a reconnect loop or a scanner cannot crowd out the"
            + " others). Loopback addresses are exempt unless connect_rate_loopback is set. 0 = no limit.")
    int max__connect__rate() default 20;

    @AttributeDefinition(name = "connect_rate_loopback", description = "Apply max_connect_rate to loopback"
            + " addresses too (127.0.0.0/8, ::1).")
    boolean connect__rate__loopback() default false;

    @AttributeDefinition(name = "max_keepalive", description = "Largest keepalive (seconds) a client may ask for; a"
            + " client asking for more, or for 0 (none), is refused with CONNACK 'identifier rejected' as in"
            + " Mosquitto. 65535 = no limit.")
    int max__keepalive() default 65535;

    @AttributeDefinition(name = "message_size_limit", description = "Largest PUBLISH payload in bytes. A client"
            + " sending more is disconnected.")
    int message__size__limit() default 1048576;

    @AttributeDefinition(name = "max_queued_messages", description = "QoS 1/2 messages that may wait for a connected"
            + " client beyond its in-flight window. Above it the broker holds back the acknowledgements of the"
            + " publishers feeding that client, so they slow down to its pace; nothing is dropped (Mosquitto drops"
            + " instead). Queues of offline persistent sessions are not limited.")
    int max__queued__messages() default 1000;

    @AttributeDefinition(name = "max_inflight_messages", description = "QoS 1/2 messages that may be in flight"
            + " (sent, not yet acknowledged) to one client at a time; further messages wait in its queue. 0 = no"
            + " limit (65535). Mosquitto's default is 20.")
    int max__inflight__messages() default 20;

    @AttributeDefinition(name = "allow_anonymous", description = "Accept clients that no authentication provider"
            + " vouches for. 'auto' (default) = only while every listener binds a loopback address, like"
            + " Mosquitto 2's local-only mode.", options = {
                @Option(label = "auto (local only)", value = "auto"),
                @Option(label = "true", value = "true"),
                @Option(label = "false", value = "false") })
    String allow__anonymous() default "auto";

    @AttributeDefinition(name = "sys_interval", description = "Seconds between updates of $SYS/broker/... topics;"
            + " 0 = off.")
    int sys__interval() default 10;

    @AttributeDefinition(name = "security_wait", description = "At start, CONNECTs wait (the listeners are open,"
            + " clients get their CONNACK later) until every authentication and authorization provider that has a"
            + " configuration is active, so that no valid login is refused while the gateway is still starting; at"
            + " most this many seconds, then the broker admits clients anyway and logs which providers are missing."
            + " 0 = no waiting. Read when the broker component starts.")
    int security__wait() default 30;

    @AttributeDefinition(name = "startup_signal", description = "LDAP filter of a service whose registration marks"
            + " the end of the security providers' start, for security_wait: the gateway's runtime bundle registers"
            + " (osgi.condition.id=edgeport.configured) once this start's default configurations are written; bundles"
            + " declaring an authentication or authorization service that are still starting are waited for too."
            + " Empty = when the framework is STARTED (every bundle started). Read when the broker component starts.")
    String startup__signal() default "";
}
