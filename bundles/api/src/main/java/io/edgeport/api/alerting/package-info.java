/**
 * Alarms as the gateway raises them: immutable {@link io.edgeport.api.alerting.Alarm}s, the
 * {@link io.edgeport.api.alerting.AlarmService} that lists and acknowledges them, and the
 * {@link io.edgeport.api.alerting.AlarmNotifier} whiteboard through which actions (MQTT, webhook, log, ...) learn of
 * every transition.
 *
 * <p>2.0: {@code Alarm.toJson()} and {@code AlarmEvent.toJson()} are gone; the JSON format is the actions' and the
 * HTTP API's to write (it is documented with them), not part of this API.
 * <p>2.1: {@code Alarm.builder} and {@code Alarm.toBuilder}.
 *
 * @since 1.0
 */
@Export
@Version("2.1.0")
package io.edgeport.api.alerting;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
