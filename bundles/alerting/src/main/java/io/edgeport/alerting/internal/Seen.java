package io.edgeport.alerting.internal;

import java.time.Instant;

/** When the engine last received a reading of a device and measurement (for stale rules across restarts). */
record Seen(String device, String measurement, String topic, Instant at) {
}
