package io.edgeport.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;

import io.edgeport.api.features.FeatureInfo;
import io.edgeport.api.features.FeatureManager;
import io.edgeport.api.features.Outcome;

/**
 * Features as units on a real Felix with the OSGi Configurator: a feature installs its bundles and configurations
 * together; an update that cannot resolve, or whose component throws in activate, is rolled back to the version
 * before, which serves again; an operator's edit of a feature's configuration survives an update; uninstall removes
 * the bundles; files that are no feature get a plain answer.
 */
class FeaturesTest {

    @InjectService
    FeatureManager features;

    @InjectService
    ConfigurationAdmin configAdmin;

    final BundleContext context = FrameworkUtil.getBundle(FeaturesTest.class).getBundleContext();
    static final String NAME = "itest-plugin";
    static final String BSN = "io.edgeport.itest.plugin";
    static final String PID = "io.edgeport.itest.plugin.settings";

    @AfterEach
    void remove() throws IOException {
        features.uninstall(NAME, true);
        try (java.util.stream.Stream<Path> s = Files.walk(features.repository())) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (p.toString().contains(NAME)) {
                    Files.delete(p);
                }
            }
        }
    }

    private Path folder(String version) throws IOException {
        Path dir = features.repository().resolve(NAME + "-" + version);
        Files.createDirectories(dir);
        return dir;
    }

    /** A feature of one bundle ({@code bundle}), with a configuration {@code PID} holding {@code value}. */
    private static String featureJson(String version, String value) {
        return """
                {
                  "feature-resource-version": "1.0",
                  "id": "io.edgeport.itest:%s:%s",
                  "name": "A test plugin",
                  "bundles": [ { "id": "io.edgeport.itest:%s:%s" } ],
                  "configurations": { "%s": { "value": "%s" } }
                }
                """.formatted(NAME, version, BSN, version, PID, value);
    }

    private static byte[] bundle(String version, String imports, boolean boom) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", BSN);
        a.putValue("Bundle-Version", version);
        if (imports != null) {
            a.putValue("Import-Package", imports);
        }
        if (boom) {
            a.putValue("Service-Component", "OSGI-INF/boom.xml");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            if (boom) {
                jar.putNextEntry(new JarEntry("OSGI-INF/boom.xml"));
                jar.write(("<scr:component xmlns:scr='http://www.osgi.org/xmlns/scr/v1.3.0' name='boom'"
                        + " immediate='true'><implementation class='io.edgeport.itest.boom.Boom'/></scr:component>")
                        .getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
                jar.putNextEntry(new JarEntry("io/edgeport/itest/boom/Boom.class"));
                try (InputStream in = FeaturesTest.class.getResourceAsStream("/io/edgeport/itest/boom/Boom.class")) {
                    jar.write(in.readAllBytes());
                }
                jar.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private void publish(String version, String value, String imports, boolean boom) throws IOException {
        Path dir = folder(version);
        Files.writeString(dir.resolve(NAME + ".json"), featureJson(version, value));
        Files.write(dir.resolve(BSN + "-" + version + ".jar"), bundle(version, imports, boom));
    }

    private Bundle running() {
        for (Bundle b : context.getBundles()) {
            if (BSN.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                return b;
            }
        }
        return null;
    }

    private long copies() {
        return java.util.Arrays.stream(context.getBundles()).filter(b -> BSN.equals(b.getSymbolicName())).count();
    }

    private String installedVersion() {
        return features.installed().stream().filter(f -> f.name().equals(NAME)).map(FeatureInfo::version)
                .findFirst().orElse(null);
    }

    private Object configured() throws Exception {
        Configuration[] c = configAdmin.listConfigurations("(service.pid=" + PID + ")");
        return c == null ? null : c[0].getProperties().get("value");
    }

    @Test
    void aFeatureInstallsUpdatesAndUninstallsAsAUnitAndBadUpdatesRollBack() throws Exception {
        publish("1.0.0", "shipped", null, false);
        Outcome o = features.install("io.edgeport.itest:" + NAME + ":1.0.0");
        assertThat(o.ok()).as(o.message()).isTrue();
        assertThat(running()).isNotNull();
        assertThat(running().getVersion().toString()).isEqualTo("1.0.0");
        Await.until("the feature's configuration applied", Duration.ofSeconds(10),
                () -> "shipped".equals(configured()));
        assertThat(configured()).as("the feature's configuration, applied by the Configurator").isEqualTo("shipped");
        assertThat(installedVersion()).isEqualTo("1.0.0");

        // The operator changes the configuration: an update of the feature must not overwrite it.
        Configuration c = configAdmin.getConfiguration(PID, "?");
        Dictionary<String, Object> mine = new Hashtable<>();
        mine.put("value", "operator's");
        c.update(mine);

        // An update whose bundle cannot resolve: rolled back, 1.0.0 serves again.
        publish("1.1.0", "v1.1", "org.example.missing.dep", false);
        o = features.install("io.edgeport.itest:" + NAME + ":1.1.0");
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).contains("rolled back to 1.0.0").contains("missing package org.example.missing.dep");
        assertThat(running()).isNotNull();
        assertThat(running().getVersion().toString()).isEqualTo("1.0.0");
        assertThat(copies()).as("the broken bundle is gone").isEqualTo(1);
        assertThat(installedVersion()).isEqualTo("1.0.0");

        // An update whose component throws in activate: rolled back too.
        publish("1.2.0", "v1.2", null, true);
        o = features.install("io.edgeport.itest:" + NAME + ":1.2.0");
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).contains("rolled back to 1.0.0").contains("failed to activate");
        assertThat(running().getVersion().toString()).isEqualTo("1.0.0");
        assertThat(copies()).isEqualTo(1);

        // A good update: the new bundle replaces the old one; the operator's value stays.
        publish("1.3.0", "v1.3", null, false);
        o = features.install(NAME); // by name: the newest in the repository (1.3.0; the others failed)
        assertThat(o.ok()).as(o.message()).isTrue();
        assertThat(o.message()).contains("updated from 1.0.0");
        assertThat(running().getVersion().toString()).isEqualTo("1.3.0");
        assertThat(copies()).isEqualTo(1);
        assertThat(installedVersion()).isEqualTo("1.3.0");
        assertThat(configured()).as("the operator's edit is never overwritten").isEqualTo("operator's");

        o = features.uninstall(NAME, false);
        assertThat(o.ok()).as(o.message()).isTrue();
        assertThat(copies()).isZero();
        assertThat(installedVersion()).isNull();
    }

    @Test
    void anArchiveInstallsAndFilesThatAreNoFeatureGetAPlainAnswer() throws Exception {
        Path dir = Files.createDirectories(Path.of(context.getProperty("edgeport.data"), "uploads"));
        Path zip = dir.resolve("plugin.zip");
        try (OutputStream f = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(f)) {
            z.putNextEntry(new ZipEntry("feature.json"));
            z.write(featureJson("2.0.0", "from the archive").getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new ZipEntry("bundles/" + BSN + "-2.0.0.jar"));
            z.write(bundle("2.0.0", null, false));
        }
        Outcome o = features.installArchive(zip);
        assertThat(o.ok()).as(o.message()).isTrue();
        assertThat(running().getVersion().toString()).isEqualTo("2.0.0");
        assertThat(features.available()).extracting(FeatureInfo::id).contains("io.edgeport.itest:" + NAME + ":2.0.0");

        Path text = dir.resolve("notes.jar");
        Files.writeString(text, "not a jar at all");
        o = features.installArchive(text);
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).contains("not a feature archive");

        Path lone = dir.resolve("lone.jar");
        Files.write(lone, bundle("3.0.0", null, false));
        o = features.installArchive(lone);
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).contains("single bundle").contains(BSN);

        Path empty = dir.resolve("empty.zip");
        try (OutputStream f = Files.newOutputStream(empty); ZipOutputStream z = new ZipOutputStream(f)) {
            z.putNextEntry(new ZipEntry("readme.txt"));
            z.write("hello".getBytes(StandardCharsets.UTF_8));
        }
        o = features.installArchive(empty);
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).contains("holds no feature JSON");
        assertThat(running().getVersion().toString()).as("nothing changed").isEqualTo("2.0.0");
    }

    /** A feature of one manifest-only bundle with {@code header}, written to the repository folder. */
    private void publishRaw(String name, String bsn, String version, String header, String value) throws IOException {
        Path dir = Files.createDirectories(features.repository().resolve(NAME + "-raw-" + name));
        Files.writeString(dir.resolve(name + ".json"), "{ \"feature-resource-version\": \"1.0\", \"id\":"
                + " \"io.edgeport.itest:" + name + ":" + version + "\", \"bundles\": [ { \"id\": \"io.edgeport.itest:"
                + bsn + ":" + version + "\" } ] }");
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", version);
        a.putValue(header, value);
        try (OutputStream f = Files.newOutputStream(dir.resolve(bsn + "-" + version + ".jar"));
                JarOutputStream jar = new JarOutputStream(f, m)) {
            jar.flush();
        }
    }

    @Test
    void removingAFeatureOthersNeedAsksFirstAndNamesThem() throws Exception {
        publishRaw(NAME + "-api", "io.edgeport.itest.api", "1.0.0", "Export-Package", "io.edgeport.itest.api");
        publishRaw(NAME + "-user", "io.edgeport.itest.user", "1.0.0", "Import-Package", "io.edgeport.itest.api");
        try {
            assertThat(features.install(NAME + "-api").ok()).isTrue();
            assertThat(features.install(NAME + "-user").ok()).isTrue();
            Outcome o = features.uninstall(NAME + "-api", false);
            assertThat(o.ok()).isFalse();
            assertThat(o.message()).contains("is needed by io.edgeport.itest.user");
            assertThat(features.installed()).extracting(FeatureInfo::name).contains(NAME + "-api");
            o = features.uninstall(NAME + "-api", true);
            assertThat(o.ok()).as(o.message()).isTrue();
        } finally {
            features.uninstall(NAME + "-user", true);
            features.uninstall(NAME + "-api", true);
        }
    }

    @Test
    void aFeatureOthersNeedIsNotRemovedWithoutAsking() throws Exception {
        List<FeatureInfo> before = features.installed();
        Outcome o = features.uninstall("broker-core", false);
        assertThat(o.ok()).isFalse();
        assertThat(features.installed()).hasSameSizeAs(before);
        o = features.uninstall("no-such-feature", false);
        assertThat(o.ok()).isFalse();
        assertThat(o.message()).contains("no feature no-such-feature is installed");
    }
}
