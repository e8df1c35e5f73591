package io.edgeport.auth.acl.internal;

import static io.edgeport.api.auth.Action.PUBLISH;
import static io.edgeport.api.auth.Action.RECEIVE;
import static io.edgeport.api.auth.Action.SUBSCRIBE;
import static io.edgeport.api.auth.Decision.ALLOW;
import static io.edgeport.api.auth.Decision.DENY;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.edgeport.api.auth.Action;
import io.edgeport.api.auth.Decision;

class AclEvaluatorTest {

    static Decision eval(AclModel m, String user, String clientId, String topic, Action action) {
        return AclEvaluator.evaluate(m, user, clientId, topic, action);
    }

    @Test
    void seedGuide() throws Exception {
        AclModel m = AclParserTest.seed();
        String d1 = "sensor_device_01";
        assertThat(eval(m, d1, d1, "sensors/site/room/sensor_device_01/temp", PUBLISH)).isEqualTo(ALLOW);
        assertThat(eval(m, d1, d1, "sensors/site/room/sensor_device_01", PUBLISH)).isEqualTo(ALLOW);
        assertThat(eval(m, d1, d1, "sensors/room/sensor_device_01/temp", PUBLISH)).isEqualTo(DENY);
        assertThat(eval(m, d1, d1, "sensors/site/room/sensor_device_02/temp", PUBLISH)).isEqualTo(DENY);
        assertThat(eval(m, d1, d1, "sensors/site/room/sensor_device_01/temp", RECEIVE)).isEqualTo(DENY);
        assertThat(eval(m, d1, d1, "status/sensor_device_01", PUBLISH)).isEqualTo(ALLOW);
        assertThat(eval(m, d1, d1, "commands/sensor_device_01/reboot", RECEIVE)).isEqualTo(ALLOW);
        assertThat(eval(m, d1, d1, "commands/sensor_device_01/reboot", PUBLISH)).isEqualTo(DENY);
        assertThat(eval(m, d1, d1, "commands/sensor_device_02/reboot", RECEIVE)).isEqualTo(DENY);
        String be = "backend_service";
        assertThat(eval(m, be, be, "sensors/a/b/sensor_device_01/t", RECEIVE)).isEqualTo(ALLOW);
        assertThat(eval(m, be, be, "sensors/a/b/sensor_device_01/t", PUBLISH)).isEqualTo(DENY);
        assertThat(eval(m, be, be, "actuators/valve", PUBLISH)).isEqualTo(ALLOW);
        assertThat(eval(m, be, be, "actuators", RECEIVE)).isEqualTo(ALLOW);
        assertThat(eval(m, be, be, "commands/sensor_device_01/reboot", PUBLISH)).isEqualTo(ALLOW);
        assertThat(eval(m, be, be, "commands/sensor_device_01/reboot", RECEIVE)).isEqualTo(DENY);
        // The pattern applies to every client, keyed on the client id, not the username.
        assertThat(eval(m, be, "sensor_device_01", "commands/sensor_device_01/reboot", RECEIVE)).isEqualTo(ALLOW);
        assertThat(eval(m, "stranger", "stranger", "commands/stranger/x", RECEIVE)).isEqualTo(ALLOW);
        assertThat(eval(m, "stranger", "stranger", "sensors/x", RECEIVE)).isEqualTo(DENY);
        assertThat(eval(m, "", "anon", "commands/anon/x", RECEIVE)).isEqualTo(ALLOW);
    }

    @Test
    void subscribeIsNeverRefusedByTheAclFile() throws Exception {
        AclModel m = AclParserTest.seed();
        // Wildcards on both sides play no role in 2.0.11: "sensors/#" vs "sensors/+/temp" etc. are all granted at
        // SUBSCRIBE, and each delivered message is checked with RECEIVE.
        for (String filter : new String[] { "sensors/#", "sensors/+/temp", "#", "$SYS/#", "$share/g/a/#" }) {
            assertThat(eval(m, "sensor_device_01", "c", filter, SUBSCRIBE)).as(filter).isEqualTo(ALLOW);
            assertThat(eval(m, "", "anon", filter, SUBSCRIBE)).as(filter).isEqualTo(ALLOW);
            assertThat(eval(m, "", "evil+", filter, SUBSCRIBE)).as(filter).isEqualTo(ALLOW);
        }
        assertThat(eval(m, "backend_service", "b", "sensors/x/temp", RECEIVE)).isEqualTo(ALLOW);
        assertThat(eval(m, "sensor_device_01", "c", "sensors/x/temp", RECEIVE)).isEqualTo(DENY);
    }

    @Test
    void dangerousIdsAreDeniedOnlyWhenPatternsAreReached() throws Exception {
        AclModel m = AclParserTest.seed();
        // Own grants come first.
        assertThat(eval(m, "sensor_device_01", "dev#1", "status/sensor_device_01/x", PUBLISH)).isEqualTo(ALLOW);
        // '+' / '#' in the client id: the pattern does not widen access, it denies.
        assertThat(eval(m, "mallory", "+", "commands/x/y", RECEIVE)).isEqualTo(DENY);
        assertThat(eval(m, "mallory", "#", "commands/anything", RECEIVE)).isEqualTo(DENY);
        AclModel u = AclParserTest.parse("pattern read users/%u/#\n");
        assertThat(eval(u, "a+b", "c", "users/a+b/x", RECEIVE)).isEqualTo(DENY);
        assertThat(eval(u, "#", "c", "users/x", RECEIVE)).isEqualTo(DENY);
        // '/' is not refused by 2.0.11: it is substituted as it is (documented gap, as Mosquitto).
        assertThat(eval(m, "mallory", "sensor_device_01/sub", "commands/sensor_device_01/sub/x", RECEIVE))
                .isEqualTo(ALLOW);
        assertThat(eval(u, "a/b", "c", "users/a/b/x", RECEIVE)).isEqualTo(ALLOW);
        // Without patterns the check does not exist.
        AclModel plain = AclParserTest.parse("user a+\ntopic read x\n");
        assertThat(eval(plain, "a+", "c#", "x", RECEIVE)).isEqualTo(ALLOW);
    }

