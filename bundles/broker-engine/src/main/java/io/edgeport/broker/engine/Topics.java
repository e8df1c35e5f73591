package io.edgeport.broker.engine;

import io.edgeport.commons.mqtt.TopicFilters;

/**
 * MQTT 3.1.1 topic names and filters (section 4.7): validity and matching, including the rule that {@code #} and
 * {@code +} in the first level never match a topic that starts with {@code $} (MQTT-4.7.2-1). The one matcher of the
 * broker: the engine filters {@code $} topics with it and the broker's observers use it. The rules are those of
 * commons {@code TopicFilters} (copied into this bundle), which the bundles that take filters from configuration use.
 *
 * <p>Stateless and thread-safe. {@code null} is never valid and never matches.
 *
 * @since 1.0
 */
public final class Topics {

    private Topics() {
    }

    /** @return whether {@code filter} is a valid topic filter ({@code #} only as a whole last level, {@code +} whole) */
    public static boolean isValidFilter(String filter) {
        return TopicFilters.valid(filter);
    }

    /** @return whether {@code topic} is a valid topic name (not empty, no wildcards, no NUL) */
    public static boolean isValidTopic(String topic) {
        return topic != null && !topic.isEmpty() && topic.indexOf('#') < 0 && topic.indexOf('+') < 0
                && topic.indexOf('\0') < 0;
    }

    /**
     * @param filter a valid topic filter
     * @param topic a valid topic name
     * @return whether the filter matches the topic
     */
    public static boolean matches(String filter, String topic) {
        return filter != null && topic != null && TopicFilters.matches(filter, topic);
    }

    /** Where a bridge announces its connection state (Mosquitto's default notification topic). */
    public static final String BRIDGE_STATE_PREFIX = "$SYS/broker/connection/";

    /**
     * @return whether {@code topic} is {@code $SYS/broker/connection/<clientId>/state}: the one {@code $} topic a
     *         client may publish to and leave its Will on, as bridges (Mosquitto's, Edgeport's) announce their own
     *         connection state there; only their own
     * @since 1.3
     */
    public static boolean isOwnBridgeState(String topic, String clientId) {
        return topic != null && clientId != null && !clientId.isEmpty() && topic.startsWith(BRIDGE_STATE_PREFIX)
                && topic.length() == BRIDGE_STATE_PREFIX.length() + clientId.length() + "/state".length()
                && topic.startsWith(clientId, BRIDGE_STATE_PREFIX.length()) && topic.endsWith("/state");
    }
}
