package io.edgeport.broker.internal;

/**
 * MQTT 3.1.1 topic filter matching (section 4.7), including the rule that {@code #} and {@code +} in the first
 * level never match a topic that starts with {@code $} (4.7.2-1).
 */
final class TopicFilter {

    private TopicFilter() {
    }

    /** @return whether {@code filter} is a valid MQTT topic filter */
    static boolean isValidFilter(String filter) {
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

    /** @return whether {@code topic} is a valid topic name (no wildcards, not empty) */
    static boolean isValidTopic(String topic) {
        return topic != null && !topic.isEmpty() && topic.indexOf('#') < 0 && topic.indexOf('+') < 0
                && topic.indexOf('\0') < 0;
    }

    static boolean matches(String filter, String topic) {
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
