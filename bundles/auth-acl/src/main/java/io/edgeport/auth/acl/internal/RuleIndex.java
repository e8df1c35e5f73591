package io.edgeport.auth.acl.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One of Mosquitto's rule lists (a user's, the anonymous one, or the patterns), indexed for speed without changing
 * its outcome.
 *
 * <p>Why the order can be dropped: Mosquitto scans a list whose deny rules are all in front and stops at the first
 * matching deny (DENY) or the first matching grant that includes the access (ALLOW). So the answer is DENY if any
 * deny matches, else ALLOW if any grant with the access matches, else "go on": independent of the order within the
 * denies and within the grants. Rules are therefore bucketed by their first topic level when it is literal; a topic
 * only needs the rules of its own first level plus those starting with a wildcard or a substitution.
 *
 * <p>Immutable and thread-safe.
 */
final class RuleIndex {

    private static final AclRule[] NONE = new AclRule[0];

    private final Map<String, AclRule[]> denies;
    private final AclRule[] genericDenies;
    private final Map<String, AclRule[]> grants;
    private final AclRule[] genericGrants;
    private final AclRule[] rules;

    /** @param rules in Mosquitto's order (deny rules first) */
    RuleIndex(AclRule[] rules) {
        this.rules = rules.clone();
        Map<String, List<AclRule>> d = new HashMap<>();
        Map<String, List<AclRule>> g = new HashMap<>();
        List<AclRule> gd = new ArrayList<>();
        List<AclRule> gg = new ArrayList<>();
        for (AclRule r : rules) {
            boolean deny = r.access() == AclRule.DENY;
            String key = literalFirstLevel(r.topic());
            if (key == null) {
                (deny ? gd : gg).add(r);
            } else {
                (deny ? d : g).computeIfAbsent(key, k -> new ArrayList<>()).add(r);
            }
        }
        denies = freeze(d);
        grants = freeze(g);
        genericDenies = gd.toArray(NONE);
        genericGrants = gg.toArray(NONE);
    }

    /** The rules in Mosquitto's order. */
    AclRule[] rules() {
        return rules.clone();
    }

    /** The rules in Mosquitto's order, without a copy: callers must not modify the array. */
    AclRule[] ordered() {
        return rules;
    }

    int size() {
        return rules.length;
    }

    /**
     * @param dollarRule apply the "a $ topic needs a $ ACL topic" rule (own lists only)
     * @param username non-null whenever a rule that uses %u is evaluated (those are skipped otherwise)
     * @return {@link AclRule#DENY} for DENY, {@code 1} for ALLOW, {@code -1} when nothing in this list decides
     */
    int decide(String topic, int access, boolean dollarRule, String clientId, String username) {
        String first = firstLevel(topic);
        if (any(denies.get(first), topic, 0, dollarRule, clientId, username)
                || any(genericDenies, topic, 0, dollarRule, clientId, username)) {
            return AclRule.DENY;
        }
        if (any(grants.get(first), topic, access, dollarRule, clientId, username)
                || any(genericGrants, topic, access, dollarRule, clientId, username)) {
            return 1;
        }
        return -1;
    }

    private static boolean any(AclRule[] list, String topic, int access, boolean dollarRule, String clientId,
            String username) {
        if (list == null) {
            return false;
        }
        boolean dollar = dollarRule && !topic.isEmpty() && topic.charAt(0) == '$';
        for (AclRule rule : list) {
            if (access != 0 && (access & rule.access()) == 0) {
                continue; // a grant without this access never decides
            }
            if (dollar && rule.topic().charAt(0) != '$') {
                continue;
            }
            if (rule.usesUsername() && username == null) {
                continue; // Mosquitto skips %u patterns for clients without a username
            }
            if (!topic.startsWith(rule.prefix())) {
                continue;
            }
            if (TopicMatcher.matches(rule.substitute(clientId, username), topic)) {
                return true;
            }
        }
        return false;
    }

    /** The first level of a topic name: everything before the first '/'. */
    private static String firstLevel(String topic) {
        int slash = topic.indexOf('/');
        return slash < 0 ? topic : topic.substring(0, slash);
    }

    /** The rule's first level when it is fully literal (no wildcard, no '%'), else null. */
    private static String literalFirstLevel(String ruleTopic) {
        String first = firstLevel(ruleTopic);
        for (int i = 0; i < first.length(); i++) {
            char c = first.charAt(i);
            if (c == '+' || c == '#' || c == '%') {
                return null;
            }
        }
        return first;
    }

    private static Map<String, AclRule[]> freeze(Map<String, List<AclRule>> m) {
        Map<String, AclRule[]> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, v.toArray(NONE)));
        return Map.copyOf(out);
    }
}
