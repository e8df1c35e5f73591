package io.edgeport.console.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import io.edgeport.api.broker.MessageObserver;
import io.edgeport.api.broker.ObservedMessage;

/**
 * The Clients page's subscribe tool: one {@link MessageObserver} per topic filter being watched, keeping the newest
 * {@value #KEEP} messages. A watch nobody polled for {@value #IDLE_MS} ms is unregistered (observing costs the broker
 * a hop per matching message), and at most {@value #MAX} run at once. Thread-safe.
 */
final class Watches {

    static final int KEEP = 50;
    static final long IDLE_MS = 60_000;
    static final int MAX = 5;

    /** A message as the page shows it. */
    record Seen(String topic, String payload, int qos, boolean retain, String clientId, Instant at) {
    }

    private final class Watch implements MessageObserver {
        final ArrayDeque<Seen> newest = new ArrayDeque<>();
        ServiceRegistration<?> registration;
        long polledAt = System.currentTimeMillis();
        long total;

        @Override
        public void onMessage(ObservedMessage m) {
            Seen s = new Seen(m.topic(), ClientsPage.preview(m.payload()), m.qos(), m.retain(), m.clientId(),
                    m.receivedAt());
            synchronized (this) {
                newest.addLast(s);
                total++;
                if (newest.size() > KEEP) {
                    newest.removeFirst();
                }
            }
        }

        synchronized List<Seen> messages() {
            return new ArrayList<>(newest);
        }
    }

    private final BundleContext context;
    private final Map<String, Watch> watches = new LinkedHashMap<>();

    Watches(BundleContext context) {
        this.context = context;
    }

    /**
     * Starts watching {@code filter} (when not yet) and returns what arrived since, newest last.
     *
     * @throws IllegalStateException when {@value #MAX} other filters are watched
     */
    synchronized List<Seen> poll(String filter) {
        expire();
        Watch w = watches.get(filter);
        if (w == null) {
            if (watches.size() >= MAX) {
                throw new IllegalStateException("at most " + MAX + " topic filters are watched at once; try again in a"
                        + " minute");
            }
            w = new Watch();
            Hashtable<String, Object> p = new Hashtable<>();
            p.put(MessageObserver.TOPIC_FILTER, filter);
            p.put(MessageObserver.QUEUE_SIZE, 1000);
            w.registration = context.registerService(MessageObserver.class, w, p);
            watches.put(filter, w);
        }
        w.polledAt = System.currentTimeMillis();
        return w.messages();
    }

    private void expire() {
        long now = System.currentTimeMillis();
        watches.values().removeIf(w -> {
            if (now - w.polledAt > IDLE_MS) {
                unregister(w);
                return true;
            }
            return false;
        });
    }

    synchronized void close() {
        watches.values().forEach(Watches::unregister);
        watches.clear();
    }

    private static void unregister(Watch w) {
        try {
            w.registration.unregister();
        } catch (IllegalStateException gone) {
            // with the bundle
        }
    }
}
