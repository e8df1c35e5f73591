package io.edgeport.commons.bridge;

import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bridge's configuration (factory configuration {@code io.edgeport.bridge}, Mosquitto's bridge key names), checked:
 * {@link #from} refuses a bad one with {@link Invalid}, whose message is {@code key: reason}. One place for what a
 * bridge accepts: the bridge bundle runs what it returns, the runtime checks a mosquitto.conf's bridge sections with
 * it at start (so that the file's {@code file:line} is named before anything runs). Pure; no I/O but checking that
 * the TLS files are readable.
 *
 * @param uris Paho URIs of the addresses, in order ({@code tcp://} or {@code ssl://})
 */
public record BridgeSettings(String connection, List<String> uris, List<TopicRule> topics, String remoteClientId,
                             String username, char[] password, boolean cleanSession, int keepAlive,
                             int restartTimeout, int maxInflight, Path caFile, Path certFile, Path keyFile,
                             boolean insecure, boolean notifications, boolean notificationsLocalOnly,
                             String notificationTopic) {

    /**
     * Configuration property of a bridge made from a mosquitto.conf: {@code file:line} of its {@code connection}
     * line. The gateway rewrites such a configuration from the file at every start and deletes it when its section is
     * gone; configurations without it (made in the console) are never touched.
     */
    public static final String SOURCE = "edgeport.source";

    public static final boolean CLEANSESSION = false;
    public static final int KEEPALIVE_INTERVAL = 60;
    public static final int RESTART_TIMEOUT = 5;
    public static final int MAX_INFLIGHT_MESSAGES = 1000;
    public static final boolean BRIDGE_INSECURE = false;
    public static final boolean NOTIFICATIONS = true;
    public static final boolean NOTIFICATIONS_LOCAL_ONLY = false;
    public static final boolean TRY_PRIVATE = true;

    /**
     * Every configuration key a bridge reads, with the type it is held in ({@code String[]}: one entry per
     * address/topic line). {@code try_private} is accepted and has no effect (Paho cannot send the flag).
     */
    public static final Map<String, Class<?>> KEYS = keys();

    private static Map<String, Class<?>> keys() {
        Map<String, Class<?>> k = new LinkedHashMap<>();
        k.put("connection", String.class);
        k.put("address", String[].class);
        k.put("topic", String[].class);
        k.put("remote_clientid", String.class);
        k.put("remote_username", String.class);
        k.put("remote_password", String.class);
        k.put("cleansession", Boolean.class);
        k.put("keepalive_interval", Integer.class);
        k.put("restart_timeout", Integer.class);
        k.put("max_inflight_messages", Integer.class);
        k.put("bridge_cafile", String.class);
        k.put("bridge_certfile", String.class);
        k.put("bridge_keyfile", String.class);
        k.put("bridge_insecure", Boolean.class);
        k.put("notifications", Boolean.class);
        k.put("notifications_local_only", Boolean.class);
        k.put("notification_topic", String.class);
        k.put("try_private", Boolean.class);
        return Collections.unmodifiableMap(k);
    }

    /** A setting the bridge refuses: {@link #getMessage()} is {@code key: reason}. */
    public static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String key;
        private final String value;

        Invalid(String key, String reason, String value) {
            super(key + ": " + reason);
            this.key = key;
            this.value = value;
        }

        /** @return the configuration key at fault */
        public String key() {
            return key;
        }

        /** @return for a key with several entries (address, topic) the entry at fault, else null */
        public String value() {
            return value;
        }
    }

    /** Whether the connection state goes upstream too (retained, and as the Will). */
    public boolean notifyUpstream() {
        return notifications && !notificationsLocalOnly;
    }

    /** The message store consumer of a bridge. */
    public String consumerName() {
        return "bridge-" + connection;
    }

    /** How the bridge's own local publishes are marked in the store (its out side leaves them alone). */
    public String origin() {
        return "$bridge:" + connection;
    }

    public boolean tls() {
        return caFile != null;
    }

    public List<TopicRule> outRules() {
        return topics.stream().filter(TopicRule::out).toList();
    }

    public List<TopicRule> inRules() {
        return topics.stream().filter(TopicRule::in).toList();
    }

    /**
     * @param config the configuration's properties as ConfigAdmin holds them: the types of {@link #KEYS}, or their
     *        text (a number or {@code true}/{@code false} as a String), a single String for a String[]; a missing key
     *        is its default
     * @param hostName for the default remote client id (host name {@code .} connection, as Mosquitto)
     * @throws Invalid naming the first key that is wrong, and why
     */
    public static BridgeSettings from(Map<String, ?> config, String hostName) {
        String name = string(config, "connection").strip();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new Invalid("connection", "'" + name + "' is not 1-64 letters, digits, '.', '_', '-' starting"
                    + " with a letter or digit", null);
        }
        boolean tls = !string(config, "bridge_cafile").isBlank();
        List<String> uris = new ArrayList<>();
        for (String a : strings(config, "address")) {
            for (String one : a.split("[,\\s]+")) {
                if (!one.isBlank()) {
                    uris.add(uri(one.strip(), tls));
                }
            }
        }
        if (uris.isEmpty()) {
            throw new Invalid("address", "at least one host:port is needed", null);
        }
        List<TopicRule> topics = new ArrayList<>();
        for (String t : strings(config, "topic")) {
            if (!t.isBlank()) {
                try {
                    topics.add(TopicRule.parse(t));
                } catch (IllegalArgumentException e) {
                    throw new Invalid("topic", e.getMessage(), t);
                }
            }
        }
        if (topics.isEmpty()) {
            throw new Invalid("topic", "at least one topic line is needed", null);
        }
        String clientId = string(config, "remote_clientid").isBlank() ? hostName + "." + name
                : string(config, "remote_clientid").strip();
        if (clientId.length() > 65_535) {
            throw new Invalid("remote_clientid", "too long", null);
        }
        boolean clean = bool(config, "cleansession", CLEANSESSION);
        int keepAlive = range(config, "keepalive_interval", KEEPALIVE_INTERVAL, 5, 65_535);
        int restart = range(config, "restart_timeout", RESTART_TIMEOUT, 1, 3600);
        int inflight = range(config, "max_inflight_messages", MAX_INFLIGHT_MESSAGES, 1, 65_535);
        Path ca = file(config, "bridge_cafile");
        Path cert = file(config, "bridge_certfile");
        Path key = file(config, "bridge_keyfile");
        if ((cert == null) != (key == null)) {
            throw new Invalid(cert == null ? "bridge_certfile" : "bridge_keyfile",
                    "bridge_certfile and bridge_keyfile go together", null);
        }
        if (cert != null && ca == null) {
            throw new Invalid("bridge_cafile", "needed for TLS when bridge_certfile is set", null);
        }
        boolean insecure = bool(config, "bridge_insecure", BRIDGE_INSECURE);
        boolean notifications = bool(config, "notifications", NOTIFICATIONS);
        boolean localOnly = bool(config, "notifications_local_only", NOTIFICATIONS_LOCAL_ONLY);
        bool(config, "try_private", TRY_PRIVATE); // accepted, checked, no effect
        String notify = string(config, "notification_topic").isBlank() ? "$SYS/broker/connection/" + clientId
                + "/state" : string(config, "notification_topic").strip();
        if (notify.contains("+") || notify.contains("#")) {
            throw new Invalid("notification_topic", "'" + notify + "' has wildcards", null);
        }
        String user = string(config, "remote_username");
        String password = string(config, "remote_password");
        return new BridgeSettings(name, List.copyOf(uris), List.copyOf(topics), clientId,
                user.isBlank() ? null : user, password.isBlank() ? null : password.toCharArray(), clean, keepAlive,
                restart, inflight, ca, cert, key, insecure, notifications, localOnly, notify);
    }

    /**
     * @return the bridge's keys among {@code config}, arrays as lists: two configurations with equal results run the
     *         same bridge (other properties, such as {@link #SOURCE}, do not change what it does)
     */
    public static Map<String, Object> keysOf(Map<String, ?> config) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : KEYS.keySet()) {
            Object v = config.get(k);
            if (v != null) {
                out.put(k, v.getClass().isArray() || v instanceof Collection ? list(v) : v);
            }
        }
        return out;
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
            throw new Invalid("address", "'" + address + "' is not host:port", address);
        }
        return (tls ? "ssl://" : "tcp://") + host + ":" + port;
    }

    private static int range(Map<String, ?> config, String key, int def, int min, int max) {
        int v = integer(config, key, def);
        if (v < min || v > max) {
            throw new Invalid(key, v + " is not between " + min + " and " + max, null);
        }
        return v;
    }

    private static Path file(Map<String, ?> config, String key) {
        String value = string(config, key);
        if (value.isBlank()) {
            return null;
        }
        Path p = Path.of(value.strip());
        if (!Files.isReadable(p)) {
            throw new Invalid(key, "cannot read " + p.toAbsolutePath(), null);
        }
        return p;
    }

    private static String string(Map<String, ?> config, String key) {
        Object v = config.get(key);
        if (v == null || v instanceof String) {
            return v == null ? "" : (String) v;
        }
        List<String> l = list(v);
        return l.isEmpty() ? "" : l.get(0);
    }

    private static List<String> strings(Map<String, ?> config, String key) {
        Object v = config.get(key);
        return v == null ? List.of() : list(v);
    }

    private static int integer(Map<String, ?> config, String key, int def) {
        Object v = config.get(key);
        if (v instanceof Number n) {
            return n.intValue();
        }
        String s = v == null ? "" : string(config, key).strip();
        if (s.isEmpty()) {
            return def;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new Invalid(key, "'" + s + "' is not a whole number", null);
        }
    }

    private static boolean bool(Map<String, ?> config, String key, boolean def) {
        Object v = config.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v == null ? "" : string(config, key).strip();
        if (s.isEmpty()) {
            return def;
        }
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new Invalid(key, "must be true or false, not '" + s + "'", null);
    }

    /** A String, array or collection as a list of Strings (nulls left out). */
    private static List<String> list(Object v) {
        List<String> out = new ArrayList<>();
        if (v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                Object e = Array.get(v, i);
                if (e != null) {
                    out.add(e.toString());
                }
            }
        } else if (v instanceof Collection<?> c) {
            c.stream().filter(e -> e != null).forEach(e -> out.add(e.toString()));
        } else {
            out.add(v.toString());
        }
        return out;
    }
}
