package io.edgeport.commons.mqtt;

/** MQTT 3.1.1 topic filter rules (section 4.7), for input an operator or a configuration gives. */
public final class TopicFilters {

    private TopicFilters() {
    }

    /**
     * @return whether {@code filter} is a valid MQTT topic filter: not empty, at most 65,535 characters, no NUL,
     *         {@code #} only as the whole last level, {@code +} only as a whole level
     */
    public static boolean valid(String filter) {
        if (filter == null || filter.isEmpty() || filter.length() > 65_535 || filter.indexOf('\0') >= 0) {
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

    /**
     * @return whether the topic name {@code topic} matches the valid filter {@code filter} (MQTT 3.1.1 section 4.7:
     *         {@code +} one level, {@code #} this level and all below, also the parent; a filter starting with a
     *         wildcard does not match topics starting with {@code $}). Walks both strings level by level without
     *         allocating: consumers call it for every message they read.
     */
    public static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        int fl = filter.length();
        int tl = topic.length();
        int f = 0;
        int t = 0;
        while (true) {
            int fe = filter.indexOf('/', f);
            fe = fe < 0 ? fl : fe;
            if (fe - f == 1 && filter.charAt(f) == '#') {
                return true; // '#' also matches the parent level ("a/#" matches "a")
            }
            if (t > tl) {
                return false; // the topic has fewer levels than the filter
            }
            int te = topic.indexOf('/', t);
            te = te < 0 ? tl : te;
            boolean plus = fe - f == 1 && filter.charAt(f) == '+';
            if (!plus && (fe - f != te - t || !filter.regionMatches(f, topic, t, fe - f))) {
                return false;
            }
            if (fe == fl) {
                return te == tl; // the filter ends: so must the topic
            }
            f = fe + 1;
            t = te + 1;
        }
    }
}
