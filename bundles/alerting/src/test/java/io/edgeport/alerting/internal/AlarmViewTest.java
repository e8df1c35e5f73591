package io.edgeport.alerting.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmState;
import io.edgeport.api.alerting.Severity;

class AlarmViewTest {

    private static Alarm alarm(String id, Severity s, String device, int minute, boolean ack) {
        Instant at = Instant.parse("2026-12-05T10:00:00Z").plusSeconds(60L * minute);
        return new Alarm(id, "temperature", "threshold", device, "temperature", s, AlarmState.RAISED,
                device + " is hot", 60, 50, at, null, ack, ack ? "admin" : "", ack ? at : null);
    }

    private static AlarmView view(Map<String, String> params) {
        return AlarmView.of(params::get);
    }

    final List<Alarm> all = List.of(alarm("a", Severity.MINOR, "boiler-1", 1, false),
            alarm("b", Severity.CRITICAL, "boiler-2", 2, false), alarm("c", Severity.CRITICAL, "hall-1", 0, true),
            alarm("d", Severity.WARNING, "hall-2", 3, false));

    @Test
    void defaultOrderIsMostSevereFirstThenOldest() {
        assertThat(view(Map.of()).active(all)).extracting(Alarm::id).containsExactly("c", "b", "a", "d");
        assertThat(view(Map.of("sort", "raised")).active(all)).extracting(Alarm::id).containsExactly("d", "b", "a",
                "c");
        assertThat(view(Map.of("sort", "device", "dir", "asc")).active(all)).extracting(Alarm::id)
                .containsExactly("a", "b", "c", "d");
        assertThat(view(Map.of("sort", "nonsense")).sort()).isEqualTo("severity");
    }

    @Test
    void filtersBySeverityTextAndAcknowledgement() {
        assertThat(view(Map.of("severity", "critical")).active(all)).extracting(Alarm::id).containsExactly("c", "b");
        assertThat(view(Map.of("q", "BOILER")).active(all)).extracting(Alarm::id).containsExactly("b", "a");
        assertThat(view(Map.of("unack", "on", "severity", "critical")).active(all)).extracting(Alarm::id)
                .containsExactly("b");
        assertThat(view(Map.of("severity", "purple")).severity()).isNull();
    }

    @Test
    void historyPagesOf50() {
        List<Alarm> history = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            history.add(alarm("h" + i, Severity.MINOR, "d" + i, -i, false));
        }
        AlarmView.Page first = view(Map.of()).history(history);
        assertThat(first.alarms()).hasSize(50).first().extracting(Alarm::id).isEqualTo("h0");
        assertThat(first.more()).isTrue();
        AlarmView.Page third = view(Map.of("page", "2")).history(history);
        assertThat(third.alarms()).hasSize(20).first().extracting(Alarm::id).isEqualTo("h100");
        assertThat(third.more()).isFalse();
        assertThat(view(Map.of("page", "-3")).page()).isZero();
        assertThat(view(Map.of("q", "x y", "page", "1")).with("page", "2")).isEqualTo(
                "?q=x+y&sort=severity&dir=desc&page=2");
    }
}
