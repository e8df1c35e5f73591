package io.edgeport.simulator.internal;

/** What the shell command sees of a fleet component (one per fleet configuration), via {@link FleetDirectory}. */
public interface FleetView {

    /** A consistent-enough snapshot (counters are read one after the other); never null. */
    FleetStats stats();
}
