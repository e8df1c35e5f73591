package io.edgeport.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.edgeport.api.telemetry.Reading;
import io.edgeport.commons.mqtt.TopicTemplate;

class ReadingDecoderTest {

    private static final Instant RECEIVED = Instant.parse("2026-11-27T10:00:00Z");
    private final ReadingDecoder decoder = new ReadingDecoder(
            TopicTemplate.parseAll(ReadingDecoder.DEFAULT_TEMPLATES));

    private ReadingDecoder.Result decode(String topic, String json) {
        return decoder.decode(topic, json.getBytes(StandardCharsets.UTF_8), RECEIVED);
    }

    private Reading ok(String topic, String json) {
        ReadingDecoder.Result r = decode(topic, json);
        assertThat(r.reason()).as("rejected").isNull();
        return r.reading();
    }

    private String rejected(String topic, String json) {
        ReadingDecoder.Result r = decode(topic, json);
        assertThat(r.reading()).as("decoded").isNull();
        return r.reason();
    }

    @Test
    void aBareNumberIsAReadingWhoseDeviceAndMeasurementComeFromTheTopic() {
        Reading r = ok("sensors/lab/temperature/sensor_device_01/reading", "21.5");
        assertThat(r.deviceId()).isEqualTo("sensor_device_01");
        assertThat(r.measurement()).isEqualTo("temperature");
        assertThat(r.location()).isEqualTo("lab");
        assertThat(r.value()).isEqualTo(21.5);
        assertThat(r.unit()).isEqualTo("°C");
        assertThat(r.timestamp()).isEqualTo(RECEIVED);
        assertThat(ok("sensors/lab/humidity/h1/reading", " -3\n").value()).isEqualTo(-3.0);
        assertThat(ok("sensors/lab/pressure/p1/reading", "1.0135e3").value()).isEqualTo(1013.5);

        assertThat(rejected("sensors/lab/temperature/d1/reading", "21.5 22")).contains("content after the number");
        assertThat(rejected("sensors/lab/temperature/d1/reading", "21,5")).startsWith("not");
        assertThat(rejected("sensors/lab/temperature/d1/reading", "warm")).isEqualTo(
                "not a JSON object or a number: 'warm'");
        assertThat(rejected("sensors/lab/temperature/d1/reading", "line1\nline2\u0007")).isEqualTo(
                "not a JSON object or a number: 'line1?line2?'");
        assertThat(rejected("sensors/lab/temperature/d1/reading", "1e999")).contains("range");
        assertThat(rejected("sensors/odd", "21.5")).startsWith("no device");
    }

    @Test
    void seedPayloadOnTheSubscribersLayout() {
        Reading r = ok("sensors/building-a/temperature/temp-001/reading",
                "{\"device_id\":\"temp-001\",\"measurement\":\"temperature\",\"value\":22.5,\"unit\":\"°C\","
                        + "\"timestamp\":\"2026-11-27T09:59:58.123Z\",\"seq\":41}");
        assertThat(r.deviceId()).isEqualTo("temp-001");
        assertThat(r.location()).isEqualTo("building-a");
        assertThat(r.measurement()).isEqualTo("temperature");
        assertThat(r.value()).isEqualTo(22.5);
        assertThat(r.unit()).isEqualTo("°C");
        assertThat(r.timestamp()).isEqualTo(Instant.parse("2026-11-27T09:59:58.123Z"));
        assertThat(r.sequence()).isEqualTo(41);
        assertThat(r.topic()).isEqualTo("sensors/building-a/temperature/temp-001/reading");
    }

    @Test
    void seedPayloadOnThePublishersLayoutJoinsTheLocationLevels() {
        Reading r = ok("sensors/building-a/floor-1/temperature/temp-001/reading",
                "{\"device_id\":\"temp-001\",\"measurement\":\"temperature\",\"value\":22.5,\"unit\":\"°C\","
                        + "\"timestamp\":\"2026-11-27T09:59:58Z\"}");
        assertThat(r.location()).isEqualTo("building-a/floor-1");
        assertThat(r.hasSequence()).isFalse();
    }

    @Test
    void topicFillsInWhatThePayloadLeavesOut() {
        Reading r = ok("sensors/lab/humidity/h-7/reading", "{\"value\":55}");
        assertThat(r.deviceId()).isEqualTo("h-7");
        assertThat(r.measurement()).isEqualTo("humidity");
        assertThat(r.unit()).isEqualTo("%");
        assertThat(r.timestamp()).as("receive time when the payload has none").isEqualTo(RECEIVED);
    }

    @Test
    void payloadWinsOverTheTopic() {
        Reading r = ok("sensors/lab/humidity/h-7/reading", "{\"device_id\":\"other\",\"measurement\":\"dew\","
                + "\"value\":1}");
        assertThat(r.deviceId()).isEqualTo("other");
        assertThat(r.measurement()).isEqualTo("dew");
        assertThat(r.unit()).isEmpty();
    }