    @Test
    void denyPrecedence() throws Exception {
        AclModel m = AclParserTest.parse("user a\ntopic readwrite a/#\ntopic deny a/secret/#\n"
                + "pattern deny a/locked/#\npattern read other/%u/#\npattern deny other/%u/no\n");
        assertThat(eval(m, "a", "c", "a/x", PUBLISH)).isEqualTo(ALLOW);
        // A deny in the same list wins whatever its position.
        assertThat(eval(m, "a", "c", "a/secret/x", RECEIVE)).isEqualTo(DENY);
        // The user's own grant is checked before any pattern, so it beats a deny pattern.
        assertThat(eval(m, "a", "c", "a/locked/x", RECEIVE)).isEqualTo(ALLOW);
        assertThat(eval(m, "a", "c", "other/a/no", RECEIVE)).isEqualTo(DENY);
        assertThat(eval(m, "a", "c", "other/a/yes", RECEIVE)).isEqualTo(ALLOW);
    }

    @Test
    void anonymousClients() throws Exception {
        AclModel m = AclParserTest.parse("topic read public/#\npattern read u/%u/#\npattern read c/%c\n"
                + "user a\ntopic read private/#\n");
        assertThat(eval(m, "", "x", "public/a", RECEIVE)).isEqualTo(ALLOW);
        assertThat(eval(m, "", "x", "public/a", PUBLISH)).isEqualTo(DENY);
        assertThat(eval(m, "", "x", "private/a", RECEIVE)).isEqualTo(DENY);
        // %u patterns are skipped without a username; %c ones apply.
        assertThat(eval(m, "", "x", "u//a", RECEIVE)).isEqualTo(DENY);
        assertThat(eval(m, "", "x", "c/x", RECEIVE)).isEqualTo(ALLOW);
        // Users do not get the anonymous section.
        assertThat(eval(m, "a", "x", "public/a", RECEIVE)).isEqualTo(DENY);
        assertThat(eval(m, "a", "x", "u/a/b", RECEIVE)).isEqualTo(ALLOW);
    }

    @Test
    void dollarTopics() throws Exception {
        AclModel m = AclParserTest.parse("user a\ntopic readwrite #\ntopic readwrite $SYS/#\n"
                + "topic readwrite $share/#\ntopic readwrite $other/#\n");
        assertThat(eval(m, "a", "c", "$SYS/broker/uptime", RECEIVE)).isEqualTo(ALLOW);
        assertThat(eval(m, "a", "c", "$SYS/broker/uptime", PUBLISH)).isEqualTo(DENY);
        assertThat(eval(m, "a", "c", "$SYS/broker/connection/br1/state", PUBLISH)).isEqualTo(ALLOW);
        assertThat(eval(m, "a", "c", "$share/g/x", PUBLISH)).isEqualTo(DENY);
        assertThat(eval(m, "a", "c", "$share/g/x", RECEIVE)).isEqualTo(DENY);
        assertThat(eval(m, "a", "c", "$other/x", PUBLISH)).isEqualTo(ALLOW);
        AclModel hashOnly = AclParserTest.parse("user a\ntopic readwrite #\npattern readwrite #\n");
        assertThat(eval(hashOnly, "a", "c", "$SYS/broker/uptime", RECEIVE)).isEqualTo(DENY);
        assertThat(eval(hashOnly, "a", "c", "$other/x", PUBLISH)).isEqualTo(DENY);
    }

    @Test
    void emptyFileAndNoFile() throws Exception {
        AclModel empty = AclParserTest.parse("# nothing\n");
        assertThat(eval(empty, "a", "c", "x", PUBLISH)).isEqualTo(DENY);
        assertThat(eval(empty, "a", "c", "x", SUBSCRIBE)).isEqualTo(ALLOW);
        // Never loaded: Mosquitto would not be running at all, so everything is denied, even SUBSCRIBE.
        for (Action a : Action.values()) {
            assertThat(eval(AclModel.NONE, "a", "c", "x", a)).isEqualTo(DENY);
        }
    }

    @Test
    void substitutionIsNotLimitedToWholeLevels() throws Exception {
        AclModel m = AclParserTest.parse("pattern read dev/%c%u/mixed\npattern write pre-%c-post\n");
        assertThat(eval(m, "u", "c", "dev/cu/mixed", RECEIVE)).isEqualTo(ALLOW);
        assertThat(eval(m, "", "c", "dev/c/mixed", RECEIVE)).isEqualTo(DENY);
        assertThat(eval(m, "", "c", "pre-c-post", PUBLISH)).isEqualTo(ALLOW);
    }
}
