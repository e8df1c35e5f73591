package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.apache.felix.feature.impl.FeatureServiceImpl;
import org.junit.jupiter.api.Test;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.FeatureConfiguration;

/** features/broker-core.json and the exported gateway (run/gateway.bndrun) describe the same thing. */
class FeatureAgreementTest {

    static final Path FEATURES = Path.of(System.getProperty("features.dir", "../../features"));

    private static Feature read(String name) throws Exception {
        try (Reader r = Files.newBufferedReader(FEATURES.resolve(name))) {
            return new FeatureServiceImpl().readFeature(r);
        }
    }

    /**
     * broker-core is what the launcher starts (jar/...); the other features' bundles are carried by the bundle
     * io.edgeport.features.gateway (features/repository/...), from which the feature manager installs them.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "broker-core.json", "telemetry.json", "simulator.json", "alerting.json",
            "bridge.json", "sink-kafka.json" })
    void everyBundleOfTheFeatureIsInTheGatewayAtThatVersion(String feature) throws Exception {
        Feature f = read(feature);
        assertThat(f.getBundles()).isNotEmpty();
        try (JarFile jar = new JarFile(Gateway.JAR.toFile())) {
            java.util.Set<String> carried = new java.util.HashSet<>();
            ZipEntry carrier = jar.stream().filter(e -> e.getName().startsWith("jar/io.edgeport.features.gateway-"))
                    .findFirst().orElseThrow();
            try (ZipInputStream in = new ZipInputStream(jar.getInputStream(carrier))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                    carried.add(e.getName());
                }
            }
            assertThat(carried).contains("features/" + feature);
            for (FeatureBundle b : f.getBundles()) {
                String file = b.getID().getArtifactId() + "-" + b.getID().getVersion() + ".jar";
                if (feature.equals("broker-core.json")) {
                    assertThat(jar.getEntry("jar/" + file)).as("%s in the gateway jar", file).isNotNull();
                } else {
                    assertThat(carried).as("%s carried by io.edgeport.features.gateway", file)
                            .contains("features/repository/" + file);
                }
            }
        }
    }

    @Test
    void featureConfigurationEqualsTheGatewayDefaults() throws Exception {
        Feature f = read("broker-core.json");
        FeatureConfiguration broker = f.getConfigurations().get("io.edgeport.broker");
        assertThat(broker).isNotNull();
        Map<String, String> defaults = metatypeDefaults("io.edgeport.broker-",
                "OSGI-INF/metatype/io.edgeport.broker.internal.BrokerConfig.xml");
        assertThat(defaults).isNotEmpty();
        for (Map.Entry<String, Object> e : broker.getValues().entrySet()) {
            assertThat(defaults).as("default of %s", e.getKey()).containsEntry(e.getKey(), String.valueOf(e.getValue()));
        }
    }

    /** Reads the AD defaults from a bundle's metatype XML inside the gateway jar. */
    private static Map<String, String> metatypeDefaults(String bundlePrefix, String entry) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (JarFile jar = new JarFile(Gateway.JAR.toFile())) {
            ZipEntry bundle = jar.stream().filter(e -> e.getName().startsWith("jar/" + bundlePrefix)).findFirst()
                    .orElseThrow();
            try (ZipInputStream in = new ZipInputStream(jar.getInputStream(bundle))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                    if (e.getName().equals(entry)) {
                        String xml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                        Matcher m = Pattern.compile("<AD ([^>]*)>|<AD ([^>]*)/>").matcher(xml);
                        while (m.find()) {
                            String attrs = m.group(1) != null ? m.group(1) : m.group(2);
                            String id = attr(attrs, "id");
                            String def = attr(attrs, "default");
                            if (id != null) {
                                out.put(id, def == null ? "" : def);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static String attr(String attrs, String name) {
        Matcher m = Pattern.compile("\\b" + name + "=\"([^\"]*)\"").matcher(attrs);
        return m.find() ? m.group(1) : null;
    }
}
