package io.edgeport.simulator.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Component;

/**
 * The fleets of this bundle, for the shell command. Fleet components are deliberately not OSGi services: DS would
 * copy their configuration, password included, into the service properties for everyone to read. Each fleet
 * component adds itself when it activates and removes itself when it deactivates. Thread-safe.
 */
@Component(service = FleetDirectory.class)
public final class FleetDirectory {

    private final List<FleetView> fleets = new CopyOnWriteArrayList<>();

    void add(FleetView fleet) {
        fleets.add(fleet);
    }

    void remove(FleetView fleet) {
        fleets.remove(fleet);
    }

    List<FleetView> fleets() {
        return List.copyOf(fleets);
    }
}
