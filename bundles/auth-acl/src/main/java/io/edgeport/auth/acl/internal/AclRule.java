package io.edgeport.auth.acl.internal;

/**
 * One {@code topic} or {@code pattern} line, compiled. For patterns the topic is split once into literal pieces
 * and {@code %c}/{@code %u} markers so that evaluation only concatenates.
 *
 * @param topic the ACL topic as written (after Mosquitto's trimming)
 * @param access {@link #DENY}, {@link #READ}, {@link #WRITE} or {@link #READ} | {@link #WRITE}
 * @param line the line in the file, for diagnostics
 * @param pieces for patterns: {@link String} literals, {@link #CLIENT_ID} and {@link #USERNAME} markers; null for
 *        plain topics and for patterns without substitutions
 * @param usesUsername whether the pattern contains {@code %u} (Mosquitto's {@code ucount > 0})
 * @param prefix a cheap necessary condition: every topic name this rule can match starts with it (see
 *        {@link #prefixOf})
 */
record AclRule(String topic, int access, int line, Object[] pieces, boolean usesUsername, String prefix) {

    /** Mosquitto's MOSQ_ACL_NONE: the {@code deny} access type. */
    static final int DENY = 0;
    /** MOSQ_ACL_READ. */
    static final int READ = 1;
    /** MOSQ_ACL_WRITE. */
    static final int WRITE = 2;

    static final Object CLIENT_ID = new Object();
    static final Object USERNAME = new Object();

    static AclRule topic(String topic, int access, int line) {
        return new AclRule(topic, access, line, null, false, prefixOf(topic));
    }

    /**
     * Compiles a pattern exactly like the substitution loop of {@code mosquitto_acl_check_default}: left to right, a
     * {@code %} followed by {@code c} or {@code u} is a marker, anything else (including a lone {@code %}) is
     * literal. Substitution is not limited to whole levels (the man page says it should be, the code does not check).
     */
    static AclRule pattern(String topic, int access, int line) {
        java.util.List<Object> pieces = new java.util.ArrayList<>();
        StringBuilder literal = new StringBuilder();
        boolean markers = false;
        boolean username = false;
        int n = topic.length();
        for (int i = 0; i < n; i++) {
            char c = topic.charAt(i);
            if (c == '%' && i < n - 1 && (topic.charAt(i + 1) == 'c' || topic.charAt(i + 1) == 'u')) {
                if (literal.length() > 0) {
                    pieces.add(literal.toString());
                    literal.setLength(0);
                }
                boolean u = topic.charAt(i + 1) == 'u';
                pieces.add(u ? USERNAME : CLIENT_ID);
                username |= u;
                markers = true;
                i++;
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            pieces.add(literal.toString());
        }
        return new AclRule(topic, access, line, markers ? pieces.toArray() : null, username, prefixOf(topic));
    }

    /**
     * The whole literal levels before the first wildcard or {@code %} (without their last '/'): a matching topic
     * has these levels exactly, even in the "{@code a/#} matches {@code a}" case. Lets the evaluator skip most
     * rules with one {@code startsWith} and no allocation.
     */
    static String prefixOf(String topic) {
        int stop = topic.length();
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == '%') {
                stop = i;
                break;
            }
        }
        if (stop == topic.length()) {
            return topic; // no wildcard: only the topic itself (or nothing) matches
        }
        int slash = topic.lastIndexOf('/', stop - 1);
        return slash < 0 ? "" : topic.substring(0, slash);
    }

    /** The ACL topic with {@code %c} and {@code %u} replaced; username is non-null when {@link #usesUsername()}. */
    String substitute(String clientId, String username) {
        if (pieces == null) {
            return topic;
        }
        StringBuilder b = new StringBuilder(topic.length() + 32);
        for (Object p : pieces) {
            if (p == CLIENT_ID) {
                b.append(clientId);
            } else if (p == USERNAME) {
                b.append(username);
            } else {
                b.append((String) p);
            }
        }
        return b.toString();
    }
}
