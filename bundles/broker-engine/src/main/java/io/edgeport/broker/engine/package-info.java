/**
 * The broker engine: an MQTT 3.1.1 server that the {@link io.edgeport.broker.engine.EngineFactory} service starts
 * from {@link io.edgeport.broker.engine.EngineSettings}, and that asks an
 * {@link io.edgeport.broker.engine.EngineHooks} for every connect, publish, subscribe and delivery decision; plus
 * {@link io.edgeport.broker.engine.Topics}, MQTT topic names and filters. Nothing of the implementation (Moquette,
 * Netty, H2, the store) is visible here.
 *
 * @since 1.0
 */
@Export
@Version("1.3.0")
package io.edgeport.broker.engine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
