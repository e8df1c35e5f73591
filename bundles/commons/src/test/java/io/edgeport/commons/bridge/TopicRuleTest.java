package io.edgeport.commons.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicRuleTest {

    @Test
    void mosquittosDefaultsAndPrefixes() {
        TopicRule plain = TopicRule.parse("sensors/#");
        assertThat(plain.out()).isTrue();
        assertThat(plain.in()).isFalse();
        assertThat(plain.qos()).isZero();
        assertThat(plain.toRemote("sensors/a")).isEqualTo("sensors/a");

        TopicRule r = TopicRule.parse("  sensors/#  both 1 \"\" plant-a/ ");
        assertThat(r.both()).isTrue();
        assertThat(r.qos()).isEqualTo(1);
        assertThat(r.localFilter()).isEqualTo("sensors/#");
        assertThat(r.remoteFilter()).isEqualTo("plant-a/sensors/#");
        assertThat(r.toRemote("sensors/t/1")).isEqualTo("plant-a/sensors/t/1");
        assertThat(r.toLocal("plant-a/sensors/t/1")).isEqualTo("sensors/t/1");

        TopicRule whole = TopicRule.parse("\"\" in 2 local/cmd remote/cmd");
        assertThat(whole.localFilter()).isEqualTo("local/cmd");
        assertThat(whole.toLocal("remote/cmd")).isEqualTo("local/cmd");
    }

    @Test
    void badLinesSayWhatIsWrong() {
        assertThatThrownBy(() -> TopicRule.parse("a/# sideways")).hasMessageContaining("in, out or both");
        assertThatThrownBy(() -> TopicRule.parse("a/# out 3")).hasMessageContaining("qos must be 0, 1 or 2");
        assertThatThrownBy(() -> TopicRule.parse("a/# out 1 local/")).hasMessageContaining("remote prefix too");
        assertThatThrownBy(() -> TopicRule.parse("a/#/b")).hasMessageContaining("not an MQTT topic filter");
        assertThatThrownBy(() -> TopicRule.parse("a out 1 x/+/ y/")).hasMessageContaining("wildcards");
        assertThatThrownBy(() -> TopicRule.parse("\"\" out")).hasMessageContaining("needs a prefix");
        assertThatThrownBy(() -> TopicRule.parse("\"a out")).hasMessageContaining("quote is not closed");
        assertThatThrownBy(() -> TopicRule.parse("a out 1 b/ c/ d")).hasMessageContaining("more than 5 words");
    }
}
