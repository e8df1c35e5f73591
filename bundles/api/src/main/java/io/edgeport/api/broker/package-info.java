/**
 * The broker as other bundles see it: publish into it ({@link io.edgeport.api.broker.BrokerService}) and observe
 * what flows through it ({@link io.edgeport.api.broker.MessageObserver} whiteboard).
 *
 * @since 1.0
 */
@Export
@Version("1.2.0")
package io.edgeport.api.broker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
