package io.edgeport.auth.acl.internal;

/**
 * Relations between two topic filters, for the conservative subscription check ({@link SubscribeMode#FILTER}).
 * Both respect MQTT's '$' rule: a filter starting with a wildcard never matches a topic whose first level starts
 * with '$'. Inputs are valid filters (mosquitto_sub_topic_check); anything else gives false. Stateless.
 */
final class FilterRelations {

    private FilterRelations() {
    }

    /** Does {@code acl} match every topic name that {@code sub} can match? */
    static boolean covers(String acl, String sub) {
        if (acl.isEmpty() || sub.isEmpty() || AclParser.subTopicCheck(sub) != null) {
            return false;
        }
        String[] a = acl.split("/", -1);
        String[] s = sub.split("/", -1);
        if (isWild(a[0]) && s[0].startsWith("$")) {
            return false; // a wildcard first level never matches the '$' topics the sub matches
        }
        for (int i = 0; i < s.length; i++) {
            if (i >= a.length) {
                return false;
            }
            if (a[i].equals("#")) {
                return true;
            }
            if (s[i].equals("#")) {
                return false; // only '#' covers '#'
            }
            if (a[i].equals("+")) {
                continue;
            }
            if (s[i].equals("+") || !a[i].equals(s[i])) {
                return false;
            }
        }
        // "a/#" covers "a" (the parent level); otherwise the lengths must agree.
        return a.length == s.length || (a.length == s.length + 1 && a[s.length].equals("#"));
    }

    /** Is there a topic name that both filters match? */
    static boolean intersects(String x, String y) {
        if (x.isEmpty() || y.isEmpty()) {
            return false;
        }
        String[] a = x.split("/", -1);
        String[] b = y.split("/", -1);
        if ((isWild(a[0]) && b[0].startsWith("$")) || (isWild(b[0]) && a[0].startsWith("$"))) {
            return false;
        }
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i].equals("#") || b[i].equals("#")) {
                return true;
            }
            if (!a[i].equals("+") && !b[i].equals("+") && !a[i].equals(b[i])) {
                return false;
            }
        }
        if (a.length == b.length) {
            return true;
        }
        // "a/#" and "a" share the topic "a", unless that topic would be the empty string ("/#" and "+").
        String[] longer = a.length > b.length ? a : b;
        String[] shorter = longer == a ? b : a;
        if (n == 1) {
            String level = shorter[0].equals("+") ? longer[0] : shorter[0];
            if (level.isEmpty()) {
                return false;
            }
        }
        return longer.length == n + 1 && longer[n].equals("#");
    }

    private static boolean isWild(String level) {
        return level.equals("+") || level.equals("#");
    }
}
