package io.edgeport.runtime.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.condition.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.commons.mosquitto.MosquittoConf;
import io.edgeport.commons.osgi.DataDirectory;

/**
 * First start of a gateway: creates the default security realm, a Mosquitto-style password file (empty) and acl_file
 * (everything allowed, like Mosquitto without an acl_file) in the data directory, and the factory configurations that
 * point the password and ACL providers at them. Runs once per data directory (a marker file remembers it), so an
 * operator who deletes or changes these configurations keeps the change across restarts. Existing files are never
 * overwritten. The default telemetry sink is no longer made here: it is a configuration of the telemetry feature
 * (features/telemetry.json), applied by the Configurator when the feature is installed.
 *
 * <p>Once this start's configurations are written it registers the {@link Condition} {@value #CONFIGURED} (by hand, at
 * the end of the constructor: Declarative Services would register a component's service before it is constructed): the
 * broker's {@code startup_signal} in the gateway and broker profiles, so that MQTT clients are admitted as soon as the
 * security providers configured now are in place, without waiting for the console, telemetry or alarms to start.
 *
 * <p>With a mosquitto.conf ({@value #CONFIG_PROPERTY}) it also applies the file's {@code password_file} and
 * {@code acl_file} and its bridge sections ({@link FileBridges}), at every start.
 */
@Component(immediate = true)
public final class DefaultConfigurations {

    /** {@code osgi.condition.id} of this component's service: the default configurations of this start are written. */
    public static final String CONFIGURED = "edgeport.configured";
    private final ServiceRegistration<Condition> configured;

    private static final Logger LOG = LoggerFactory.getLogger(DefaultConfigurations.class);
    static final String MARKER = ".edgeport-defaults";
    static final String PASSWD_PID = "io.edgeport.auth.passwd";
    static final String ACL_PID = "io.edgeport.auth.acl";
    static final String FLEET_PID = "io.edgeport.simulator.fleet";
    static final String DEMO_DEVICES = "edgeport.demo.devices";
    static final String DEFAULT_ACL = """
            # Edgeport's first-start ACL, in Mosquitto's acl_file syntax; saved changes apply within seconds.
            # As shipped it lets every client read and write every topic, like Mosquitto without an acl_file,
            # and read $SYS. Replace it with your own rules, for example:
            #   user sensor_device_01
            #   topic write sensors/+/+/sensor_device_01/#
            #   topic read commands/sensor_device_01/#
            pattern readwrite #
            pattern read $SYS/#
            """;

    @Activate
    public DefaultConfigurations(BundleContext context, @Reference ConfigurationAdmin configAdmin) throws IOException {
        Path dir = DataDirectory.of(context.getProperty(DataDirectory.PROPERTY));
        Files.createDirectories(dir);
        demoFleet(context, configAdmin);
        landingPage(configAdmin);
        Path marker = dir.resolve(MARKER);
        if (!Files.exists(marker)) {
            createOwnerOnly(dir.resolve("passwd"), "");
            createOwnerOnly(dir.resolve("acl"), DEFAULT_ACL);
            factory(configAdmin, PASSWD_PID);
            factory(configAdmin, ACL_PID);
            Files.writeString(marker, "Default security realm created; delete this file to have it created again.\n",
                    StandardCharsets.UTF_8);
            LOG.info("First start: password file {} (empty; add users with mosquitto_passwd or the console) and"
                    + " acl_file {} (allows everything) are active", dir.resolve("passwd"), dir.resolve("acl"));
        }
        MosquittoConf conf = mosquittoConf(context.getProperty(CONFIG_PROPERTY));
        if (conf != null) {
            securityFiles(conf, configAdmin);
            bridges = FileBridges.apply(context, configAdmin, conf, Path.of(context.getProperty(CONFIG_PROPERTY)
                    .strip()).toAbsolutePath().normalize());
        }
        configured = context.registerService(Condition.class, Condition.INSTANCE,
                FrameworkUtil.asDictionary(Map.of(Condition.CONDITION_ID, CONFIGURED)));
    }

    /** The file's bridges wait for the end of the start to say whether their feature is missing (or null). */
    private WhenStarted bridges;

    @Deactivate
    void deactivate() {
        if (bridges != null) {
            bridges.close();
        }
        try {
            configured.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
    }

    /** The mosquitto.conf the gateway is started with (the broker reads its broker settings). */
    static final String CONFIG_PROPERTY = "edgeport.config";

    /** @return the mosquitto.conf the gateway is started with, or null (none, or invalid: the broker reports it) */
    private static MosquittoConf mosquittoConf(String config) {
        if (config == null || config.isBlank()) {
            return null;
        }
        try {
            return MosquittoConf.read(Path.of(config.strip()));
        } catch (MosquittoConf.Invalid e) {
            return null;
        }
    }

    /**
     * The mosquitto.conf's {@code password_file} and {@code acl_file} become the default realm's and ACL's files at
     * every start (the file wins over the console).
     */
    private static void securityFiles(MosquittoConf conf, ConfigurationAdmin ca) throws IOException {
        fileFromConf(ca, PASSWD_PID, "password_file", conf.get("password_file"));
        fileFromConf(ca, ACL_PID, "acl_file", conf.get("acl_file"));
    }

    private static void fileFromConf(ConfigurationAdmin ca, String factoryPid, String key,
                                     MosquittoConf.Line line) throws IOException {
        if (line == null) {
            return;
        }
        Configuration c = ca.getFactoryConfiguration(factoryPid, "default", "?");
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        String path = Path.of(line.value()).toAbsolutePath().toString();
        if (path.equals(props.get(key))) {
            return;
        }
        props.put("realm", "default");
        props.put(key, path);
        c.update(props);
        LOG.info("{} {} from {}", key, path, line.where());
    }

    /**
     * {@code -Dedgeport.demo.devices=N}: a simulated fleet "demo" of N devices (created once, then left to the
     * operator, who may change or delete it in the console).
     */
    private static void demoFleet(BundleContext context, ConfigurationAdmin ca) throws IOException {
        String n = context.getProperty(DEMO_DEVICES);
        if (n == null || n.isBlank()) {
            return;
        }
        int devices;
        try {
            devices = Integer.parseInt(n.trim());
        } catch (NumberFormatException e) {
            LOG.error("{} must be a number of devices, not '{}': no demo fleet", DEMO_DEVICES, n);
            return;
        }
        Configuration c = ca.getFactoryConfiguration(FLEET_PID, "demo", "?");
        if (c.getProperties() == null && devices > 0) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("name", "demo");
            props.put("devices", devices);
            c.update(props);
            LOG.info("Demo fleet of {} simulated devices created (configuration {}~demo)", devices, FLEET_PID);
        }
    }

    /**
     * The console opens on the Edgeport dashboard: the Web Console's own configuration gets {@code default.render}
     * while it has none (an operator's choice of another landing page is kept).
     */
    private static void landingPage(ConfigurationAdmin ca) throws IOException {
        Configuration c = ca.getConfiguration(CONSOLE_PID, "?");
        if (c.getProperties() == null) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("default.render", "dashboard");
            c.update(props);
        }
    }

    static final String CONSOLE_PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";

    private static void factory(ConfigurationAdmin ca, String factoryPid) throws IOException {
        Configuration c = ca.getFactoryConfiguration(factoryPid, "default", "?");
        if (c.getProperties() == null) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("realm", "default");
            c.update(props);
        }
    }

    private static void createOwnerOnly(Path file, String content) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            return;
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
