package io.edgeport.bridge.internal;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Messages a bridge sent upstream on a {@code both} topic, so that the upstream's echo of them (the bridge is
 * subscribed to the same topics there; MQTT 3.1.1 has no "no local") is not brought back in. Keyed by topic and
 * payload; entries expire after {@link #TTL_MS} and at most {@link #MAX} are kept. Thread-safe.
 */
final class Echoes {

    static final long TTL_MS = 60_000;
    static final int MAX = 100_000;

    private static final class Entry {
        int count;
        long at;
    }

    private final Map<String, Entry> sent = new LinkedHashMap<>();
    private long dropped;

    private static String key(String topic, byte[] payload) {
        return topic + '\u0000' + payload.length + ':' + Arrays.hashCode(payload);
    }

    synchronized void sent(String topic, byte[] payload, long now) {
        expire(now);
        Entry e = sent.remove(key(topic, payload)); // re-inserted: the map stays in order of last use
        if (e == null) {
            e = new Entry();
        }
        e.count++;
        e.at = now;
        sent.put(key(topic, payload), e);
        while (sent.size() > MAX) {
            Iterator<Entry> it = sent.values().iterator();
            it.next();
            it.remove();
        }
    }

    /** @return true when this is the echo of a message sent upstream (it is then forgotten once) */
    synchronized boolean isEcho(String topic, byte[] payload, long now) {
        expire(now);
        String k = key(topic, payload);
        Entry e = sent.get(k);
        if (e == null) {
            return false;
        }
        if (--e.count == 0) {
            sent.remove(k);
        }
        dropped++;
        return true;
    }

    synchronized long dropped() {
        return dropped;
    }

    private void expire(long now) {
        Iterator<Entry> it = sent.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().at <= TTL_MS) {
                return;
            }
            it.remove();
        }
    }
}
