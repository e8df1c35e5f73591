package io.edgeport.simulator.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Component;

/**
 * The next sequence number of every device id seen since this bundle started, so that {@code seq} continues across
 * reconnects and across a fleet being reconfigured (which recreates its devices). One per bundle; thread-safe.
 */
@Component(service = Sequences.class)
public final class Sequences {

    private final ConcurrentMap<String, AtomicLong> next = new ConcurrentHashMap<>();

    /** The counter of this device; starts at 0. */
    AtomicLong of(String deviceId) {
        return next.computeIfAbsent(deviceId, id -> new AtomicLong());
    }
}
