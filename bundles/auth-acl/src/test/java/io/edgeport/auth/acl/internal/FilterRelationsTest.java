package io.edgeport.auth.acl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Checked by brute force over every topic name of up to 4 levels from a small alphabet. */
class FilterRelationsTest {

    private static final String[] LEVELS = { "a", "b", "", "$x", "z" };
    private static final List<String> UNIVERSE = new ArrayList<>();

    static {
        grow("", 0);
    }

    private static void grow(String prefix, int depth) {
        if (depth == 4) {
            return;
        }
        for (String l : LEVELS) {
            String t = depth == 0 ? l : prefix + "/" + l;
            if (!t.isEmpty()) {
                UNIVERSE.add(t);
            }
            grow(t, depth + 1);
        }
    }

    @Test
    void examples() {
        assertThat(FilterRelations.covers("sensors/#", "sensors/+/temp")).isTrue();
        assertThat(FilterRelations.covers("sensors/+/temp", "sensors/#")).isFalse();
        assertThat(FilterRelations.covers("a/#", "a")).isTrue();
        assertThat(FilterRelations.covers("#", "$SYS/#")).isFalse();
        assertThat(FilterRelations.covers("$SYS/#", "$SYS/broker/+")).isTrue();
        assertThat(FilterRelations.intersects("sensors/#", "sensors/+/temp")).isTrue();
        assertThat(FilterRelations.intersects("a/+", "+/b")).isTrue();
        assertThat(FilterRelations.intersects("a/+", "a")).isFalse();
        assertThat(FilterRelations.intersects("#", "$SYS/x")).isFalse();
    }

    @Test
    void agreesWithBruteForce() {
        Random r = new Random(3);
        int strict = 0;
        for (int n = 0; n < 3_000; n++) {
            String x = filter(r);
            String y = filter(r);
            if (x.isEmpty() || y.isEmpty() || AclParser.subTopicCheck(x) != null
                    || AclParser.subTopicCheck(y) != null) {
                continue;
            }
            boolean bothMatch = false;
            boolean xCoversY = true;
            for (String t : UNIVERSE) {
                boolean mx = TopicMatcher.matches(x, t);
                boolean my = TopicMatcher.matches(y, t);
                bothMatch |= mx && my;
                xCoversY &= !my || mx;
            }
            assertThat(FilterRelations.intersects(x, y)).as("%s ∩ %s", x, y).isEqualTo(bothMatch);
            if (FilterRelations.covers(x, y)) {
                assertThat(xCoversY).as("%s covers %s", x, y).isTrue();
            } else if (xCoversY) {
                strict++;
            }
        }
        // Only "covers" in the finite universe but not in general (or a conservative miss): must stay rare.
        assertThat(strict).isLessThan(100);
    }

    private static String filter(Random r) {
        String[] levels = { "a", "b", "", "$x", "+", "#" };
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
