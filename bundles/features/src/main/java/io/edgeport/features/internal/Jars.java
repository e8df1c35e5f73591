package io.edgeport.features.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Version;

/** Reading the identity of a bundle jar, and writing the small bundle that carries a feature's configurations. */
final class Jars {

    private Jars() {
    }

    /** A bundle's identity, from its manifest. */
    record Identity(String symbolicName, Version version) {
        @Override
        public String toString() {
            return symbolicName + " " + version;
        }
    }

    /**
     * @param what the file's name, for the message
     * @throws IllegalArgumentException saying why the bytes are not an OSGi bundle
     */
    static Identity identity(String what, byte[] jar) {
        Manifest m;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            m = in.getManifest();
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " is not a jar: " + FeatureFile.firstLine(e));
        }
        if (m == null) {
            throw new IllegalArgumentException(what + " is not an OSGi bundle: it has no manifest");
        }
        String bsn = m.getMainAttributes().getValue("Bundle-SymbolicName");
        if (bsn == null || bsn.isBlank()) {
            throw new IllegalArgumentException(what + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName");
        }
        int semi = bsn.indexOf(';');
        String v = m.getMainAttributes().getValue("Bundle-Version");
        try {
            return new Identity((semi < 0 ? bsn : bsn.substring(0, semi)).trim(),
                    v == null ? Version.emptyVersion : Version.parseVersion(v.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " has an invalid Bundle-Version '" + v + "'");
        }
    }

    /** @return an OSGi version for a Maven one ("0.1.0-SNAPSHOT" is 0.1.0.SNAPSHOT) */
    static Version osgiVersion(String maven) {
        String[] parts = maven.split("[.-]", 4);
        int[] n = new int[3];
        int i = 0;
        for (; i < Math.min(3, parts.length); i++) {
            try {
                n[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                break;
            }
        }
        StringBuilder q = new StringBuilder();
        for (int j = i; j < parts.length; j++) {
            q.append(q.length() == 0 ? "" : "_").append(parts[j].replaceAll("[^A-Za-z0-9_-]", "_"));
        }
        return new Version(n[0], n[1], n[2], q.toString());
    }

    /**
     * A bundle that holds {@code OSGI-INF/configurator/<name>.json} and requires the Configurator extender, which
     * applies the configurations while the bundle is installed (and removes them when it is uninstalled) and never
     * overwrites a configuration an operator changed since.
     */
    static byte[] configBundle(String symbolicName, Version version, String name, String configuratorJson) {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", version.toString());
        a.putValue("Bundle-Name", "Configurations of the feature " + name);
        a.putValue("Require-Capability",
                "osgi.extender;filter:=\"(&(osgi.extender=osgi.configurator)(version>=1.0)(!(version>=2.0)))\"");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.putNextEntry(new JarEntry("OSGI-INF/"));
            jar.closeEntry();
            jar.putNextEntry(new JarEntry("OSGI-INF/configurator/"));
            jar.closeEntry();
            jar.putNextEntry(new JarEntry("OSGI-INF/configurator/" + name + ".json"));
            jar.write(configuratorJson.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        } catch (IOException e) {
            throw new IllegalStateException(e); // in memory
        }
        return out.toByteArray();
    }
}
