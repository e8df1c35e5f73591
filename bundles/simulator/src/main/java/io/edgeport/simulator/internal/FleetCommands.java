package io.edgeport.simulator.internal;

import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo command {@code edgeport:fleets}: one line per configured fleet with its state, broker and counters
 * (connected devices, readings published / failed / skipped, reconnects, drops, commands, last error). No Gogo API
 * needed: Gogo calls the public method named like the function.
 */
@Component(service = FleetCommands.class, property = { "osgi.command.scope=edgeport",
        "osgi.command.function=fleets" })
public final class FleetCommands {

    private final FleetDirectory directory;

    @Activate
    public FleetCommands(@Reference(name = "directory") FleetDirectory directory) {
        this.directory = directory;
    }

    public String fleets() {
        List<FleetView> all = directory.fleets();
        if (all.isEmpty()) {
            return "No simulator fleet is configured (factory PID " + FleetConfig.PID + ")";
        }
        StringBuilder b = new StringBuilder();
        all.stream().map(FleetView::stats).sorted(Comparator.comparing(FleetStats::name))
                .forEach(s -> b.append(s.summary()).append('\n'));
        return b.toString().stripTrailing();
    }
}
