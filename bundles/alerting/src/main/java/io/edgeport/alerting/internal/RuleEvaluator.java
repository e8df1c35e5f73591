package io.edgeport.alerting.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.edgeport.api.telemetry.Reading;

/**
 * The state of one rule across devices, and its decisions. Pure logic: no I/O, no clock of its own (the engine passes
 * its time in), not thread-safe (the engine calls it under its lock). Whether an alarm is active is the engine's
 * knowledge and passed in, so a decision that could not be stored is simply taken again.
 *
 * <p>Semantics, chosen so that "exactly on the limit" is normal:
 * <ul>
 * <li>threshold: violated when {@code value > max} or {@code value < min}; a raised alarm clears when
 * {@code min + hysteresis <= value <= max - hysteresis}.</li>
 * <li>rate: |change| per minute between two consecutive readings by their time stamps; violated when
 * {@code rate > rate.limit}, cleared when {@code rate <= rate.limit - hysteresis}. A reading that is not later than
 * the previous one (a clock jump back, a duplicate) only becomes the new base.</li>
 * <li>both: raise when {@code consecutive} readings in a row violate and the first of them is at least
 * {@code for.seconds} older than the current one (by reading time stamps; a reading older than the first one
 * restarts the period, so a clock jump back never raises early).</li>
 * <li>stale: raise when the engine's clock is more than {@code stale.seconds} past the last matching reading; a
 * clock that went back (negative age) is never stale; any matching reading clears.</li>
 * <li>offline: status offline raises, online (or a removed retained status) clears.</li>
 * </ul>
 * Non-finite values are ignored (they change nothing).
 */
final class RuleEvaluator {

    /** Per device (and measurement) state. */
    static final class Track {
        final String device;
        final String measurement;
        int count;
        Instant since;
        double prevValue = Double.NaN;
        Instant prevTs;
        Instant lastSeen;
        String topic = "";

        Track(String device, String measurement) {
            this.device = device;
            this.measurement = measurement;
        }
    }

    final Rule rule;
    private final Map<AlarmKey, Track> tracks = new HashMap<>();

    RuleEvaluator(Rule rule) {
        this.rule = rule;
    }

    /** The key of the alarm a reading may raise or clear. */
    AlarmKey key(Reading r) {
        return new AlarmKey(rule.name(), r.deviceId(), rule.type() == RuleType.STALE ? rule.measurement()
                : r.measurement());
    }

    /**
     * @param active whether the alarm of {@link #key(Reading)} is raised
     * @param now the engine's clock (used by stale rules)
     */
    Verdict reading(Reading r, boolean active, Instant now) {
        AlarmKey k = key(r);
        Track t = tracks.computeIfAbsent(k, x -> new Track(k.device(), k.measurement()));
        t.topic = r.topic();
        return switch (rule.type()) {
            case THRESHOLD -> threshold(t, r, active);
            case RATE -> rate(t, r, active);
            case STALE -> {
                t.lastSeen = now;
                yield active ? Verdict.clear(r.value()) : Verdict.NONE;
            }
            case OFFLINE -> Verdict.NONE;
        };
    }

    Verdict threshold(Track t, Reading r, boolean active) {
        double v = r.value();
        if (!Double.isFinite(v)) {
            return Verdict.NONE;
        }
        double min = rule.min();
        double max = rule.max();
        boolean hasMin = !Double.isNaN(min);
        boolean hasMax = !Double.isNaN(max);
        if (active) {
            double h = rule.hysteresis();
            if ((!hasMin || v >= min + h) && (!hasMax || v <= max - h)) {
                reset(t);
                return Verdict.clear(v);
            }
            return Verdict.NONE;
        }
        double limit = hasMax && v > max ? max : hasMin && v < min ? min : Double.NaN;
        if (!debounce(t, !Double.isNaN(limit), r.timestamp())) {
            return Verdict.NONE;
        }
        reset(t);
        return new Verdict(Verdict.Kind.RAISE, v, limit, values(r, v, limit, Double.NaN));
    }

    Verdict rate(Track t, Reading r, boolean active) {
        double v = r.value();
        if (!Double.isFinite(v)) {
            return Verdict.NONE;
        }
        Instant prevTs = t.prevTs;
        double prev = t.prevValue;
        t.prevTs = r.timestamp();
        t.prevValue = v;
        if (prevTs == null || !r.timestamp().isAfter(prevTs)) {
            return Verdict.NONE;
        }
        double minutes = Duration.between(prevTs, r.timestamp()).toNanos() / 60e9;
        double rate = Math.abs(v - prev) / minutes;
        if (active) {
            if (rate <= rule.rateLimit() - rule.hysteresis()) {
                reset(t);
                return Verdict.clear(rate);
            }
            return Verdict.NONE;
        }
        if (!debounce(t, rate > rule.rateLimit(), r.timestamp())) {
            return Verdict.NONE;
        }
        reset(t);
        return new Verdict(Verdict.Kind.RAISE, rate, rule.rateLimit(), values(r, v, rule.rateLimit(), rate));
    }

