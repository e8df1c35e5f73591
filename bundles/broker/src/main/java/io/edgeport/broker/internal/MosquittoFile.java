package io.edgeport.broker.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.edgeport.commons.mosquitto.MosquittoConf;
import io.edgeport.commons.mosquitto.MosquittoConf.Line;
import io.edgeport.commons.mosquitto.MosquittoConf.Listener;

/**
 * The broker's settings from a mosquitto.conf (framework property {@value #PROPERTY}, {@code edgeport -c FILE}): its
 * listeners, limits, persistence and anonymous access become broker keys, shown in the console as coming from
 * {@code file:line}; the file wins over the console for them (a console edit of such a key is dropped and logged;
 * the command line still wins over the file). {@code password_file} and {@code acl_file} are applied by the runtime
 * to the security providers, bridge sections ({@code connection}) by the bridge feature. Every other line is reported
 * once, {@code file:line: ...}: accepted and explained, or not supported; none is ignored silently.
 */
final class MosquittoFile {

    static final String PROPERTY = "edgeport.config";

    /** A broker key's value from the file and the line it comes from. */
    record Value(String text, Line line) {
    }

    private final Path path;
    private final Map<String, Value> values;
    private final List<String> notes;

    private MosquittoFile(Path path, Map<String, Value> values, List<String> notes) {
        this.path = path;
        this.values = values;
        this.notes = notes;
    }

    Path path() {
        return path;
    }

    /** @return broker key → value from the file */
    Map<String, Value> values() {
        return values;
    }

    /** @return one line per setting that is accepted with an explanation, or not supported ({@code file:line: ...}) */
    List<String> notes() {
        return notes;
    }

    /** Broker keys that map one to one (Mosquitto's name is Edgeport's). */
    private static final Set<String> SAME = Set.of("max_connections", "max_keepalive", "message_size_limit",
            "max_inflight_messages", "max_queued_messages", "sys_interval", "autosave_interval",
            "persistence_location");
    /** Applied elsewhere: the runtime (security files), the bridge feature (its sections). */
    private static final Set<String> ELSEWHERE = Set.of("password_file", "acl_file", "per_listener_settings");
    /** Accepted: what Edgeport does anyway, or where the setting is Edgeport's own business. */
    private static final Map<String, String> EXPLAINED = Map.of(
            "log_dest", "Edgeport logs to standard output (the journal under systemd)",
            "log_type", "Edgeport logs errors, warnings and information; set levels with"
                    + " -Dorg.slf4j.simpleLogger.defaultLogLevel",
            "log_timestamp", "Edgeport's log lines carry milliseconds since the start; the journal adds the time",
            "user", "Edgeport runs as the user that starts it (the Debian package: edgeport)",
            "pid_file", "systemd knows the process; no pid file is written",
            "max_queued_bytes", "only 0 (no limit) is supported; the queue is bounded by max_queued_messages");

    /**
     * @throws MosquittoConf.Invalid for a file that cannot be read or a setting Edgeport cannot honour in a way that
     *         would change what clients get (a second listener of a kind, listeners on different addresses, ...)
     */
    static MosquittoFile read(Path file) throws MosquittoConf.Invalid {
        MosquittoConf conf = MosquittoConf.read(file);
        Map<String, Value> out = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        java.util.Set<String> explained = new java.util.HashSet<>();
        listeners(conf, out);
        for (Line l : conf.global()) {
            String k = l.key();
            if (SAME.contains(k)) {
                out.put(k, new Value(number(l, k.equals("persistence_location")), l));
            } else if (k.equals("allow_anonymous") || k.equals("persistence")) {
                out.put(k, new Value(bool(l), l));
            } else if (k.equals("per_listener_settings") && l.value().equals("true")) {
                throw new MosquittoConf.Invalid(l.where() + ": per_listener_settings true is not supported: Edgeport"
                        + " has one set of security settings for all listeners");
            } else if (ELSEWHERE.contains(k)) {
                continue;
            } else if (EXPLAINED.containsKey(k)) {
                if (k.equals("max_queued_bytes") && !l.value().equals("0")) {
                    notes.add(l.where() + ": max_queued_bytes " + l.value() + " not supported ("
                            + EXPLAINED.get(k) + ")");
                } else if (explained.add(k)) { // once per key (log_type comes in several lines)
                    notes.add(l.where() + ": " + k + " accepted (" + EXPLAINED.get(k) + ")");
                }
            } else {
                notes.add(l.where() + ": '" + k + "' not supported"
                        + (k.matches("[a-z_0-9.]+") ? "" : " (not a Mosquitto setting)") + "; ignored");
            }
        }
        // Bridge sections (connection): the runtime writes each as configuration io.edgeport.bridge~NAME and reports
        // it, its unsupported keys and a missing bridge feature itself (io.edgeport.runtime FileBridges).
        return new MosquittoFile(file, out, List.copyOf(notes));
    }

