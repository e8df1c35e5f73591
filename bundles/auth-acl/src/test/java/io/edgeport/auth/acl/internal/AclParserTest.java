package io.edgeport.auth.acl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.StringReader;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class AclParserTest {

    static AclModel parse(String text) throws Exception {
        return AclParser.parse(new StringReader(text), "test.acl");
    }

    static AclModel seed() throws Exception {
        try (InputStream in = AclParserTest.class.getResourceAsStream("/seed-acl")) {
            return AclParser.parse(in, "seed-acl");
        }
    }

    @Test
    void seedGuideAcl() throws Exception {
        AclModel m = seed();
        assertThat(m.anonymous()).isNull();
        assertThat(m.users()).containsOnlyKeys("sensor_device_01", "sensor_device_02", "backend_service");
        assertThat(m.users().get("backend_service").rules()).extracting(AclRule::topic)
                .containsExactly("sensors/#", "actuators/#", "status/#", "commands/#");
        assertThat(m.users().get("backend_service").rules()).extracting(AclRule::access)
                .containsExactly(AclRule.READ, AclRule.READ | AclRule.WRITE, AclRule.READ, AclRule.WRITE);
        assertThat(m.patterns().rules()).singleElement().satisfies(p -> {
            assertThat(p.topic()).isEqualTo("commands/%c/#");
            assertThat(p.line()).isEqualTo(15);
            assertThat(p.usesUsername()).isFalse();
        });
        assertThat(m.ruleCount()).isEqualTo(11);
    }

    @Test
    void topicLinesBeforeTheFirstUserAreAnonymous() throws Exception {
        AclModel m = parse("topic read public/#\nuser a\ntopic write a/#\n");
        assertThat(m.anonymous().rules()).extracting(AclRule::topic).containsExactly("public/#");
        assertThat(m.users().get("a").rules()).extracting(AclRule::topic).containsExactly("a/#");
    }

    @Test
    void denyRulesGoFirstAndSectionsMerge() throws Exception {
        AclModel m = parse("user a\ntopic read x\ntopic deny y\nuser b\ntopic read z\nuser a\ntopic deny w\n"
                + "topic write v\npattern read p/%c\npattern deny q/%u\n");
        assertThat(m.users().get("a").rules()).extracting(AclRule::topic).containsExactly("w", "y", "x", "v");
        assertThat(m.patterns().rules()).extracting(AclRule::topic).containsExactly("q/%u", "p/%c");
    }

    @Test
    void mosquittoTokenizing() throws Exception {
        AclModel m = parse("#comment\n\n   \n   topic   read   a b/c  \r\ntopic read\nuser  x y \t\ntopic c\n");
        assertThat(m.anonymous().rules()).extracting(AclRule::topic).containsExactly("a b/c", "read");
        assertThat(m.anonymous().rules()[1].access()).isEqualTo(AclRule.READ | AclRule.WRITE);
        assertThat(m.users()).containsOnlyKeys("x y");
    }

    @Test
    void aNulEndsTheLine() throws Exception {
        assertThat(parse("topic read a\0garbage\n").anonymous().rules()[0].topic()).isEqualTo("a");
    }

    @Test
    void errorsNameFileAndLine() {
        assertThatThrownBy(() -> parse("user a\ntopic read a/#\n  # indented\n")).isInstanceOf(AclParseException.class)
                .hasMessageStartingWith("test.acl:3: invalid line");
        assertThatThrownBy(() -> parse("topic\tread a\n")).hasMessageStartingWith("test.acl:1: invalid line");
        assertThatThrownBy(() -> parse("\ntopic READ a\n")).hasMessageStartingWith("test.acl:2: invalid topic access");
        assertThatThrownBy(() -> parse("topic read a/#/b\n")).hasMessageContaining("invalid ACL topic");
        assertThatThrownBy(() -> parse("pattern read a+/%c\n")).hasMessageContaining("invalid ACL topic");
        assertThatThrownBy(() -> parse("user\n")).hasMessageStartingWith("test.acl:1: missing username");
        assertThatThrownBy(() -> parse("topic\n")).hasMessageStartingWith("test.acl:1: empty topic");
        assertThatThrownBy(() -> parse("acl_file x\n")).hasMessageStartingWith("test.acl:1: invalid line");
    }

    @Test
    void hostileSizesAreRefused() {
        char[] huge = new char[AclParser.MAX_LINE + 10];
        Arrays.fill(huge, 'a');
        assertThatThrownBy(() -> parse("user a\ntopic read " + new String(huge) + "\n"))
                .hasMessageStartingWith("test.acl:2: line longer than");
        assertThatThrownBy(() -> parse("topic read " + "a/".repeat(201) + "a\n")).hasMessageContaining("levels");
        assertThatThrownBy(() -> parse("topic read " + "é".repeat(40_000) + "\n"))
                .hasMessageContaining("65535 bytes");
    }

    @Test
    void theLongestValidTopicIsAccepted() throws Exception {
        assertThat(parse("topic readwrite " + "a".repeat(65_535) + "\n").anonymous().rules()).hasSize(1);
    }

    @Test
    void patternsCompileTheirSubstitutions() throws Exception {
        AclRule r = parse("pattern read a/%c%u/%x/%/%c\n").patterns().rules()[0];
        assertThat(r.usesUsername()).isTrue();
        assertThat(r.substitute("C", "U")).isEqualTo("a/CU/%x/%/C");
        assertThat(parse("pattern read a/b\n").patterns().rules()[0].substitute("C", "U")).isEqualTo("a/b");
    }
}
