package io.edgeport.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class TopicTemplateTest {

    @Test
    void expandsEveryPlaceholder() {
        TopicTemplate t = TopicTemplate.parse("sensors/{location}/{type}/{device}/reading");
        assertThat(t.expand("building-a/floor-1", "temperature", "sim-f-temperature-0001"))
                .isEqualTo("sensors/building-a/floor-1/temperature/sim-f-temperature-0001/reading");
        assertThat(TopicTemplate.parse("{device}{device}-{type}").expand("l", "t", "d")).isEqualTo("dd-t");
        assertThat(TopicTemplate.parse("plain/topic").expand("l", "t", "d")).isEqualTo("plain/topic");
    }

    @Test
    void rejectsWhatIsNoTopicOrNoPlaceholder() {
        assertThatIllegalArgumentException().isThrownBy(() -> TopicTemplate.parse("")).withMessage("must not be empty");
        assertThatIllegalArgumentException().isThrownBy(() -> TopicTemplate.parse(null));
        assertThatIllegalArgumentException().isThrownBy(() -> TopicTemplate.parse("a/{room}/b"))
                .withMessageContaining("{room}");
        assertThatIllegalArgumentException().isThrownBy(() -> TopicTemplate.parse("a/{device"))
                .withMessageContaining("unclosed");
        assertThatIllegalArgumentException().isThrownBy(() -> TopicTemplate.parse("a/device}"))
                .withMessageContaining("'}'");
        assertThatIllegalArgumentException().isThrownBy(() -> TopicTemplate.parse("a/+/b"));
        assertThatIllegalArgumentException().isThrownBy(() -> TopicTemplate.parse("a/#"));
        assertThatIllegalArgumentException().isThrownBy(() -> TopicTemplate.parse("a\0b"));
        assertThatIllegalArgumentException().isThrownBy(() -> TopicTemplate.parse("$SYS/{device}"));
    }
}
