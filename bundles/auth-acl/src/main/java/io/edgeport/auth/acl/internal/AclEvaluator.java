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
        return evaluate(model, identity, clientId, topic, action, SubscribeMode.MOSQUITTO);
    }

    /**
     * As {@link #evaluate(AclModel, String, String, String, Action)}, with SUBSCRIBE answered per {@code mode}.
     */
    static Decision evaluate(AclModel model, String identity, String clientId, String topic, Action action,
            SubscribeMode mode) {
        if (action == Action.SUBSCRIBE && mode == SubscribeMode.FILTER) {
            return subscribeByFilter(model, identity, clientId, topic);
        }
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

    /**
     * {@link SubscribeMode#FILTER}: ALLOW only when every topic the filter can match would pass Mosquitto's read
     * check, proved by one covering read grant and no intersecting deny, following Mosquitto's order (own list,
     * dangerous ids, patterns). Conservative: a filter only covered by several grants together is denied.
     */
    static Decision subscribeByFilter(AclModel model, String identity, String clientId, String filter) {
        if (!model.loaded() || clientId == null || AclParser.subTopicCheck(filter) != null || filter.isEmpty()) {
            return Decision.DENY;
        }
        String f = filter;
        if (f.startsWith("$share/")) {
            // $share/<group>/<filter>: what is delivered is decided by <filter>.
            int slash = f.indexOf('/', "$share/".length());
            if (slash < 0 || slash == f.length() - 1) {
                return Decision.DENY;
            }
            f = f.substring(slash + 1);
        }
        if (f.startsWith("$share")) {
            return Decision.DENY; // acl__check_dollar refuses reading any "$share..." topic
        }
        String username = identity == null || identity.isEmpty() ? null : identity;
        RuleIndex own = username == null ? model.anonymous() : model.users().get(username);
        RuleIndex patterns = model.patterns();
        if (own != null) {
            for (AclRule r : own.ordered()) {
                if (r.access() == AclRule.DENY && FilterRelations.intersects(r.topic(), f)) {
                    return Decision.DENY;
                }
            }
            for (AclRule r : own.ordered()) {
                if ((r.access() & AclRule.READ) != 0 && FilterRelations.covers(r.topic(), f)) {
                    return Decision.ALLOW;
                }
            }
        }
        if (patterns.size() == 0 || (username != null && hasWildcard(username)) || hasWildcard(clientId)) {
            return Decision.DENY;
        }
        for (AclRule r : patterns.ordered()) {
            if (r.access() == AclRule.DENY && !(r.usesUsername() && username == null)
                    && FilterRelations.intersects(r.substitute(clientId, username), f)) {
                return Decision.DENY;
            }
        }
        for (AclRule r : patterns.ordered()) {
            if ((r.access() & AclRule.READ) != 0 && !(r.usesUsername() && username == null)
                    && FilterRelations.covers(r.substitute(clientId, username), f)) {
                return Decision.ALLOW;
            }
        }
        return Decision.DENY;
    }

    private static boolean hasWildcard(String s) {
        return s.indexOf('+') >= 0 || s.indexOf('#') >= 0;
    }
}