    private boolean debounce(Track t, boolean violated, Instant ts) {
        if (!violated) {
            reset(t);
            return false;
        }
        t.count++;
        if (t.since == null || ts.isBefore(t.since)) {
            t.since = ts;
        }
        return t.count >= rule.consecutive()
                && Duration.between(t.since, ts).compareTo(Duration.ofSeconds(rule.forSeconds())) >= 0;
    }

    private static void reset(Track t) {
        t.count = 0;
        t.since = null;
    }

    /** Offline rule: the verdict for a device's status. {@code offline} null means the status was removed. */
    Verdict status(String device, String topic, boolean offline, boolean active) {
        if (offline && !active) {
            Map<String, String> m = base(device, "", topic);
            return new Verdict(Verdict.Kind.RAISE, Double.NaN, Double.NaN, m);
        }
        if (!offline && active) {
            return Verdict.clear(Double.NaN);
        }
        return Verdict.NONE;
    }

    /** A stale rule's view of a device seen at {@code lastSeen} (from the database after a restart). */
    void seen(String device, String measurement, String topic, Instant lastSeen) {
        if (rule.type() != RuleType.STALE || !(rule.measurement().isEmpty() || rule.measurement().equals(measurement))
                || !(rule.topic().isEmpty() || io.edgeport.commons.mqtt.TopicFilters.matches(rule.topic(), topic))) {
            return;
        }
        AlarmKey k = new AlarmKey(rule.name(), device, rule.measurement());
        Track t = tracks.computeIfAbsent(k, x -> new Track(device, rule.measurement()));
        if (t.lastSeen == null || lastSeen.isAfter(t.lastSeen)) {
            t.lastSeen = lastSeen;
            t.topic = topic;
        }
    }

    /** Stale rule: the alarms to raise at {@code now}. */
    List<Map.Entry<AlarmKey, Verdict>> stale(Instant now, Predicate<AlarmKey> active) {
        List<Map.Entry<AlarmKey, Verdict>> out = new ArrayList<>();
        if (rule.type() != RuleType.STALE) {
            return out;
        }
        for (Map.Entry<AlarmKey, Track> e : tracks.entrySet()) {
            Track t = e.getValue();
            if (t.lastSeen == null) {
                continue;
            }
            long ageMs = Duration.between(t.lastSeen, now).toMillis();
            if (ageMs > rule.staleSeconds() * 1000 && !active.test(e.getKey())) {
                double age = ageMs / 1000.0;
                Map<String, String> m = base(t.device, t.measurement, t.topic);
                m.put("limit", Rule.format(rule.staleSeconds()));
                m.put("seconds", Rule.format(Math.floor(age)));
                m.put("value", Rule.format(Math.floor(age)));
                out.add(Map.entry(e.getKey(), new Verdict(Verdict.Kind.RAISE, Math.floor(age), rule.staleSeconds(),
                        m)));
            }
        }
        return out;
    }

    /** Stops tracking {@code device}; @return the keys it had */
    List<AlarmKey> forget(String device) {
        List<AlarmKey> out = new ArrayList<>();
        tracks.keySet().removeIf(k -> {
            if (k.device().equals(device)) {
                out.add(k);
                return true;
            }
            return false;
        });
        return out;
    }

    /** Devices this rule tracks (for tests and the console). */
    int tracked() {
        return tracks.size();
    }

    private Map<String, String> values(Reading r, double v, double limit, double rate) {
        Map<String, String> m = base(r.deviceId(), r.measurement(), r.topic());
        m.put("value", Rule.format(v));
        m.put("unit", r.unit());
        m.put("limit", Rule.format(limit));
        m.put("rate", Rule.format(rate));
        return m;
    }

    private Map<String, String> base(String device, String measurement, String topic) {
        Map<String, String> m = new HashMap<>();
        m.put("rule", rule.name());
        m.put("device", device);
        m.put("measurement", measurement);
        m.put("topic", topic);
        m.put("severity", rule.severity().label());
        m.put("min", Rule.format(rule.min()));
        m.put("max", Rule.format(rule.max()));
        m.put("seconds", Long.toString(rule.type() == RuleType.STALE ? rule.staleSeconds() : rule.forSeconds()));
        m.put("unit", "");
        m.put("value", "");
        m.put("limit", "");
        m.put("rate", "");
        return m;
    }
}
