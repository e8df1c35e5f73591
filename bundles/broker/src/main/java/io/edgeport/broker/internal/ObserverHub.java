package io.edgeport.broker.internal;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.broker.MessageObserver;
import io.edgeport.api.broker.ObservedMessage;
import io.edgeport.broker.engine.Topics;

/**
 * Fans accepted messages out to {@link MessageObserver} services. Each observer gets a bounded queue and a thread of
 * its own, so a slow or throwing observer only loses its own messages (counted) and never blocks the broker or the
 * other observers. Thread-safe; {@link #deliver} never blocks.
 */
final class ObserverHub {

    private static final Logger LOG = LoggerFactory.getLogger(ObserverHub.class);
    static final int DEFAULT_QUEUE = 10_000;

    private final Map<MessageObserver, Lane> lanes = new ConcurrentHashMap<>();

    void add(MessageObserver observer, Map<String, ?> props) {
        Object q = props.get(MessageObserver.QUEUE_SIZE);
        int size = q instanceof Number n && n.intValue() > 0 ? n.intValue() : DEFAULT_QUEUE;
        Lane lane = new Lane(observer, filters(props.get(MessageObserver.TOPIC_FILTER)), size);
        Lane old = lanes.put(observer, lane);
        if (old != null) {
            old.stop();
        }
        lane.start();
    }

    void remove(MessageObserver observer) {
        Lane lane = lanes.remove(observer);
        if (lane != null) {
            lane.stop();
        }
    }

    void deliver(ObservedMessage m) {
        for (Lane lane : lanes.values()) {
            lane.offer(m);
        }
    }

    long dropped() {
        return lanes.values().stream().mapToLong(l -> l.dropped.get()).sum();
    }

    int size() {
        return lanes.size();
    }

    void close() {
        lanes.values().forEach(Lane::stop);
        lanes.clear();
    }

    private static String[] filters(Object v) {
        if (v instanceof String s) {
            return new String[] { s };
        }
        if (v instanceof String[] a) {
            return a.clone();
        }
        if (v instanceof Iterable<?> it) {
            java.util.List<String> out = new java.util.ArrayList<>();
            it.forEach(o -> out.add(String.valueOf(o)));
            return out.toArray(String[]::new);
        }
        return new String[0];
    }

    private static final class Lane implements Runnable {
        final MessageObserver observer;
        final String[] filters;
        final BlockingQueue<ObservedMessage> queue;
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final Thread thread;
        volatile boolean running = true;

        Lane(MessageObserver observer, String[] filters, int size) {
            this.observer = observer;
            this.filters = filters;
            this.queue = new ArrayBlockingQueue<>(size);
            this.thread = new Thread(this, "edgeport-observer-" + observer.getClass().getSimpleName());
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() {
            running = false;
            thread.interrupt();
        }

        void offer(ObservedMessage m) {
            if (filters.length > 0) {
                boolean any = false;
                for (String f : filters) {
                    if (Topics.matches(f, m.topic())) {
                        any = true;
                        break;
                    }
                }
                if (!any) {
                    return;
                }
            }
            if (!queue.offer(m) && dropped.getAndIncrement() == 0) {
                LOG.warn("Message observer {} is too slow; dropping its messages (logged once)",
                        observer.getClass().getName());
            }
        }

        @Override
        public void run() {
            while (running) {
                ObservedMessage m;
                try {
                    m = queue.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (m == null) {
                    continue;
                }
                try {
                    observer.onMessage(m);
                } catch (RuntimeException | LinkageError e) {
                    if (failures.getAndIncrement() == 0) {
                        LOG.error("Message observer {} threw; it keeps receiving messages (logged once)",
                                observer.getClass().getName(), e);
                    }
                }
            }
        }
    }
}
