package io.edgeport.bridge.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo command {@code bridge:list}: every bridge's state, upstream, counts, lag and last error. */
@Component(service = BridgeShell.class, property = { "osgi.command.scope=bridge", "osgi.command.function=list" })
public final class BridgeShell {

    private final List<BridgeComponent> bridges = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addBridge(BridgeComponent b) {
        bridges.add(b);
    }

    void removeBridge(BridgeComponent b) {
        bridges.remove(b);
    }

    @Descriptor("each bridge: state, upstream, messages sent and received, how far behind, last error")
    public String list() {
        if (bridges.isEmpty()) {
            return "no bridge configured (factory configuration " + BridgeComponent.PID + ")";
        }
        StringBuilder out = new StringBuilder();
        bridges.stream().map(BridgeComponent::status).sorted(java.util.Comparator.comparing(Bridge.Status::connection))
                .forEach(s -> out.append(s.connection()).append("  ").append(s.state())
                        .append(s.upstream().isEmpty() ? "" : " " + s.upstream()).append("  sent ").append(s.sent())
                        .append("  received ").append(s.received()).append("  behind ")
                        .append(BridgeHealthCheck.lag(s))
                        .append(s.lastError().isEmpty() ? "" : "  last error: " + s.lastError()).append('\n'));
        return out.toString().stripTrailing();
    }
}
