package io.edgeport.runtime.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start of a gateway: creates the default security realm, a Mosquitto-style password file (empty) and acl_file
 * (everything allowed, like Mosquitto without an acl_file) in the data directory, and the factory configurations that
 * point the password and ACL providers at them. Runs once per data directory (a marker file remembers it), so an
 * operator who deletes or changes these configurations keeps the change across restarts. Existing files are never
 * overwritten.
 */
@Component(immediate = true)
public final class DefaultConfigurations {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultConfigurations.class);
    static final String MARKER = ".edgeport-defaults";
    static final String PASSWD_PID = "io.edgeport.auth.passwd";
    static final String ACL_PID = "io.edgeport.auth.acl";
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
        String data = context.getProperty("edgeport.data");
        Path dir = Path.of(data == null || data.isBlank() ? "data" : data).toAbsolutePath();
        Path marker = dir.resolve(MARKER);
        if (Files.exists(marker)) {
            return;
        }
        Files.createDirectories(dir);
        createOwnerOnly(dir.resolve("passwd"), "");
        createOwnerOnly(dir.resolve("acl"), DEFAULT_ACL);
        factory(configAdmin, PASSWD_PID);
        factory(configAdmin, ACL_PID);
        Files.writeString(marker, "Default security realm created; delete this file to have it created again.\n",
                StandardCharsets.UTF_8);
        LOG.info("First start: password file {} (empty; add users with mosquitto_passwd or the console) and acl_file"
                + " {} (allows everything) are active", dir.resolve("passwd"), dir.resolve("acl"));
    }

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
