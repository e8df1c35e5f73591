package io.edgeport.alerting.internal;

/** MQTT topic filter matching ({@code +} one level, {@code #} the rest, as in MQTT 3.1.1 section 4.7). Stateless. */
final class TopicFilter {

    private TopicFilter() {
    }

    /** Whether {@code filter} is a syntactically valid MQTT topic filter. */
    static boolean valid(String filter) {
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

    /** Whether {@code topic} matches the valid filter {@code filter}; topics starting with $ never match a wildcard. */
    static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
