package io.edgeport.auth.acl.internal;

import static io.edgeport.api.auth.Action.RECEIVE;
import static io.edgeport.api.auth.Action.SUBSCRIBE;
import static io.edgeport.api.auth.Decision.ALLOW;
import static io.edgeport.api.auth.Decision.DENY;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.edgeport.api.auth.Decision;

/**
 * {@link SubscribeMode#FILTER}: for brokers that never ask RECEIVE. Its one promise: a subscription it allows can
 * only deliver what Mosquitto's per-message read check would deliver.
 */
class SubscribeFilterModeTest {

    static Decision sub(AclModel m, String user, String clientId, String filter) {
        return AclEvaluator.evaluate(m, user, clientId, filter, SUBSCRIBE, SubscribeMode.FILTER);
    }

    @Test
    void seedGuide() throws Exception {
        AclModel m = AclParserTest.seed();
        String d1 = "sensor_device_01";
        assertThat(sub(m, d1, d1, "commands/sensor_device_01/#")).isEqualTo(ALLOW);
        assertThat(sub(m, d1, d1, "commands/sensor_device_01/+/x")).isEqualTo(ALLOW);
        assertThat(sub(m, d1, d1, "commands/#")).isEqualTo(DENY);
        assertThat(sub(m, d1, d1, "#")).isEqualTo(DENY);
        assertThat(sub(m, d1, d1, "sensors/#")).isEqualTo(DENY); // write only
        assertThat(sub(m, "backend_service", "be", "sensors/#")).isEqualTo(ALLOW);
        assertThat(sub(m, "backend_service", "be", "sensors/+/temp")).isEqualTo(ALLOW);
        assertThat(sub(m, "backend_service", "be", "$share/g/sensors/#")).isEqualTo(ALLOW);
        assertThat(sub(m, "backend_service", "be", "$SYS/#")).isEqualTo(DENY);
        assertThat(sub(m, "backend_service", "be", "commands/#")).isEqualTo(DENY); // write only
        // Patterns: by client id; dangerous ids are refused.
        assertThat(sub(m, "stranger", "x", "commands/x/#")).isEqualTo(ALLOW);
        assertThat(sub(m, "stranger", "x+", "commands/x+/#")).isEqualTo(DENY);
        assertThat(sub(m, "stranger", "#", "commands/#")).isEqualTo(DENY);
        assertThat(sub(AclModel.NONE, "a", "a", "a")).isEqualTo(DENY);
    }

    @Test
    void denyRulesThatTouchTheFilterRefuseIt() throws Exception {
        AclModel m = AclParserTest.parse("user a\ntopic read a/#\ntopic deny a/secret/#\n");
        assertThat(sub(m, "a", "c", "a/#")).isEqualTo(DENY);
        assertThat(sub(m, "a", "c", "a/public/#")).isEqualTo(ALLOW);
        assertThat(sub(m, "a", "c", "a/+/x")).isEqualTo(DENY);
    }

    /** Soundness on random filters and topics against the extended test ACL. */
    @Test
    void neverAllowsMoreThanMosquittoWouldDeliver() throws Exception {
        AclModel m;
        try (InputStream in = getClass().getResourceAsStream("/extended-acl")) {
            m = AclParser.parse(in, "extended-acl");
        }
        String[][] principals = { { "", "anon1" }, { "alice", "alice" }, { "bob", "bob-1" }, { "bob", "bob+" },
            { "carol", "carol" }, { "eve/x", "eve" } };
        String[] levels = { "public", "alice", "users", "bob", "eve", "x", "secret", "locked", "dev", "anon",
            "anon1", "bob-1", "carol", "$SYS", "in", "out", "mixed", "+", "#" };
        Random r = new Random(11);
        int allowed = 0;
        for (int n = 0; n < 20_000; n++) {
            String[] p = principals[r.nextInt(principals.length)];
            String filter = random(r, levels, 4);
            if (AclParser.subTopicCheck(filter) != null || sub(m, p[0], p[1], filter) != ALLOW) {
                continue;
            }
            allowed++;
            for (int k = 0; k < 200; k++) {
                String topic = random(r, java.util.Arrays.copyOf(levels, levels.length - 2), 5);
                if (TopicMatcher.matches(filter, topic)) {
                    assertThat(AclEvaluator.evaluate(m, p[0], p[1], topic, RECEIVE))
                            .as("%s/%s subscribed to %s would receive %s", p[0], p[1], filter, topic)
                            .isEqualTo(ALLOW);
                }
            }
        }
        assertThat(allowed).as("the check must allow something").isGreaterThan(50);
    }

    private static String random(Random r, String[] levels, int max) {
        StringBuilder b = new StringBuilder();
        int count = 1 + r.nextInt(max);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append('/');
            }
            b.append(levels[r.nextInt(levels.length)]);
        }
        return b.toString();
    }
}
