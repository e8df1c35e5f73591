package io.edgeport.runtime.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.commons.bridge.BridgeSettings;
import io.edgeport.commons.mosquitto.MosquittoConf;
import io.edgeport.commons.mosquitto.MosquittoConf.Invalid;
import io.edgeport.commons.mosquitto.MosquittoConf.Line;

/**
 * The bridge sections ({@code connection NAME}) of the mosquitto.conf the gateway starts with become factory
 * configurations {@value #FACTORY_PID} named after the connection ({@code io.edgeport.bridge~NAME}), at every start:
 * the file wins. Each carries {@link BridgeSettings#SOURCE} = {@code file:line} of its {@code connection} line, is
 * written only when its values changed (the bridge is not restarted for nothing) and is deleted once its section is
 * gone from the file. Configurations without that property (made in the console) are never touched; a file section
 * whose name one of them already uses is not applied (one WARN line).
 *
 * <p>Bad input: a key the bridge does not support gives one WARN line {@code file:line: 'key' not supported in a
 * bridge}; a value the bridge would refuse ({@link BridgeSettings#from}) refuses the start like every other line
 * Edgeport cannot honour ({@link Invalid}: {@code file:line: key: reason}), before any configuration is written. The
 * configurations are written whether or not the bridge feature is installed (ConfigAdmin keeps them for it); when it
 * is not, one INFO line says how to install it. Called from DefaultConfigurations' constructor (one thread).
 */
final class FileBridges {

    static final String FACTORY_PID = "io.edgeport.bridge";
    static final String BRIDGE_BUNDLE = "io.edgeport.bridge";
    private static final Logger LOG = LoggerFactory.getLogger(FileBridges.class);

    /** Mosquitto's older names of bridge keys. */
    static final Map<String, String> ALIASES = Map.of("addresses", "address", "clientid", "remote_clientid",
            "username", "remote_username", "password", "remote_password");
    /** Mosquitto bridge settings accepted with the one value that is what Edgeport's bridge does. */
    static final Map<String, String> AS_EDGEPORT = Map.of("bridge_protocol_version", "mqttv311", "round_robin",
            "false", "start_type", "automatic");
    private static final Set<String> FILES = Set.of("bridge_cafile", "bridge_certfile", "bridge_keyfile");

    private FileBridges() {
    }

    /**
     * One section as the configuration it becomes.
     *
     * @param properties the configuration's properties (Mosquitto's keys in their Metatype types, and the source)
     */
    record Section(String name, Line at, Map<String, Object> properties) {
    }

    /** What a start found and did: lines for the log. */
    static final class Report {
        final List<String> info = new ArrayList<>();
        final List<String> warn = new ArrayList<>();
    }

    /**
     * Checks and syncs the file's bridges, logs what it did and, after the start, whether the feature is missing.
     *
     * @return what to close when the component goes (the wait for the end of the start), or null
     * @throws IOException naming {@code file:line} when a section cannot be honoured; the gateway is then stopping
     *         with exit status 78, as for the broker's settings. A failure of ConfigAdmin itself is logged, not thrown:
     *         the default configurations and MQTT clients do not wait on the bridges.
     */
    static WhenStarted apply(BundleContext context, ConfigurationAdmin ca, MosquittoConf conf, Path file)
            throws IOException {
        Report report = new Report();
        List<Section> sections;
        try {
            sections = map(conf, report);
        } catch (Invalid e) {
            // As BrokerComponent does for its settings: refuse to start (EX_CONFIG), systemd shows the line.
            LOG.error("{} (the gateway stops: fix the file)", e.getMessage());
            new Thread(() -> System.exit(78), "edgeport-invalid-config").start();
            throw new IOException(e.getMessage(), e);
        }
        try {
            sync(ca, file, sections, report);
        } catch (IOException | RuntimeException e) {
            // ConfigAdmin failing: the rest of the start (and MQTT clients, who wait for it) goes on without them.
            report.warn.forEach(LOG::warn);
            LOG.error("Bridges from {} not applied: {}", file, e.toString(), e);
            return null;
        }
        report.warn.forEach(LOG::warn);
        report.info.forEach(LOG::info);
        if (sections.isEmpty()) {
            return null;
        }
        List<String> names = sections.stream().map(Section::name).toList();
        LOG.info("Bridges from {}: {}", file, String.join(", ", names));
        return WhenStarted.run(context, () -> {
            if (installed(context, BRIDGE_BUNDLE)) {
                return;
            }
            LOG.info("{}: bridge(s) {} are configured ({}) and wait for the bridge feature: {}", file,
                    String.join(", ", names), FACTORY_PID, installed(context, "io.edgeport.features")
                            ? "feature:install bridge (Gogo, or Edgeport > Plugins in the console)"
                            : "this runtime has no feature manager (broker.jar): use gateway.jar for bridges");
        });
    }

