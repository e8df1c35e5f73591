/**
 * Features: the unit in which the gateway installs, updates and removes plugins. A feature is an OSGi R8 feature
 * (JSON: bundles and configurations); the {@link io.edgeport.api.features.FeatureManager} installs it as one unit,
 * waits until it is healthy and rolls it back when it is not.
 *
 * @since 1.0
 */
@Export
@Version("1.0.0")
package io.edgeport.api.features;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
