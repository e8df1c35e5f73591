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
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        int i = 0;
        for (; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return i == t.length;
    }
}
