/**
 * Telemetry as the gateway stores it: decoded {@link io.edgeport.api.telemetry.Reading}s, and the
 * {@link io.edgeport.api.telemetry.TelemetrySink} whiteboard through which storage bundles receive them.
 *
 * <p>The pipeline keeps one durable broker session per sink and acknowledges a message to the broker only after
 * the sink returned from {@code store}: a sink that is stopped, updated or whose database is down loses nothing,
 * and catches up when it comes back. Delivery is at least once, so sinks write idempotently (a reading is
 * identified by device, measurement, timestamp and sequence).
 *
 * @since 1.0
 */
@Export
@Version("1.0.0")
package io.edgeport.api.telemetry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
