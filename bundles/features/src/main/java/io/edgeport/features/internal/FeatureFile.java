package io.edgeport.features.internal;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.FeatureService;
import org.osgi.service.feature.ID;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * A feature as the manager needs it: parsed by the OSGi Feature Service (org.apache.felix.feature), with its
 * configurations kept as the JSON they were written in, for the Configurator.
 *
 * @param group the feature's group id
 * @param name its artifact id, the name it is installed under
 * @param version its version
 * @param title its human name (or the name)
 * @param description what it does
 * @param bundles its bundles, in order
 * @param json the feature file as read
 */
record FeatureFile(String group, String name, String version, String title, String description,
        List<Artifact> bundles, String json) {

    /** A bundle of a feature, by its Maven coordinates. */
    record Artifact(String group, String name, String version) {
        /** @return the file name it has in a Maven repository or a feature archive */
        String fileName() {
            return name + "-" + version + ".jar";
        }

        /** @return the bundle location the manager installs it under */
        String location() {
            return FeatureManagerImpl.LOCATION + group + ":" + name + ":" + version;
        }

        @Override
        public String toString() {
            return group + ":" + name + ":" + version;
        }
    }

    String id() {
        return group + ":" + name + ":" + version;
    }

    /**
     * @param service the Feature Service that parses the R8 JSON
     * @param json a feature file's text
     * @throws IllegalArgumentException saying why {@code json} is not a feature
     */
    static FeatureFile parse(FeatureService service, String json) {
        Feature f;
        try {
            f = service.readFeature(new StringReader(json));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not an OSGi feature (R8 JSON): " + firstLine(e));
        }
        ID id = f.getID();
        List<Artifact> bundles = new ArrayList<>();
        for (FeatureBundle b : f.getBundles()) {
            ID bid = b.getID();
            if (bid.getType().isPresent() && !bid.getType().get().equals("jar")) {
                throw new IllegalArgumentException("bundle " + bid + " is not a jar");
            }
            bundles.add(new Artifact(bid.getGroupId(), bid.getArtifactId(), bid.getVersion()));
        }
        if (bundles.isEmpty()) {
            throw new IllegalArgumentException("feature " + id + " lists no bundles");
        }
        return new FeatureFile(id.getGroupId(), id.getArtifactId(), id.getVersion(),
                f.getName().orElse(id.getArtifactId()), f.getDescription().orElse(""), List.copyOf(bundles), json);
    }

    /**
     * @return the feature's configurations as a Configurator resource ({@code OSGI-INF/configurator/*.json}), or
     *         null when it has none
     */
    String configuratorResource() {
        JsonObject o = Json.createReader(new StringReader(json)).readObject();
        JsonValue c = o.get("configurations");
        if (!(c instanceof JsonObject configs) || configs.isEmpty()) {
            return null;
        }
        JsonObjectBuilder b = Json.createObjectBuilder().add(":configurator:resource-version", 1)
                .add(":configurator:symbolic-name", FeatureManagerImpl.CONFIG_PREFIX + name)
                .add(":configurator:version", version);
        for (Map.Entry<String, JsonValue> e : configs.entrySet()) {
            b.add(e.getKey(), e.getValue());
        }
        return b.build().toString();
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
