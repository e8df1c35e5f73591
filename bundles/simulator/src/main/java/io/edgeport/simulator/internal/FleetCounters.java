package io.edgeport.simulator.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The live counters of one fleet, updated from any thread without locks. */
final class FleetCounters {

    final AtomicInteger connected = new AtomicInteger();
    /** Readings the broker acknowledged (QoS 1/2) or that were written (QoS 0). */
    final LongAdder published = new LongAdder();
    /** Readings Paho refused or could not deliver, and connect attempts that failed. */
    final LongAdder failed = new LongAdder();
    /** Readings not taken because the device's in-flight window was full. */
    final LongAdder skipped = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    /** Abrupt drops caused on purpose (fault.dropout.rate or the drop command). */
    final LongAdder drops = new LongAdder();
    final LongAdder commands = new LongAdder();
    private volatile String lastError = "";

    void error(String message) {
        lastError = message;
    }

    String lastError() {
        return lastError;
    }
}
