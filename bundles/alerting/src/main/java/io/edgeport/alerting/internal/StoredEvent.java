package io.edgeport.alerting.internal;

import io.edgeport.api.alerting.AlarmEvent;

/** An alarm event with its position in the engine's event log. */
record StoredEvent(long seq, AlarmEvent event) {
}
