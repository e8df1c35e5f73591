package io.edgeport.alerting.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start of the alerting bundle in a data directory: creates the seed's rules as factory configurations
 * (temperature -10..50 °C, humidity 0..100 %, pressure 800..1200 hPa, offline, stale), once (a marker file in
 * {@code edgeport.data} remembers it), so an operator who changes or deletes them keeps that across restarts.
 * Configurations that exist already are left alone.
 */
@Component(immediate = true)
public final class DefaultRules {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultRules.class);
    static final String MARKER = ".edgeport-defaults-alerting";

    /** name → properties of each default rule. */
    static final List<Map<String, Object>> RULES = List.of(
            Map.of("name", "temperature", "type", "threshold", "measurement", "temperature", "min", "-10", "max",
                    "50", "hysteresis", 1.0, "severity", "major"),
            Map.of("name", "humidity", "type", "threshold", "measurement", "humidity", "min", "0", "max", "100",
                    "hysteresis", 2.0, "severity", "minor"),
            Map.of("name", "pressure", "type", "threshold", "measurement", "pressure", "min", "800", "max", "1200",
                    "hysteresis", 5.0, "severity", "minor"),
            Map.of("name", "offline", "type", "offline", "severity", "major"),
            Map.of("name", "stale", "type", "stale", "stale.seconds", 300L, "severity", "warning"));

    @Activate
    public DefaultRules(BundleContext context, @Reference ConfigurationAdmin configAdmin) throws IOException {
        String data = context.getProperty("edgeport.data");
        Path dir = Path.of(data == null || data.isBlank() ? "data" : data).toAbsolutePath();
        create(configAdmin, dir);
    }

    static void create(ConfigurationAdmin ca, Path dir) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (Files.exists(marker)) {
            return;
        }
        Files.createDirectories(dir);
        for (Map<String, Object> rule : RULES) {
            Configuration c = ca.getFactoryConfiguration(RuleConfig.PID, (String) rule.get("name"), "?");
            if (c.getProperties() == null) {
                Dictionary<String, Object> props = new Hashtable<>(rule);
                c.update(props);
            }
        }
        Files.writeString(marker, "Default alarm rules created; delete this file to have them created again.\n",
                StandardCharsets.UTF_8);
        LOG.info("First start: default alarm rules created (temperature -10..50, humidity 0..100, pressure"
                + " 800..1200, offline, stale 300 s); edit them under Configuration > Edgeport alarm rule");
    }
}
