package io.edgeport.sink.jdbc.internal;

import java.time.Instant;

/** The newest reading of one measurement of one device, and how many readings of it are stored. */
record DeviceSummary(String deviceId, String measurement, String location, double value, String unit, Instant ts,
        long seq, long count) {
}
