package io.edgeport.auth.acl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TopicMatcherTest {

    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
        "a/b a/b true", "a/b a/c false", "a/+ a/b true", "a/+ a/b/c false", "a/+ a/ true", "+/+ /x true",
        "a/# a true", "a/# a/b/c true", "# a/b true", "# /a true", "+/# a true", "a/+/# a/b true",
        "a/+/# a false", "sensors/+/temp sensors/x/temp true", "sensors/+/temp sensors/x/hum false",
        "# $SYS/x false", "+/x $SYS/x false", "$SYS/# $SYS/x true", "$SYS/# $SYS true", "a a/b false",
        "a/b a false", "a+ a+ false", "a/#/b a/x/b false", "a/b a/+ false", "a/# a/# false", "a //a false"
    })
    void matchesLikeMosquitto(String filter, String topic, boolean expected) {
        assertThat(TopicMatcher.matches(filter, topic)).isEqualTo(expected);
    }

    @Test
    void emptyStringsNeverMatch() {
        assertThat(TopicMatcher.matches("", "a")).isFalse();
        assertThat(TopicMatcher.matches("#", "")).isFalse();
    }

    /** For valid filters and topic names the port agrees with the MQTT 3.1.1 rules (4.7) done level by level. */
    @Test
    void agreesWithTheSpecificationOnRandomInput() {
        Random r = new Random(42);
        String[] levels = { "a", "b", "", "$x", "ab", "a%" };
        for (int n = 0; n < 200_000; n++) {
            String topic = random(r, levels, false);
            String filter = random(r, levels, true);
            if (AclParser.subTopicCheck(filter) != null) {
                continue;
            }
            boolean match = TopicMatcher.matches(filter, topic);
            assertThat(match).as("%s vs %s", filter, topic).isEqualTo(reference(filter, topic));
            if (match) {
                // The evaluator's shortcut must never skip a rule that matches.
                assertThat(topic).as("prefix of %s", filter).startsWith(AclRule.prefixOf(filter));
            }
        }
    }

    private static String random(Random r, String[] levels, boolean wildcards) {
        int count = 1 + r.nextInt(4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append('/');
            }
            int pick = r.nextInt(levels.length + (wildcards ? 2 : 0));
            b.append(pick < levels.length ? levels[pick] : pick == levels.length ? "+" : "#");
        }
        return b.toString();
    }

    static boolean reference(String filter, String topic) {
        if (filter.isEmpty() || topic.isEmpty()) {
            return false;
        }
        if ((topic.charAt(0) == '$') != (filter.charAt(0) == '$')) {
            return false;
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true; // also matches the parent level ("a/#" matches "a")
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