    private static boolean installed(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return true;
            }
        }
        return false;
    }

    /** @throws Invalid for a section the bridge would refuse, or a name used by two sections */
    static List<Section> map(MosquittoConf conf, Report report) throws Invalid {
        Map<String, Line> seen = new HashMap<>();
        List<Section> out = new ArrayList<>();
        for (MosquittoConf.Bridge b : conf.bridges()) {
            Line first = seen.putIfAbsent(b.name(), b.at());
            if (first != null) {
                throw new Invalid(b.at().where() + ": a second bridge '" + b.name() + "' (the first is at "
                        + first.where() + ")");
            }
            out.add(map(b, report));
        }
        return out;
    }

    /**
     * A section as a configuration: each supported line's value in its Metatype type (several {@code address} and
     * {@code topic} lines add up; for other keys the last line wins), TLS files as absolute paths (relative ones are
     * relative to the gateway's working directory, as for Mosquitto), and {@link BridgeSettings#SOURCE}.
     *
     * @throws Invalid {@code file:line: reason} for the line the bridge would refuse
     */
    static Section map(MosquittoConf.Bridge b, Report report) throws Invalid {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("connection", b.name());
        List<String> addresses = new ArrayList<>();
        List<String> topics = new ArrayList<>();
        for (Line l : b.lines()) {
            String key = ALIASES.getOrDefault(l.key(), l.key());
            Class<?> type = BridgeSettings.KEYS.get(key);
            if (type == null) {
                String same = AS_EDGEPORT.get(key);
                if (same != null && same.equals(l.value())) {
                    report.info.add(l.where() + ": " + key + " " + same + " accepted (what Edgeport's bridge does)");
                } else {
                    report.warn.add(l.where() + ": '" + l.key() + "' not supported in a bridge");
                }
                continue;
            }
            if (l.args().isEmpty()) {
                throw new Invalid(l.where() + ": " + l.key() + " needs a value");
            }
            if (key.equals("address")) {
                addresses.addAll(l.args());
            } else if (key.equals("topic")) {
                topics.add(l.value());
            } else if (type == Integer.class) {
                p.put(key, integer(l, report));
            } else if (type == Boolean.class) {
                p.put(key, bool(l));
            } else {
                p.put(key, FILES.contains(key) ? Path.of(l.value()).toAbsolutePath().toString() : l.value());
            }
        }
        if (!addresses.isEmpty()) {
            p.put("address", addresses.toArray(String[]::new));
        }
        if (!topics.isEmpty()) {
            p.put("topic", topics.toArray(String[]::new));
        }
        p.put(BridgeSettings.SOURCE, b.at().where());
        try {
            BridgeSettings.from(p, "localhost"); // the host name only makes the default client id
        } catch (BridgeSettings.Invalid e) {
            throw new Invalid(lineOf(b, e).where() + ": " + e.getMessage());
        }
        return new Section(b.name(), b.at(), Collections.unmodifiableMap(p));
    }

    /** The line at fault: the last one of the key (holding the entry at fault), else the connection line. */
    private static Line lineOf(MosquittoConf.Bridge b, BridgeSettings.Invalid e) {
        Line found = b.at();
        for (Line l : b.lines()) {
            if (ALIASES.getOrDefault(l.key(), l.key()).equals(e.key())
                    && (e.value() == null || l.value().contains(e.value()))) {
                found = l;
            }
        }
        return found;
    }

    /** Mosquitto's {@code restart_timeout base cap}: Edgeport waits {@code base} between attempts (no backoff). */
    private static Integer integer(Line l, Report report) throws Invalid {
        boolean baseAndCap = l.key().equals("restart_timeout") && l.args().size() == 2;
        String text = baseAndCap ? l.args().get(0) : l.value();
        try {
            int v = Integer.parseInt(text);
            if (baseAndCap) {
                Integer.parseInt(l.args().get(1));
                report.info.add(l.where() + ": restart_timeout " + l.value() + " accepted as " + v + " (Edgeport"
                        + " waits the same time before every attempt, without backoff)");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new Invalid(l.where() + ": " + l.key() + " must be a whole number, not '" + l.value() + "'");
        }
    }

    private static Boolean bool(Line l) throws Invalid {
        if (l.value().equals("true") || l.value().equals("false")) {
            return Boolean.valueOf(l.value());
        }
        throw new Invalid(l.where() + ": " + l.key() + " must be true or false, not '" + l.value() + "'");
    }

    /**
     * Writes the sections into ConfigAdmin and deletes the configurations of sections that are gone.
     *
     * @param file the mosquitto.conf, for log lines
     */
    static void sync(ConfigurationAdmin ca, Path file, List<Section> sections, Report report) throws IOException {
        Configuration[] listed;
        try {
            listed = ca.listConfigurations("(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + FACTORY_PID + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // a constant filter
        }
        List<Configuration> existing = listed == null ? List.of() : List.of(listed);
        Set<String> written = new HashSet<>();
        for (Section s : sections) {
            Configuration c = ca.getFactoryConfiguration(FACTORY_PID, s.name(), "?");
            Dictionary<String, Object> now = c.getProperties();
            Configuration other = now != null && !fromFile(now) ? c : null;
            for (Configuration e : existing) {
                Dictionary<String, Object> ep = e.getProperties();
                if (other == null && ep != null && !fromFile(ep) && s.name().equals(ep.get("connection"))) {
                    other = e;
                }
            }
            if (other != null) {
                report.warn.add(s.at().where() + ": bridge '" + s.name() + "' not applied: configuration "
                        + other.getPid() + " (made in the console) is a bridge of that name; delete it there or"
                        + " rename one of them");
                continue;
            }
            written.add(c.getPid());
            if (now == null || !same(now, s.properties())) {
                c.update(new Hashtable<>(s.properties()));
                report.info.add(s.at().where() + ": bridge '" + s.name() + "' " + (now == null ? "configured" : "updated")
                        + " (configuration " + c.getPid() + ")");
            }
        }
        for (Configuration c : existing) {
            Dictionary<String, Object> props = c.getProperties();
            String pid = c.getPid(); // not to be asked once deleted
            if (props != null && fromFile(props) && !written.contains(pid)) {
                c.delete();
                report.info.add(props.get(BridgeSettings.SOURCE) + ": bridge '" + props.get("connection")
                        + "' is no longer in " + file + ": configuration " + pid + " deleted");
            }
        }
    }

    /** Made from a mosquitto.conf: it has a non-blank {@link BridgeSettings#SOURCE} (the console may store ""). */
    static boolean fromFile(Dictionary<String, Object> props) {
        Object source = props.get(BridgeSettings.SOURCE);
        return source != null && !source.toString().isBlank();
    }

    /** Same bridge settings and same source: writing it would change nothing. */
    private static boolean same(Dictionary<String, Object> now, Map<String, Object> wanted) {
        Map<String, Object> m = new HashMap<>();
        for (String k : Collections.list(now.keys())) {
            m.put(k, now.get(k));
        }
        return BridgeSettings.keysOf(m).equals(BridgeSettings.keysOf(wanted))
                && Objects.equals(now.get(BridgeSettings.SOURCE), wanted.get(BridgeSettings.SOURCE));
    }
}
