/**
 * The broker engine's API: what other bundles may use of the MQTT engine. Nothing of the implementation (Moquette,
 * Netty, H2) is visible here. {@link io.edgeport.broker.engine.Topics}: MQTT topic names and filters.
 *
 * @since 1.0
 */
@Export
@Version("1.0.0")
package io.edgeport.broker.engine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
