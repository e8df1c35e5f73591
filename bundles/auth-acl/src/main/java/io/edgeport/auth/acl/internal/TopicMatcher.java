package io.edgeport.auth.acl.internal;

/**
 * A line-by-line port of Mosquitto 2.0.11 {@code mosquitto_topic_matches_sub2} (lib/util_topic.c): does the ACL
 * topic (a filter, wildcards allowed) match a topic name? Where Mosquitto returns an error code (malformed filter,
 * a wildcard inside the topic name, an empty string) the result is "no match", as Mosquitto leaves
 * {@code *result = false} in those cases.
 *
 * <p>Allocation free and regex free: it is called for every publish and every delivery. Stateless and thread-safe.
 */
final class TopicMatcher {

    private TopicMatcher() {
    }

    /**
     * @param sub the ACL topic (filter), already substituted
     * @param topic the topic name of the message
     * @return whether Mosquitto 2.0.11 would set {@code result = true}
     */
    static boolean matches(String sub, String topic) {
        int sl = sub.length();
        int tl = topic.length();
        if (sl == 0 || tl == 0) {
            return false;
        }
        // A filter that starts with '$' only matches topics that start with '$', and the other way round.
        char s0 = sub.charAt(0);
        char t0 = topic.charAt(0);
        if ((s0 == '$' && t0 != '$') || (t0 == '$' && s0 != '$')) {
            return false;
        }
        int s = 0;
        int t = 0;
        while (s < sl) {
            char sc = sub.charAt(s);
            char tc = t < tl ? topic.charAt(t) : 0;
            if (tc == '+' || tc == '#') {
                return false;
            }
            if (sc != tc || t >= tl) {
                if (sc == '+') {
                    if (s > 0 && sub.charAt(s - 1) != '/') {
                        return false;
                    }
                    if (s + 1 < sl && sub.charAt(s + 1) != '/') {
                        return false;
                    }
                    s++;
                    while (t < tl && topic.charAt(t) != '/') {
                        char c = topic.charAt(t);
                        if (c == '+' || c == '#') {
                            return false;
                        }
                        t++;
                    }
                    if (t >= tl && s >= sl) {
                        return true;
                    }
                } else if (sc == '#') {
                    if (s > 0 && sub.charAt(s - 1) != '/') {
                        return false;
                    }
                    if (s + 1 < sl) {
                        return false;
                    }
                    for (; t < tl; t++) {
                        char c = topic.charAt(t);
                        if (c == '+' || c == '#') {
                            return false;
                        }
                    }
                    return true;
                } else {
                    // "foo/bar" matches "foo/bar/+/#"? No; but "foo/bar" matches "foo/+/#".
                    return t >= tl && s > 0 && sub.charAt(s - 1) == '+' && sc == '/' && s + 1 < sl
                            && sub.charAt(s + 1) == '#';
                }
            } else {
                if (t + 1 >= tl) {
                    // "foo" matches "foo/#".
                    if (s + 3 == sl && sub.charAt(s + 1) == '/' && sub.charAt(s + 2) == '#') {
                        return true;
                    }
                }
                s++;
                t++;
                if (s >= sl && t >= tl) {
                    return true;
                } else if (t >= tl && s + 1 == sl && sub.charAt(s) == '+') {
                    // "foo/" matches "foo/+".
                    return sub.charAt(s - 1) == '/';
                }
            }
        }
        return false;
    }
}
