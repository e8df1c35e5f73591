package io.edgeport.simulator.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.edgeport.commons.mqtt.TopicTemplate;

/**
 * The checked, immutable form of a {@link FleetConfig}. {@link #toString()} never shows the password.
 *
 * @param brokerUrl {@code tcp://host:port}, or empty to use the gateway's broker
 * @param startJitterMs resolved: -1 in the configuration becomes {@code intervalMs}
 */
record FleetSettings(String name, String brokerUrl, int devices, String idPrefix, List<String> locations,
        List<SensorType> types, long intervalMs, int qos, TopicTemplate topic, String username, String password,
        boolean cleanSession, int keepAliveS, double outlierRate, double dropoutRate, int dropoutS,
        long startJitterMs) {

    static final int MAX_DEVICES = 20_000;
    static final long MIN_INTERVAL_MS = 10;
    static final long MAX_INTERVAL_MS = 86_400_000;

    /**
     * Checks every value and reports all problems at once, each naming its configuration key.
     *
     * @throws IllegalArgumentException listing every bad value; the message never contains the password
     */
    static FleetSettings from(FleetConfig c) {
        List<String> problems = new ArrayList<>();
        String name = trim(read("name", c::name, problems));
        if (name != null && !Names.isIdPart(name)) {
            problems.add("name must be 1..64 letters, digits, '-', '_' or '.', not '" + Names.printable(name) + "'");
        }
        String url = trim(read("broker.url", c::broker_url, problems));
        String brokerUrl = "";
        if (url != null && !url.isEmpty()) {
            try {
                brokerUrl = BrokerUrls.normalize(url);
            } catch (IllegalArgumentException e) {
                problems.add("broker.url " + e.getMessage());
            }
        }
        Integer devices = read("devices", c::devices, problems);
        if (devices != null && (devices < 1 || devices > MAX_DEVICES)) {
            problems.add("devices must be 1.." + MAX_DEVICES + ", not " + devices);
        }
        String prefix = read("id.prefix", c::id_prefix, problems);
        prefix = prefix == null ? "" : prefix.trim();
        if (!prefix.isEmpty() && !Names.isIdPart(prefix)) {
            problems.add("id.prefix may hold only letters, digits, '-', '_' and '.' (max 64), not '"
                    + Names.printable(prefix) + "'");
        }
        List<String> locations = new ArrayList<>();
        String[] locs = read("locations", c::locations, problems);
        if (locs == null || locs.length == 0) {
            problems.add("locations must name at least one location");
        } else {
            for (String l : locs) {
                String t = trim(l);
                if (t == null || t.isEmpty() || !TopicTemplate.isValue(t)) {
                    problems.add("locations: '" + Names.printable(l) + "' is not a topic level without + # or $");
                } else {
                    locations.add(t);
                }
            }
        }
        List<SensorType> types = new ArrayList<>();
        String[] ts = read("types", c::types, problems);
        if (ts == null || ts.length == 0) {
            problems.add("types must name at least one of temperature, humidity, pressure");
        } else {
            for (String t : ts) {
                SensorType type = SensorType.byName(trim(t));
                if (type == null) {
                    problems.add("types: unknown type '" + Names.printable(t)
                            + "'; use temperature, humidity, pressure");
                } else {
                    types.add(type);
                }
            }
        }
        Long interval = read("interval.ms", c::interval_ms, problems);
        if (interval != null && (interval < MIN_INTERVAL_MS || interval > MAX_INTERVAL_MS)) {
            problems.add("interval.ms must be " + MIN_INTERVAL_MS + ".." + MAX_INTERVAL_MS + ", not " + interval);
        }
        Integer qos = read("qos", c::qos, problems);
        if (qos != null && (qos < 0 || qos > 2)) {
            problems.add("qos must be 0, 1 or 2, not " + qos);
        }
        TopicTemplate topic = null;
        String tpl = read("topic", c::topic, problems);
        try {
            topic = TopicTemplate.parse(tpl);
            if (!topic.expandable()) {
                problems.add("topic: " + topic + " has {*}, which can only be read, not published to");
                topic = null;
            }
        } catch (IllegalArgumentException e) {
            problems.add("topic: " + e.getMessage());
        }
        String username = trim(read("username", c::username, problems));
        String password = read("password", c::password, problems);
        username = username == null || username.isEmpty() ? null : username;
        password = password == null || password.isEmpty() ? null : password;
        if (password != null && username == null) {
            problems.add("password is set but username is empty (MQTT 3.1.1 sends a password only with a username)");
        }
        Boolean clean = read("clean.session", c::clean_session, problems);
        Integer keepAlive = read("keepalive.s", c::keepalive_s, problems);
        if (keepAlive != null && (keepAlive < 0 || keepAlive > 65_535)) {
            problems.add("keepalive.s must be 0..65535, not " + keepAlive);
        }
        Double outlier = read("fault.outlier.rate", c::fault_outlier_rate, problems);
        if (outlier != null && !(outlier >= 0 && outlier <= 1)) {
            problems.add("fault.outlier.rate must be a probability 0..1, not " + outlier);
        }
        Double dropout = read("fault.dropout.rate", c::fault_dropout_rate, problems);
        if (dropout != null && !(dropout >= 0 && dropout <= 1)) {
            problems.add("fault.dropout.rate must be a probability 0..1 (per device and minute), not " + dropout);
        }
        Integer dropoutS = read("fault.dropout.s", c::fault_dropout_s, problems);
        if (dropoutS != null && (dropoutS < 0 || dropoutS > 86_400)) {
            problems.add("fault.dropout.s must be 0..86400, not " + dropoutS);
        }
        Long jitter = read("start.jitter.ms", c::start_jitter_ms, problems);
        if (jitter != null && (jitter < -1 || jitter > 3_600_000)) {
            problems.add("start.jitter.ms must be -1 (= interval.ms) or 0..3600000, not " + jitter);
        }
        if (topic != null) {
            for (String l : locations) {
                try {
                    topic.expand(l, "type", "device"); // several {location} levels take a location with as many parts
                } catch (IllegalArgumentException e) {
                    problems.add("locations: " + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new FleetSettings(name, brokerUrl, devices, prefix, List.copyOf(locations), List.copyOf(types),
                interval, qos, topic, username, password, clean, keepAlive, outlier, dropout, dropoutS,
                jitter == -1 ? interval : jitter);
    }

    private static <T> T read(String key, Supplier<T> value, List<String> problems) {
        try {
            return value.get();
        } catch (RuntimeException e) {
            // DS converts the configured value on access; a value of the wrong type ends up here.
            problems.add(key + " has a value that cannot be read (" + e.getMessage() + ")");
            return null;
        }
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    /** Stable device id of device {@code index} (0-based): {@code <prefix><name>-<type>-<nnnn>} from 0001. */
    String deviceId(int index) {
        return idPrefix + name + "-" + typeOf(index).id() + "-" + String.format("%04d", index + 1);
    }

    /** Types go round-robin; locations change once per round of types, so every location gets every type. */
    SensorType typeOf(int index) {
        return types.get(index % types.size());
    }

    String locationOf(int index) {
        return locations.get((index / types.size()) % locations.size());
    }

    @Override
    public String toString() {
        return "name=" + name + ", broker.url=" + (brokerUrl.isEmpty() ? "(gateway broker)" : brokerUrl)
                + ", devices=" + devices + ", id.prefix=" + idPrefix + ", locations=" + locations + ", types="
                + types.stream().map(SensorType::id).toList() + ", interval.ms=" + intervalMs + ", qos=" + qos
                + ", topic=" + topic + ", username=" + (username == null ? "(none)" : username) + ", password="
                + (password == null ? "(none)" : "(set)") + ", clean.session=" + cleanSession + ", keepalive.s="
                + keepAliveS + ", fault.outlier.rate=" + outlierRate + ", fault.dropout.rate=" + dropoutRate
                + ", fault.dropout.s=" + dropoutS + ", start.jitter.ms=" + startJitterMs;
    }
}
