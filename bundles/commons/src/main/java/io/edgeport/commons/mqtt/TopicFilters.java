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
}
