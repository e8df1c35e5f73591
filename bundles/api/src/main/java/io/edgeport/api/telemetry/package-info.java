/**
 * Telemetry as the gateway stores it: decoded {@link io.edgeport.api.telemetry.Reading}s, and the
 * {@link io.edgeport.api.telemetry.TelemetrySink} whiteboard through which storage bundles receive them.
 *
 * <p>The pipeline reads the gateway's message store ({@link io.edgeport.api.store}) in process, at one position per
 * sink, and moves a sink's position only after the sink returned from {@code store}: a sink that is stopped, updated
 * or whose database is down loses nothing, and catches up when it comes back. For a plain
 * {@link io.edgeport.api.telemetry.TelemetrySink} delivery is at least once (a crash can repeat the last batch), so
 * it writes idempotently (a reading is identified by device, measurement, timestamp and sequence); a
 * {@link io.edgeport.api.telemetry.TransactionalSink} keeps the position with its data and gets every reading
 * exactly once.
 *
 * @since 1.0
 */
@Export
@Version("1.1.0")
package io.edgeport.api.telemetry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
