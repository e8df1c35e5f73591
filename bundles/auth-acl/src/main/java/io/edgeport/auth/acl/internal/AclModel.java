package io.edgeport.auth.acl.internal;

import java.util.Map;

/**
 * A parsed acl_file: immutable, shared between threads without locking.
 *
 * @param anonymous rules of the {@code topic} lines before the first {@code user} line (Mosquitto's list with a
 *        NULL username), null when there are none
 * @param users rules per username; a username given on several {@code user} lines has one merged list
 * @param patterns all {@code pattern} lines, wherever they appear
 * @param loaded false only for {@link #NONE}: no file has ever been parsed
 */
record AclModel(RuleIndex anonymous, Map<String, RuleIndex> users, RuleIndex patterns, boolean loaded) {

    /** Before the first successful parse: everything is denied (Mosquitto would not have started). */
    static final AclModel NONE = new AclModel(null, Map.of(), new RuleIndex(new AclRule[0]), false);

    int ruleCount() {
        int n = patterns.size() + (anonymous == null ? 0 : anonymous.size());
        for (RuleIndex r : users.values()) {
            n += r.size();
        }
        return n;
    }
}
