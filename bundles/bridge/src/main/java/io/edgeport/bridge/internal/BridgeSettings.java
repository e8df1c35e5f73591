package io.edgeport.bridge.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A bridge's configuration, checked: {@link #from} refuses a bad one with {@code key: reason}.
 *
 * @param uris Paho URIs of the addresses, in order ({@code tcp://} or {@code ssl://})
 */
record BridgeSettings(String connection, List<String> uris, List<TopicRule> topics, String remoteClientId,
                      String username, char[] password, boolean cleanSession, int keepAlive, int restartTimeout,
                      int maxInflight, Path caFile, Path certFile, Path keyFile, boolean insecure,
                      boolean notifications, boolean notificationsLocalOnly, String notificationTopic) {

    /** Whether the connection state goes upstream too (retained, and as the Will). */
    boolean notifyUpstream() {
        return notifications && !notificationsLocalOnly;
    }

    /** The message store consumer of a bridge. */
    String consumerName() {
        return "bridge-" + connection;
    }

    /** How the bridge's own local publishes are marked in the store (its out side leaves them alone). */
    String origin() {
        return "$bridge:" + connection;
    }

    boolean tls() {
        return caFile != null;
    }

    List<TopicRule> outRules() {
        return topics.stream().filter(TopicRule::out).toList();
    }

    List<TopicRule> inRules() {
        return topics.stream().filter(TopicRule::in).toList();
    }

    static BridgeSettings from(BridgeConfig c, String hostName) {
        String name = c.connection() == null ? "" : c.connection().strip();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("connection: '" + name + "' is not 1-64 letters, digits, '.', '_',"
                    + " '-' starting with a letter or digit");
        }
        boolean tls = !blank(c.bridge__cafile());
        List<String> uris = new ArrayList<>();
        for (String a : c.address() == null ? new String[0] : c.address()) {
            for (String one : a.split("[,\\s]+")) {
                if (!one.isBlank()) {
                    uris.add(uri(one.strip(), tls));
                }
            }
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("address: at least one host:port is needed");
        }
        List<TopicRule> topics = new ArrayList<>();
        for (String t : c.topic() == null ? new String[0] : c.topic()) {
            if (t != null && !t.isBlank()) {
                try {
                    topics.add(TopicRule.parse(t));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("topic: " + e.getMessage());
                }
            }
        }
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("topic: at least one topic line is needed");
        }
        String clientId = blank(c.remote__clientid()) ? hostName + "." + name : c.remote__clientid().strip();
        if (clientId.length() > 65_535) {
            throw new IllegalArgumentException("remote_clientid: too long");
        }
        int keepAlive = range("keepalive_interval", c.keepalive__interval(), 5, 65_535);
        int restart = range("restart_timeout", c.restart__timeout(), 1, 3600);
        int inflight = range("max_inflight_messages", c.max__inflight__messages(), 1, 65_535);
        Path ca = file("bridge_cafile", c.bridge__cafile());
        Path cert = file("bridge_certfile", c.bridge__certfile());
        Path key = file("bridge_keyfile", c.bridge__keyfile());
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException((cert == null ? "bridge_certfile" : "bridge_keyfile")
                    + ": bridge_certfile and bridge_keyfile go together");
        }
        if (cert != null && ca == null) {
            throw new IllegalArgumentException("bridge_cafile: needed for TLS when bridge_certfile is set");
        }
        String notify = blank(c.notification__topic()) ? "$SYS/broker/connection/" + clientId + "/state"
                : c.notification__topic().strip();
        if (notify.contains("+") || notify.contains("#")) {
            throw new IllegalArgumentException("notification_topic: '" + notify + "' has wildcards");
        }
        return new BridgeSettings(name, List.copyOf(uris), List.copyOf(topics), clientId,
                blank(c.remote__username()) ? null : c.remote__username(),
                blank(c.remote__password()) ? null : c.remote__password().toCharArray(), c.cleansession(), keepAlive,
                restart, inflight, ca, cert, key, c.bridge__insecure(), c.notifications(), c.notifications__local__only(),
                notify);
    }

    private static String uri(String address, boolean tls) {
        String host = address;
        int port = tls ? 8883 : 1883;
        int colon = address.lastIndexOf(':');
        if (colon > 0 && address.indexOf(']') < colon) {
            host = address.substring(0, colon);
            try {
                port = Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (port < 1 || port > 65_535 || host.isBlank() || host.contains("/")) {
            throw new IllegalArgumentException("address: '" + address + "' is not host:port");
        }
        return (tls ? "ssl://" : "tcp://") + host + ":" + port;
    }

    private static int range(String key, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + ": " + v + " is not between " + min + " and " + max);
        }
        return v;
    }

    private static Path file(String key, String value) {
        if (blank(value)) {
            return null;
        }
        Path p = Path.of(value.strip());
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(key + ": cannot read " + p.toAbsolutePath());
        }
        return p;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
