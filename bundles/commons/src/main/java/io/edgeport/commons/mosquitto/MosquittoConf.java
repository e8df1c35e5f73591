package io.edgeport.commons.mosquitto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A mosquitto.conf as Mosquitto 2.0 reads it: one {@code key value...} per line, {@code #} comments at the start of a
 * line, {@code include_dir} read in place (its {@code *.conf} files in alphabetical order), {@code listener} starting a
 * block of listener settings and {@code connection} a bridge section. Keeps every line's file and line number, so that
 * whoever maps a key can say {@code file:line: reason}. Reading only; what a key means is for the bundle that owns it.
 */
public final class MosquittoConf {

    /**
     * One setting line.
     *
     * @param file the file it is in
     * @param number its line number (1-based)
     * @param key the first word
     * @param args the following words (Mosquitto splits on blanks; no quoting)
     */
    public record Line(Path file, int number, String key, List<String> args) {

        /** @return {@code file:line}, for messages */
        public String where() {
            return file + ":" + number;
        }

        /** @return the words after the key, joined by one space ("" when none) */
        public String value() {
            return String.join(" ", args);
        }

        @Override
        public String toString() {
            return where() + ": " + key + (args.isEmpty() ? "" : " " + value());
        }
    }

    /**
     * A {@code listener port [address]} block: the lines after it until the next {@code listener} or
     * {@code connection}, in order.
     */
    public record Listener(Line at, int port, String address, List<Line> lines) {

        /** @return the last line of {@code key} in this block, or null */
        public Line get(String key) {
            Line found = null;
            for (Line l : lines) {
                if (l.key().equals(key)) {
                    found = l;
                }
            }
            return found;
        }
    }

    /**
     * A {@code connection name} bridge section: the bridge settings ({@link #BRIDGE_KEYS}) after it until the next
     * {@code connection} or {@code listener}. Other keys there are what they are elsewhere (global or the last
     * listener's), as in Mosquitto.
     */
    public record Bridge(Line at, String name, List<Line> lines) {
    }

    /** A file that cannot be used: {@link #getMessage()} is {@code file:line: reason}. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        public Invalid(String message) {
            super(message);
        }
    }

    /**
     * Keys that only mean something inside a listener block (Mosquitto: "listener specific"); others there are global
     * unless {@code per_listener_settings true}.
     */
    public static final Set<String> LISTENER_KEYS = Set.of("protocol", "cafile", "capath", "certfile", "keyfile",
            "require_certificate", "use_identity_as_username", "use_subject_as_username", "tls_version", "ciphers",
            "ciphers_tls1.3", "crlfile", "dhparamfile", "http_dir", "socket_domain", "bind_interface", "mount_point",
            "psk_hint", "use_username_as_clientid", "websockets_log_level", "websockets_headers_size",
            "max_topic_alias", "certfile_protected");

    /**
     * Mosquitto 2.0's bridge settings (mosquitto.conf(5), "Configuring Bridges", with the old names {@code addresses},
     * {@code clientid}, {@code username}, {@code password}): inside a {@code connection} section they are the
     * bridge's. Every other key there is global, as in Mosquitto ({@code max_inflight_messages} too).
     */
    public static final Set<String> BRIDGE_KEYS = Set.of("address", "addresses", "bridge_alpn",
            "bridge_attempt_unsubscribe", "bridge_bind_address", "bridge_cafile", "bridge_capath", "bridge_certfile",
            "bridge_identity", "bridge_insecure", "bridge_keyfile", "bridge_max_packet_size", "bridge_outgoing_retain",
            "bridge_protocol_version", "bridge_psk", "bridge_require_ocsp", "bridge_tls_version", "cleansession",
            "idle_timeout", "keepalive_interval", "local_cleansession", "local_clientid", "local_password",
            "local_username", "notification_topic", "notifications", "notifications_local_only", "remote_clientid",
            "remote_password", "remote_username", "restart_timeout", "round_robin", "start_type", "threshold",
            "topic", "try_private", "clientid", "username", "password");

    private final List<Line> lines;
    private final List<Line> global;
    private final List<Listener> listeners;
    private final List<Bridge> bridges;

    private MosquittoConf(List<Line> lines, List<Line> global, List<Listener> listeners, List<Bridge> bridges) {
        this.lines = lines;
        this.global = global;
        this.listeners = listeners;
        this.bridges = bridges;
    }

    /** @return every line, in the order Mosquitto reads them (include_dir files in place) */
    public List<Line> lines() {
        return lines;
    }

    /** @return the lines outside listener blocks and bridge sections, and global keys inside listener blocks */
    public List<Line> global() {
        return global;
    }

    public List<Listener> listeners() {
        return listeners;
    }

    public List<Bridge> bridges() {
        return bridges;
    }

    /** @return the last global line of {@code key} (Mosquitto: the last one wins), or null */
    public Line get(String key) {
        Line found = null;
        for (Line l : global) {
            if (l.key().equals(key)) {
                found = l;
            }
        }
        return found;
    }

    /** @return every global line of {@code key} (for keys that add up, such as log_type) */
    public List<Line> all(String key) {
        return global.stream().filter(l -> l.key().equals(key)).toList();
    }

    /**
     * Reads {@code file} and the files its {@code include_dir} lines name.
     *
     * @throws Invalid when a file cannot be read, a listener line has no valid port, or a section line has no name
     */
    public static MosquittoConf read(Path file) throws Invalid {
        List<Line> all = new ArrayList<>();
        readInto(file.toAbsolutePath().normalize(), all, 0);
        List<Line> global = new ArrayList<>();
        List<Listener> listeners = new ArrayList<>();
        List<Bridge> bridges = new ArrayList<>();
        List<Line> listener = null;
        List<Line> bridge = null;
        boolean perListener = perListener(all);
        for (Line l : all) {
            switch (l.key()) {
                case "listener" -> {
                    if (l.args().isEmpty() || l.args().size() > 2) {
                        throw new Invalid(l.where() + ": listener needs a port and at most an address");
                    }
                    int port = port(l, l.args().get(0));
                    listener = new ArrayList<>();
                    bridge = null;
                    listeners.add(new Listener(l, port, l.args().size() > 1 ? l.args().get(1) : null,
                            Collections.unmodifiableList(listener)));
                }
                case "connection" -> {
                    if (l.args().size() != 1) {
                        throw new Invalid(l.where() + ": connection needs one name");
                    }
                    bridge = new ArrayList<>();
                    bridges.add(new Bridge(l, l.args().get(0), Collections.unmodifiableList(bridge)));
                }
                default -> {
                    if (bridge != null && BRIDGE_KEYS.contains(l.key())) {
                        bridge.add(l);
                    } else if (listener != null && (LISTENER_KEYS.contains(l.key()) || perListener)) {
                        listener.add(l); // Mosquitto: the last listener's, also after a bridge section
                    } else {
                        global.add(l);
                    }
                }
            }
        }
        return new MosquittoConf(List.copyOf(all), List.copyOf(global), List.copyOf(listeners), List.copyOf(bridges));
    }

    /** With {@code per_listener_settings true} every key in a listener block is that listener's. */
    private static boolean perListener(List<Line> all) {
        boolean on = false;
        for (Line l : all) {
            if (l.key().equals("per_listener_settings")) {
                on = l.value().equals("true");
            }
        }
        return on;
    }

    private static int port(Line l, String text) throws Invalid {
        try {
            int p = Integer.parseInt(text);
            if (p >= 0 && p <= 65_535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new Invalid(l.where() + ": '" + text + "' is not a port (0-65535)");
    }

    private static void readInto(Path file, List<Line> out, int depth) throws Invalid {
        if (depth > 8) {
            throw new Invalid(file + ": include_dir nested more than 8 deep");
        }
        List<String> text;
        try {
            text = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Invalid(file + ": cannot read (" + e.getMessage() + ")");
        }
        for (int i = 0; i < text.size(); i++) {
            String s = text.get(i).strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] words = s.split("\\s+");
            Line l = new Line(file, i + 1, words[0], List.of(words).subList(1, words.length));
            if (l.key().equals("include_dir")) {
                if (l.args().isEmpty()) {
                    throw new Invalid(l.where() + ": include_dir needs a directory");
                }
                Path dir = file.resolveSibling(l.value()).normalize();
                if (!Files.isDirectory(dir)) {
                    throw new Invalid(l.where() + ": include_dir " + dir + " is not a directory");
                }
                List<Path> files;
                try (Stream<Path> list = Files.list(dir)) {
                    files = list.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
                } catch (IOException e) {
                    throw new Invalid(l.where() + ": cannot list " + dir + " (" + e.getMessage() + ")");
                }
                for (Path f : files) {
                    readInto(f, out, depth + 1);
                }
                continue;
            }
            out.add(l);
        }
    }

    /** @return the lines per key, the last one of each (for tests and overviews) */
    public Map<String, Line> lastByKey() {
        Map<String, Line> out = new LinkedHashMap<>();
        global.forEach(l -> out.put(l.key(), l));
        return out;
    }
}
