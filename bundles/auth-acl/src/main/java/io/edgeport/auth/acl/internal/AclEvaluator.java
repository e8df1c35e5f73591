package io.edgeport.auth.acl.internal;

import io.edgeport.api.auth.Action;
import io.edgeport.api.auth.Decision;

/**
 * Decides one request against a model the way Mosquitto 2.0.11 does with only {@code acl_file} configured:
 * {@code mosquitto_acl_check} and {@code acl__check_dollar} (src/security.c) followed by
 * {@code mosquitto_acl_check_default} (src/security_default.c). See the package documentation for the rules.
 *
 * <p>Never answers {@link Decision#NO_OPINION}: where Mosquitto's acl_file check says "denied" it is final in
 * Mosquitto too, so this answers {@link Decision#DENY}. Stateless and thread-safe; no regex. Rules are looked up by the
 * topic's first level ({@link RuleIndex}); the only allocations are that level and the substituted topic of a
 * {@code pattern} whose literal prefix fits.
 */
final class AclEvaluator {

    /** The only $SYS topics a client may publish to (bridge state), from acl__check_dollar. */
    static final String SYS_WRITABLE = "$SYS/broker/connection/+/state";

    private AclEvaluator() {
    }

    /**
     * @param model the rules; {@link AclModel#NONE} denies everything
     * @param identity the username, empty for an anonymous client (Mosquitto's NULL username)
     * @param clientId the client id
     * @param topic a topic name for PUBLISH/RECEIVE, a filter for SUBSCRIBE
     * @param action what the client wants
     * @return ALLOW or DENY, never NO_OPINION
     */
    static Decision evaluate(AclModel model, String identity, String clientId, String topic, Action action) {
        if (!model.loaded() || clientId == null) {
            return Decision.DENY;
        }
        // acl__check_dollar: prefix comparisons (strncmp), so "$SYSfoo" counts as $SYS.
        if (topic.startsWith("$")) {
            if (topic.startsWith("$SYS")) {
                if (action == Action.PUBLISH && !TopicMatcher.matches(SYS_WRITABLE, topic)) {
                    return Decision.DENY;
                }
            } else if (topic.startsWith("$share")) {
                if (action != Action.SUBSCRIBE) {
                    return Decision.DENY;
                }
            }
        }
        // mosquitto_acl_check_default returns success for every SUBSCRIBE ("FIXME - implement ACL subscription
        // strings"): in 2.0.11 the acl_file never refuses a subscription; each delivery is checked instead (RECEIVE).
        if (action == Action.SUBSCRIBE) {
            return Decision.ALLOW;
        }
        int access = action == Action.PUBLISH ? AclRule.WRITE : AclRule.READ;
        String username = identity == null || identity.isEmpty() ? null : identity;
        RuleIndex own = username == null ? model.anonymous() : model.users().get(username);
        RuleIndex patterns = model.patterns();
        if (own == null && patterns.size() == 0) {
            return Decision.DENY;
        }
        if (own != null) {
            // Only here, not for patterns: a '$' topic needs an ACL topic that starts with '$'.
            int d = own.decide(topic, access, true, clientId, username);
            if (d >= 0) {
                return d == AclRule.DENY ? Decision.DENY : Decision.ALLOW;
            }
        }
        if (patterns.size() == 0) {
            return Decision.DENY;
        }
        // With patterns present, a '+' or '#' in the username or client id denies (only '+' and '#': a '/' is
        // substituted as it is, see the package documentation).
        if ((username != null && hasWildcard(username)) || hasWildcard(clientId)) {
            return Decision.DENY;
        }
        // %u patterns are skipped for clients without a username (RuleIndex).
        return patterns.decide(topic, access, false, clientId, username) == 1 ? Decision.ALLOW : Decision.DENY;
    }

    private static boolean hasWildcard(String s) {
        return s.indexOf('+') >= 0 || s.indexOf('#') >= 0;
    }
}
