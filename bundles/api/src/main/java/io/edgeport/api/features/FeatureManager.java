package io.edgeport.api.features;

import java.nio.file.Path;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Installs, updates and uninstalls features as units. Every change is health-gated: after it the manager waits (bounded)
 * until the feature's bundles are active, their components satisfied and their health checks pass, and otherwise
 * restores what was there before. Changes are serialised; each call returns when it is over.
 */
@ProviderType
public interface FeatureManager {

    /** @return the features installed now: the gateway's own and those the operator added, by name */
    List<FeatureInfo> installed();

    /** @return the features in the repository folder (and those the gateway carries) that could be installed */
    List<FeatureInfo> available();

    /**
     * Installs or updates the feature {@code id} ({@code group:artifact:version}, or {@code artifact} for its newest
     * version) from the repository folder.
     */
    Outcome install(String id);

    /**
     * Installs or updates from an archive (a zip holding one feature JSON and its bundle jars) or a feature JSON whose
     * bundles are in the repository folder. The archive's content is kept in the repository folder.
     */
    Outcome installArchive(Path file);

    /**
     * Uninstalls {@code name} (the feature's artifact id). Refused, naming them, when other installed bundles need its
     * bundles, unless {@code force}.
     */
    Outcome uninstall(String name, boolean force);

    /** @return the repository folder operators drop features into */
    Path repository();
}
