/**
 * The broker as other bundles see it: publish into it ({@link io.edgeport.api.broker.BrokerService}) and observe
 * what flows through it ({@link io.edgeport.api.broker.MessageObserver} whiteboard).
 *
 * <p>2.0: {@code InternalAccess} and {@code BrokerService.internalAccess(String)} are gone; gateway components read
 * the broker's durable message store in process ({@code io.edgeport.api.store}) instead of connecting to it as MQTT
 * clients.
 *
 * @since 1.0
 */
@Export
@Version("2.3.0")
package io.edgeport.api.broker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
