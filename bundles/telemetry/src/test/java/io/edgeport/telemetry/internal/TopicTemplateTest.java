package io.edgeport.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;
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
    }

    @Test
    void emptyLevelsAreLevels() {
        TopicTemplate t = TopicTemplate.parse("a/{device}/b");
        assertThat(t.match("a//b")).isEqualTo(new TopicTemplate.Fields("", "", ""));
    }

    @Test
    void badTemplatesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> TopicTemplate.parse("sensors/#")).hasMessageContaining("wildcards");
        assertThatThrownBy(() -> TopicTemplate.parse("sensors/+/x")).hasMessageContaining("wildcards");
        assertThatThrownBy(() -> TopicTemplate.parse("sensors/{room}")).hasMessageContaining("unknown placeholder");
        assertThatThrownBy(() -> TopicTemplate.parse("sensors/dev-{device}")).hasMessageContaining("whole level");
        assertThatThrownBy(() -> TopicTemplate.parse(" ")).hasMessageContaining("empty");
    }
}
