package io.edgeport.commons.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicTemplateTest {

    @Test
    void matchesLevelByLevel() {
        TopicTemplate t = TopicTemplate.parse("sensors/{location}/{type}/{device}/reading");
        assertThat(t.match("sensors/b/temperature/d1/reading"))
                .isEqualTo(new TopicTemplate.Fields("b", "temperature", "d1"));
        assertThat(t.match("sensors/b/temperature/d1/status")).isNull();
        assertThat(t.match("sensors/b/temperature/d1")).isNull();
        assertThat(t.match("sensors/b/temperature/d1/reading/x")).isNull();
        assertThat(t.match("other/b/temperature/d1/reading")).isNull();
    }

    @Test
    void repeatedLocationLevelsAreJoinedAndAnyLevelIsIgnored() {
        TopicTemplate t = TopicTemplate.parse("{*}/{location}/{location}/{type}/{device}");
        assertThat(t.match("x/site/hall-2/pressure/p9")).isEqualTo(new TopicTemplate.Fields("site/hall-2",
                "pressure", "p9"));
        assertThat(TopicTemplate.parse("a/{device}/b").match("a//b")).isEqualTo(new TopicTemplate.Fields("", "", ""));
    }

    @Test
    void expandsWhatItReads() {
        TopicTemplate one = TopicTemplate.parse("sensors/{location}/{type}/{device}/reading");
        String topic = one.expand("building-a/floor-1", "temperature", "sim-f-temperature-0001");
        assertThat(topic).isEqualTo("sensors/building-a/floor-1/temperature/sim-f-temperature-0001/reading");
        TopicTemplate two = TopicTemplate.parse("sensors/{location}/{location}/{measurement}/{id}/reading");
        assertThat(two.expand("building-a/floor-1", "temperature", "d")).isEqualTo(topic.replace(
                "sim-f-temperature-0001", "d"));
        assertThat(two.match(topic)).isEqualTo(new TopicTemplate.Fields("building-a/floor-1", "temperature",
                "sim-f-temperature-0001"));
        assertThat(TopicTemplate.parse("plain/topic").expand("l", "t", "d")).isEqualTo("plain/topic");
        assertThatIllegalArgumentException().isThrownBy(() -> two.expand("one-level", "t", "d"))
                .withMessageContaining("2 location levels");
        TopicTemplate any = TopicTemplate.parse("{*}/{device}");
        assertThat(any.expandable()).isFalse();
        assertThat(one.expandable()).isTrue();
        assertThatIllegalArgumentException().isThrownBy(() -> any.expand("l", "t", "d")).withMessageContaining("{*}");
    }

    @Test
    void badTemplatesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> TopicTemplate.parse("sensors/#")).hasMessageContaining("wildcards");
        assertThatThrownBy(() -> TopicTemplate.parse("sensors/+/x")).hasMessageContaining("wildcards");
        assertThatThrownBy(() -> TopicTemplate.parse("a\0b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> TopicTemplate.parse("sensors/{room}")).hasMessageContaining("unknown placeholder {room}");
        assertThatThrownBy(() -> TopicTemplate.parse("sensors/dev-{device}")).hasMessageContaining("whole level");
        assertThatThrownBy(() -> TopicTemplate.parse("a/{device")).hasMessageContaining("whole level");
        assertThatThrownBy(() -> TopicTemplate.parse("a/device}")).hasMessageContaining("whole level");
        assertThatThrownBy(() -> TopicTemplate.parse("{device}{type}")).hasMessageContaining("whole level");
        assertThatThrownBy(() -> TopicTemplate.parse("$SYS/{device}")).hasMessageContaining("'$'");
        assertThatThrownBy(() -> TopicTemplate.parse(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> TopicTemplate.parse(null)).hasMessageContaining("empty");
    }

    @Test
    void valuesForALevel() {
        assertThat(TopicTemplate.isValue("building-a/floor-1")).isTrue();
        assertThat(TopicTemplate.isValue("$x")).isFalse();
        assertThat(TopicTemplate.isValue("a+b")).isFalse();
        assertThat(TopicTemplate.isValue("a#")).isFalse();
        assertThat(TopicTemplate.isValue(null)).isFalse();
    }
}
