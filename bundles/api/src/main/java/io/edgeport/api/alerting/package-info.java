/**
 * Alarms as the gateway raises them: immutable {@link io.edgeport.api.alerting.Alarm}s, the
 * {@link io.edgeport.api.alerting.AlarmService} that lists and acknowledges them, and the
 * {@link io.edgeport.api.alerting.AlarmNotifier} whiteboard through which actions (MQTT, webhook, log, ...) learn of
 * every transition.
 *
 * @since 1.0
 */
@Export
@Version("1.1.0")
package io.edgeport.api.alerting;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