    private static void listeners(MosquittoConf conf, Map<String, Value> out) throws MosquittoConf.Invalid {
        Map<String, Listener> kinds = new LinkedHashMap<>();
        String address = null;
        Line addressLine = null;
        Listener firstTls = null;
        for (Listener l : conf.listeners()) {
            Line protocol = l.get("protocol");
            String p = protocol == null ? "mqtt" : protocol.value();
            if (!p.equals("mqtt") && !p.equals("websockets")) {
                throw new MosquittoConf.Invalid(protocol.where() + ": protocol must be mqtt or websockets");
            }
            boolean tls = l.get("certfile") != null || l.get("keyfile") != null;
            String kind = p + (tls ? "+TLS" : "");
            Listener before = kinds.putIfAbsent(kind, l);
            if (before != null) {
                throw new MosquittoConf.Invalid(l.at().where() + ": a second " + kind + " listener (the first is at "
                        + before.at().where() + "); Edgeport has one listener of each kind: mqtt, mqtt+TLS,"
                        + " websockets, websockets+TLS");
            }
            String a = l.address() == null ? "0.0.0.0" : l.address();
            if (address == null) {
                address = a;
                addressLine = l.at();
            } else if (!address.equals(a)) {
                throw new MosquittoConf.Invalid(l.at().where() + ": listens on " + a + ", the listener at "
                        + addressLine.where() + " on " + address + "; Edgeport binds all listeners to one address");
            }
            String key = switch (kind) {
                case "mqtt" -> "port";
                case "mqtt+TLS" -> "tls_port";
                case "websockets" -> "websocket_port";
                default -> "wss_port";
            };
            out.put(key, new Value(Integer.toString(l.port()), l.at()));
            if (tls) {
                tlsSettings(l, firstTls, out);
                firstTls = firstTls == null ? l : firstTls;
            } else if (l.get("cafile") != null || l.get("require_certificate") != null) {
                throw new MosquittoConf.Invalid(l.at().where() + ": cafile/require_certificate without certfile and"
                        + " keyfile: this listener would not use TLS");
            }
        }
        if (address != null) {
            out.put("bind_address", new Value(address, addressLine));
        }
        if (!conf.listeners().isEmpty() && !kinds.containsKey("mqtt")) {
            out.put("port", new Value("0", conf.listeners().get(0).at())); // only the listeners the file names
        }
    }

    private static final List<String> TLS_KEYS = List.of("cafile", "certfile", "keyfile", "require_certificate",
            "use_identity_as_username", "use_subject_as_username");

    private static void tlsSettings(Listener l, Listener first, Map<String, Value> out)
            throws MosquittoConf.Invalid {
        for (String k : TLS_KEYS) {
            Line line = l.get(k);
            String v = line == null ? null : k.startsWith("use_") || k.startsWith("require") ? bool(line)
                    : line.value();
            if (first != null) {
                Line was = first.get(k);
                String before = was == null ? null : k.startsWith("use_") || k.startsWith("require") ? bool(was)
                        : was.value();
                if (!java.util.Objects.equals(before, v)) {
                    throw new MosquittoConf.Invalid(l.at().where() + ": " + k + " differs from the TLS listener at "
                            + first.at().where() + "; Edgeport's TLS listeners share one certificate setup");
                }
            } else if (line != null) {
                out.put(k, new Value(v, line));
            }
        }
        Line version = l.get("tls_version");
        if (version != null && !version.value().equals("tlsv1.2") && !version.value().equals("tlsv1.3")) {
            throw new MosquittoConf.Invalid(version.where() + ": tls_version " + version.value() + " is not"
                    + " supported: Edgeport speaks TLS 1.2 and 1.3 only");
        }
    }

    private static String bool(Line l) throws MosquittoConf.Invalid {
        if (l.value().equals("true") || l.value().equals("false")) {
            return l.value();
        }
        throw new MosquittoConf.Invalid(l.where() + ": " + l.key() + " must be true or false, not '" + l.value() + "'");
    }

    private static String number(Line l, boolean text) throws MosquittoConf.Invalid {
        if (l.args().isEmpty()) {
            throw new MosquittoConf.Invalid(l.where() + ": " + l.key() + " needs a value");
        }
        if (text) {
            return l.value();
        }
        try {
            Long.parseLong(l.value());
            return l.value();
        } catch (NumberFormatException e) {
            throw new MosquittoConf.Invalid(l.where() + ": " + l.key() + " must be a whole number, not '" + l.value()
                    + "'");
        }
    }
}
