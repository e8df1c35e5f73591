package io.edgeport.broker.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.edgeport.api.broker.BrokerService;
import io.edgeport.api.broker.ClientSession;
import io.edgeport.api.broker.ConnectedClient;

/**
 * Gogo commands {@code broker:clients}, {@code broker:sessions}, {@code broker:disconnect} and {@code broker:purge}:
 * what the console's Clients page shows and does, for a shell or a script ({@code ssh} + Gogo).
 */
@Component(service = BrokerShell.class, property = { "osgi.command.scope=broker", "osgi.command.function=clients",
        "osgi.command.function=sessions", "osgi.command.function=disconnect", "osgi.command.function=purge" })
public final class BrokerShell {

    /** Most sessions listed at once. */
    static final int LIMIT = 500;
    private final BrokerService broker;

    @Activate
    public BrokerShell(@Reference BrokerService broker) {
        this.broker = broker;
    }

    @Descriptor("the connected MQTT clients: client id and address")
    public String clients() {
        List<ConnectedClient> list = broker.clients();
        return list.stream().map(c -> c.clientId() + "  " + c.address() + ":" + c.port())
                .collect(Collectors.joining("\n", "", list.isEmpty() ? "no client connected" : "\n" + list.size()
                        + " connected"));
    }

    @Descriptor("every session, connected and offline, with its subscriptions and queued messages")
    public String sessions() {
        return sessions("");
    }

    @Descriptor("the sessions whose client id starts with a prefix")
    public String sessions(@Descriptor("client id prefix") String prefix) {
        return table(broker.sessions(prefix, LIMIT + 1));
    }

    /** One line per session, the first {@link #LIMIT}. */
    static String table(List<ClientSession> list) {
        if (list.isEmpty()) {
            return "no session";
        }
        StringBuilder out = new StringBuilder();
        for (ClientSession s : list.subList(0, Math.min(list.size(), LIMIT))) {
            out.append(s.clientId()).append("  ").append(s.connected() ? "connected" : "offline").append(' ')
                    .append(s.persistent() ? "persistent" : "clean").append("  queued ").append(s.queued())
                    .append("  in flight ").append(s.inflight()).append("  subscriptions ")
                    .append(s.subscriptions().isEmpty() ? "-" : s.subscriptions().stream()
                            .map(x -> x.topicFilter() + " (QoS " + x.qos() + ")").collect(Collectors.joining(", ")))
                    .append('\n');
        }
        if (list.size() > LIMIT) {
            out.append("(the first ").append(LIMIT).append(" by client id; give a prefix to see others)\n");
        }
        return out.toString().stripTrailing();
    }

    @Descriptor("close a client's connection (its Last Will is published, its persistent session stays)")
    public String disconnect(@Descriptor("client id") String clientId) {
        return broker.disconnect(clientId) ? "disconnected " + clientId : "no client " + clientId + " is connected";
    }

    @Descriptor("delete a client's session: disconnect it, discard its subscriptions and queued messages")
    public String purge(@Descriptor("client id") String clientId) {
        return broker.deleteSession(clientId) ? "deleted the session of " + clientId
                : "no session of " + clientId + " (or it was connecting; try again)";
    }
}
