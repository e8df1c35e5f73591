package io.edgeport.commons.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void jsonStringsAreEscapedPerRfc8259AndSafeInsideAScriptElement() {
        assertThat(JsonText.string("a\"b\\c\nd\re\tf\bg\fh")).isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\"");
        assertThat(JsonText.string("\u0001</script>&\u2028\u2029"))
                .isEqualTo("\"\\u0001\\u003c/script\\u003e\\u0026\\u2028\\u2029\"");
        assertThat(JsonText.string("température ✓")).isEqualTo("\"température ✓\"");
        assertThat(JsonText.string(null)).isEqualTo("null");
    }

    @Test
    void fieldsAndNumbers() {
        StringBuilder b = new StringBuilder("{");
        JsonText.field(b, "at", Instant.parse("2026-12-05T18:00:00Z")).append(',');
        JsonText.number(b, "v", 21.5).append(',');
        JsonText.number(b, "nan", Double.NaN).append(',');
        JsonText.field(b, "n", 7L).append(',');
        JsonText.field(b, "ok", true).append(',');
        JsonText.field(b, "none", (String) null);
        assertThat(b.append('}').toString())
                .isEqualTo("{\"at\":\"2026-12-05T18:00:00Z\",\"v\":21.5,\"nan\":null,\"n\":7,\"ok\":true,\"none\":null}");
    }

    @Test
    void printableEscapesControlsAndCapsTheLength() {
        assertThat(Printable.of("dev\n01\u001b[31m")).isEqualTo("dev\\u000a01\\u001b[31m");
        assertThat(Printable.of(null)).isEqualTo("(none)");
        String longText = "x".repeat(500);
        assertThat(Printable.of(longText)).hasSize(Printable.MAX + 3).endsWith("...");
        assertThat(Printable.of("short")).isEqualTo("short");
    }
}
