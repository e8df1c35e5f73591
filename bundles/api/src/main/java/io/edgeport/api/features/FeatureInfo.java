package io.edgeport.api.features;

import java.util.List;

/**
 * A feature as the manager sees it.
 *
 * @param name the feature's artifact id, the name it is installed under ("alerting")
 * @param id its full id, {@code group:artifact:version}
 * @param title its human name
 * @param description what it does
 * @param version its version
 * @param state "installed", "available", or what is wrong ("2 of 5 bundles not active")
 * @param health the worst health check result of its tag ("OK", "WARN ...", "CRITICAL ...", or "no checks")
 * @param bundles its bundles, as {@code symbolic-name version state}
 */
public record FeatureInfo(String name, String id, String title, String description, String version, String state,
        String health, List<String> bundles) {

    public FeatureInfo {
        bundles = List.copyOf(bundles);
    }
}
