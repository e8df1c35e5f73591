package io.edgeport.broker.engine;

/**
 * MQTT 3.1.1 topic names and filters (section 4.7): validity and matching, including the rule that {@code #} and
 * {@code +} in the first level never match a topic that starts with {@code $} (MQTT-4.7.2-1). The one matcher of the
 * broker: the engine filters {@code $} topics with it and the broker's observers use it.
 *
 * <p>Stateless and thread-safe. {@code null} is never valid and never matches.
 *
 * @since 1.0
 */
public final class Topics {

    private Topics() {
    }

    /** @return whether {@code filter} is a valid topic filter ({@code #} only as a whole last level, {@code +} whole) */
    public static boolean isValidFilter(String filter) {
        if (filter == null || filter.isEmpty() || filter.indexOf('\0') >= 0) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.contains("#") && (!l.equals("#") || i != levels.length - 1)) {
                return false;
            }
            if (l.contains("+") && !l.equals("+")) {
                return false;
            }
        }
        return true;
    }

    /** @return whether {@code topic} is a valid topic name (not empty, no wildcards, no NUL) */
    public static boolean isValidTopic(String topic) {
        return topic != null && !topic.isEmpty() && topic.indexOf('#') < 0 && topic.indexOf('+') < 0
                && topic.indexOf('\0') < 0;
    }

    /**
     * @param filter a valid topic filter
     * @param topic a valid topic name
     * @return whether the filter matches the topic
     */
    public static boolean matches(String filter, String topic) {
        if (filter == null || topic == null) {
            return false;
        }
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        // level by level, without allocating: this runs for every publish and every consumer
        int f = 0;
        int t = 0;
        int fn = filter.length();
        int tn = topic.length();
        while (true) {
            int fe = filter.indexOf('/', f);
            if (fe < 0) {
                fe = fn;
            }
            if (fe - f == 1 && filter.charAt(f) == '#') {
                return true; // also matches the parent level ("a/#" matches "a")
            }
            if (t > tn) {
                return false; // the topic has fewer levels
            }
            int te = topic.indexOf('/', t);
            if (te < 0) {
                te = tn;
            }
            boolean plus = fe - f == 1 && filter.charAt(f) == '+';
            if (!plus && (fe - f != te - t || !filter.regionMatches(f, topic, t, fe - f))) {
                return false;
            }
            f = fe + 1;
            t = te + 1;
            if (fe == fn) {
                return t > tn; // the filter ended: so must the topic
            }
        }
    }

    /** Where a bridge announces its connection state (Mosquitto's default notification topic). */
    public static final String BRIDGE_STATE_PREFIX = "$SYS/broker/connection/";

    /**
     * @return whether {@code topic} is {@code $SYS/broker/connection/<clientId>/state}: the one {@code $} topic a
     *         client may publish to and leave its Will on, as bridges (Mosquitto's, Edgeport's) announce their own
     *         connection state there; only their own
     * @since 1.3
     */
    public static boolean isOwnBridgeState(String topic, String clientId) {
        return topic != null && clientId != null && !clientId.isEmpty() && topic.startsWith(BRIDGE_STATE_PREFIX)
                && topic.length() == BRIDGE_STATE_PREFIX.length() + clientId.length() + "/state".length()
                && topic.startsWith(clientId, BRIDGE_STATE_PREFIX.length()) && topic.endsWith("/state");
    }
}
