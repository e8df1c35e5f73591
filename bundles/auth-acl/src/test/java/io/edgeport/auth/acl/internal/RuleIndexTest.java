package io.edgeport.auth.acl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The index must decide exactly like Mosquitto's ordered scan of the same list (mosquitto_acl_check_default). */
class RuleIndexTest {

    private static final String[] LEVELS = { "a", "b", "", "$x", "%c", "%u", "c%c" };

    @Test
    void sameAnswerAsTheOrderedScan() {
        Random r = new Random(7);
        for (int round = 0; round < 2_000; round++) {
            Deque<AclRule> list = new ArrayDeque<>();
            int n = 1 + r.nextInt(12);
            for (int i = 0; i < n; i++) {
                String topic = filter(r);
                if (AclParser.subTopicCheck(topic) != null) {
                    continue;
                }
                int access = r.nextInt(4);
                AclRule rule = AclRule.pattern(topic, access, i + 1);
                if (access == AclRule.DENY) {
                    list.addFirst(rule);
                } else {
                    list.addLast(rule);
                }
            }
            AclRule[] rules = list.toArray(new AclRule[0]);
            RuleIndex index = new RuleIndex(rules);
            for (int q = 0; q < 50; q++) {
                String topic = topic(r);
                int access = 1 + r.nextInt(2);
                boolean dollarRule = r.nextBoolean();
                String username = r.nextBoolean() ? null : "b";
                assertThat(index.decide(topic, access, dollarRule, "a", username))
                        .as("%s for %s", topic, java.util.Arrays.toString(rules))
                        .isEqualTo(scan(rules, topic, access, dollarRule, "a", username));
            }
        }
    }

    /** The loop of mosquitto_acl_check_default, as written. */
    private static int scan(AclRule[] rules, String topic, int access, boolean dollarRule, String clientId,
            String username) {
        for (AclRule rule : rules) {
            if (dollarRule && topic.startsWith("$") && !rule.topic().startsWith("$")) {
                continue;
            }
            if (rule.usesUsername() && username == null) {
                continue;
            }
            if (TopicMatcher.matches(rule.substitute(clientId, username), topic)) {
                if (rule.access() == AclRule.DENY) {
                    return AclRule.DENY;
                }
                if ((access & rule.access()) != 0) {
                    return 1;
                }
            }
        }
        return -1;
    }

    private static String filter(Random r) {
        StringBuilder b = new StringBuilder();
        int count = 1 + r.nextInt(3);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append('/');
            }
            int pick = r.nextInt(LEVELS.length + 2);
            b.append(pick < LEVELS.length ? LEVELS[pick] : pick == LEVELS.length ? "+" : "#");
        }
        return b.toString();
    }

    private static String topic(Random r) {
        String[] levels = { "a", "b", "", "$x", "ca", "cb" };
        StringBuilder b = new StringBuilder();
        int count = 1 + r.nextInt(3);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append('/');
            }
            b.append(levels[r.nextInt(levels.length)]);
        }
        return b.toString();
    }
}
