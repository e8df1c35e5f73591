package io.edgeport.sink.jdbc.internal;

import java.time.Instant;

/** One row of the readings table as the query API returns it. */
record StoredReading(String deviceId, String measurement, String location, double value, String unit, Instant ts,
        long seq, String topic, Instant storedAt) {
}