    @Test
    void unknownTopicLayoutIsFineWhenThePayloadNamesEverything() {
        Reading r = ok("plant/line-3/x", "{\"device_id\":\"d\",\"measurement\":\"pressure\",\"value\":1013.2}");
        assertThat(r.location()).isEmpty();
        assertThat(r.unit()).isEqualTo("hPa");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2026-11-27T09:59:58Z|2026-11-27T09:59:58Z",
        "2026-11-27T10:59:58+01:00|2026-11-27T09:59:58Z",
        "2026-11-27T09:59:58.123456|2026-11-27T09:59:58.123456Z",
        "2026-11-27T09:59:58|2026-11-27T09:59:58Z" })
    void isoTimestamps(String given, String expected) {
        assertThat(ok("sensors/a/temperature/d/reading", "{\"value\":1,\"timestamp\":\"" + given + "\"}").timestamp())
                .isEqualTo(Instant.parse(expected));
    }

    @Test
    void epochTimestampsInSecondsAndMilliseconds() {
        assertThat(ok("sensors/a/temperature/d/reading", "{\"value\":1,\"timestamp\":1764237598}").timestamp())
                .isEqualTo(Instant.ofEpochSecond(1764237598));
        assertThat(ok("sensors/a/temperature/d/reading", "{\"value\":1,\"timestamp\":1764237598123}").timestamp())
                .isEqualTo(Instant.ofEpochMilli(1764237598123L));
        assertThat(ok("sensors/a/temperature/d/reading", "{\"value\":1,\"timestamp\":1764237598.5}").timestamp())
                .isEqualTo(Instant.ofEpochMilli(1764237598500L));
    }

    @Test
    void quotedNumbersAndIntegersAreValues() {
        assertThat(ok("sensors/a/temperature/d/reading", "{\"value\":\" 21.5 \"}").value()).isEqualTo(21.5);
        assertThat(ok("sensors/a/temperature/d/reading", "{\"value\":-40}").value()).isEqualTo(-40.0);
        assertThat(ok("sensors/a/temperature/d/reading", "{\"value\":1e2}").value()).isEqualTo(100.0);
    }

    @Test
    void unknownFieldsAndNestedObjectsAreSkipped() {
        Reading r = ok("sensors/a/temperature/d/reading",
                "{\"meta\":{\"fw\":[1,2,{\"x\":null}]},\"value\":3,\"battery\":0.9,\"tags\":[\"a\"]}");
        assertThat(r.value()).isEqualTo(3.0);
    }

    @Test
    void nullUnitAndNullTimestampFallBack() {
        Reading r = ok("sensors/a/temperature/d/reading", "{\"value\":3,\"unit\":null,\"timestamp\":null,"
                + "\"seq\":null}");
        assertThat(r.unit()).isEqualTo("°C");
        assertThat(r.timestamp()).isEqualTo(RECEIVED);
        assertThat(r.hasSequence()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "not json", "{", "{\"value\":", "{\"value\":1", "[1,2]", "\"text\"", "null", "true",
        "{\"value\":1}}", "{\"value\":1} {\"value\":2}", "{value:1}", "{'value':1}", "{\"value\":1,}",
        "{\"value\":NaN}", "{\"value\":Infinity}", "{\"value\":0x10}", "{\"value\":01}" })
    void malformedJsonIsRejected(String json) {
        assertThat(rejected("sensors/a/temperature/d/reading", json)).isNotBlank();
    }

    @Test
    void invalidUtf8AndBinaryAreRejected() {
        byte[][] payloads = { { (byte) 0xff, (byte) 0xfe, 0 }, { '{', '"', 'v', '"', ':', (byte) 0xc3, '}' },
            new byte[] { 0, 0, 0 } };
        for (byte[] p : payloads) {
            assertThat(decoder.decode("sensors/a/temperature/d/reading", p, RECEIVED).reason()).isNotBlank();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{}|no value",
        "{\"device_id\":\"d\"}|no value",
        "{\"value\":null}|no value",
        "{\"value\":\"warm\"}|value is not a number",
        "{\"value\":true}|value is not a number",
        "{\"value\":[1]}|value is not a number",
        "{\"value\":{\"v\":1}}|value is not a number",
        "{\"value\":1e999}|out of the range",
        "{\"value\":\"1e999\"}|out of the range",
        "{\"value\":1,\"timestamp\":\"yesterday\"}|timestamp is not ISO-8601",
        "{\"value\":1,\"timestamp\":\"2026-13-01T00:00:00Z\"}|timestamp is not ISO-8601",
        "{\"value\":1,\"timestamp\":-5}|plausible epoch",
        "{\"value\":1,\"timestamp\":true}|timestamp is not a string or number",
        "{\"value\":1,\"seq\":-1}|seq is negative",
        "{\"value\":1,\"seq\":1.5}|seq is not an integer",
        "{\"value\":1,\"seq\":\"7\"}|seq is not an integer",
        "{\"value\":1,\"seq\":123456789012345678901234567890}|seq is too large",
        "{\"value\":1,\"device_id\":[\"d\"]}|device_id is not a string",
        "{\"value\":1,\"value\":2}|not valid JSON" })
    void semanticErrorsSayWhat(String json, String reason) {
        assertThat(rejected("sensors/a/temperature/d/reading", json)).contains(reason);
    }

    @Test
    void noDeviceOrMeasurementAnywhere() {
        assertThat(rejected("other/topic", "{\"value\":1,\"measurement\":\"t\"}")).startsWith("no device");
        assertThat(rejected("other/topic", "{\"value\":1,\"device_id\":\"d\"}")).startsWith("no measurement");
        assertThat(rejected("other/topic", "{\"value\":1,\"device_id\":\"  \",\"measurement\":\"t\"}"))
                .startsWith("no device");
    }

    @Test
    void absurdTextIsRejected() {
        assertThat(rejected("x", "{\"value\":1,\"measurement\":\"t\",\"device_id\":\"" + "d".repeat(300) + "\"}"))
                .contains("longer than");
        assertThat(rejected("x", "{\"value\":1,\"measurement\":\"t\",\"device_id\":\"a\\u0000b\"}"))
                .contains("control characters");
    }

    @Test
    void deeplyNestedPayloadIsRejectedNotAStackOverflow() {
        String deep = "{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + ",\"value\":1}";
        assertThat(rejected("sensors/a/temperature/d/reading", deep)).isNotBlank();
    }
}
