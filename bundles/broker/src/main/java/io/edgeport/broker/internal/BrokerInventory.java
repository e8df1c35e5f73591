package io.edgeport.broker.internal;

import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.felix.inventory.Format;
import org.apache.felix.inventory.InventoryPrinter;

import io.edgeport.broker.engine.EngineCounters;

/**
 * The broker's figures on the web console's <em>Status → Edgeport broker</em> page (a Felix Inventory printer): the
 * listeners, clients, traffic and every peer-error reason with its count. Registered only when the Inventory API is
 * there (the import is optional; see {@link BrokerComponent}).
 */
final class BrokerInventory implements InventoryPrinter {

    static final String NAME = "edgeport-broker";
    static final String TITLE = "Edgeport broker";

    private final Supplier<BrokerRun> run;

    BrokerInventory(Supplier<BrokerRun> run) {
        this.run = run;
    }

    @Override
    public void print(PrintWriter out, Format format, boolean isZip) {
        BrokerRun r = run.get();
        if (r == null) {
            out.println("The broker is not running.");
            return;
        }
        print(out, r.listeners(), r.engine().counters());
    }

    /** The text, from the listeners and one reading of the counters (package-private for tests). */
    static void print(PrintWriter out, java.util.List<String> listeners, EngineCounters c) {
        out.println("Listeners: " + String.join(", ", listeners));
        out.printf("Clients: %,d connected (%,d at most), %,d persistent sessions offline%n", c.clientsConnected(),
                c.clientsMaximum(), c.offlinePersistentSessions());
        out.printf("Messages: %,d received, %,d sent, %,d dropped ($ topics, refused by ACL); %,d subscriptions, %,d"
                + " retained%n", c.publishReceived(), c.publishSent(), c.publishDropped(), c.subscriptions(),
                c.retainedMessages());
        out.println();
        out.println("Peer errors since the start ($SYS/broker/errors/<reason>; each logged at most once a minute):");
        for (Map.Entry<String, Long> e : c.peerErrors().entrySet()) {
            out.printf("  %-22s %,d%n", e.getKey(), e.getValue());
        }
    }
}
