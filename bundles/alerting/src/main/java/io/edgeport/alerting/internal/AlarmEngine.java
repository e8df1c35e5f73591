package io.edgeport.alerting.internal;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmService;
import io.edgeport.api.alerting.Transition;
import io.edgeport.api.telemetry.Reading;

/**
 * The alarm lifecycle: evaluates rules on readings, device statuses and the passing of time, and stores every
 * transition in the {@link AlarmStore} before anything else learns of it. The raised alarms are also held in memory
 * (loaded from the store at construction), so a new engine on the same database neither raises an active alarm again
 * nor forgets to clear it.
 *
 * <p>Every input method is synchronized and stores its transitions in one transaction; when that fails it throws and
 * nothing of that input counts as done (the raised alarms in memory stay as stored), so the caller may offer the
 * input again. Listeners added with {@link #onEvents} get the events of each commit (on the calling thread, after the
 * commit, in commit order); they must only queue them and wake someone up.
 */
final class AlarmEngine implements AlarmService, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlarmEngine.class);
    /** A device's last-seen time is written at most this often (stale rules tolerate that much after a restart). */
    private static final Duration SEEN_WRITE_EVERY = Duration.ofSeconds(5);

    private final AlarmStore store;
    private final Clock clock;
    private final Map<String, RuleEvaluator> rules = new LinkedHashMap<>();
    private final Map<AlarmKey, Alarm> active = new HashMap<>();
    private final Map<String, Seen> lastSeen = new HashMap<>();
    private final Map<String, Instant> seenWritten = new HashMap<>();
    private final List<Consumer<List<StoredEvent>>> listeners = new CopyOnWriteArrayList<>();

    final AtomicLong readings = new AtomicLong();
    final AtomicLong raised = new AtomicLong();
    final AtomicLong cleared = new AtomicLong();

    AlarmEngine(AlarmStore store, Clock clock) throws SQLException {
        this.store = Objects.requireNonNull(store);
        this.clock = Objects.requireNonNull(clock);
        for (Alarm a : store.active()) {
            active.put(key(a), a);
        }
        for (Seen s : store.seen()) {
            String k = s.device() + '\u0000' + s.measurement();
            lastSeen.put(k, s);
            seenWritten.put(k, s.at());
        }
    }

    AlarmStore store() {
        return store;
    }

    Clock clock() {
        return clock;
    }

    void onEvents(Consumer<List<StoredEvent>> listener) {
        listeners.add(listener);
    }

    void removeListener(Consumer<List<StoredEvent>> listener) {
        listeners.remove(listener);
    }

    // ---------------------------------------------------------------- rules

    /**
     * Adds or replaces a rule. A changed rule starts with fresh state; its raised alarms stay and are cleared by the
     * new rule when their condition no longer holds, except when its type, measurement or topic changed (they are
     * cleared at once, since the new rule may never look at them again). A disabled rule clears its alarms.
     */
    synchronized void putRule(Rule rule) throws SQLException {
        RuleEvaluator old = rules.get(rule.name());
        if (old != null && old.rule.equals(rule)) {
            return;
        }
        if (!rule.enabled()) {
            removeRule(rule.name(), true);
            return;
        }
        boolean reshaped = old != null && (old.rule.type() != rule.type()
                || !old.rule.measurement().equals(rule.measurement()) || !old.rule.topic().equals(rule.topic()));
        if (reshaped) {
            clearRule(rule.name());
        }
        RuleEvaluator e = new RuleEvaluator(rule);
        lastSeen.values().forEach(s -> e.seen(s.device(), s.measurement(), s.topic(), s.at()));
        rules.put(rule.name(), e);
    }

    /**
     * Stops evaluating a rule.
     *
     * @param clearAlarms true when the rule was deleted (its alarms are cleared); false when it only went away with
     *        the bundle (its alarms stay raised for the next start)
     */
    synchronized void removeRule(String name, boolean clearAlarms) throws SQLException {
        rules.remove(name);
        if (clearAlarms) {
            clearRule(name);
        }
    }

    private void clearRule(String name) throws SQLException {
        Instant now = clock.instant();
        Batch b = new Batch();
        active.forEach((k, a) -> {
            if (k.rule().equals(name)) {
                b.clear(k, a, now);
            }
        });
        commit(b, List.of(), now);
    }

    synchronized List<Rule> rules() {
        return rules.values().stream().map(e -> e.rule).toList();
    }

    // ---------------------------------------------------------------- inputs

    /** Evaluates a batch of readings against every rule; returns when the resulting transitions are stored. */
    synchronized void readings(List<Reading> batch) throws SQLException {
        Instant now = clock.instant();
        Batch b = new Batch();
        Map<String, Seen> seenNow = new HashMap<>();
        for (Reading r : batch) {
            String sk = r.deviceId() + '\u0000' + r.measurement();
            Seen s = new Seen(r.deviceId(), r.measurement(), r.topic(), now);
            seenNow.put(sk, s);
            for (RuleEvaluator e : rules.values()) {
                if (e.rule.type() == RuleType.OFFLINE || !e.rule.matches(r)) {
                    continue;
                }
                AlarmKey k = e.key(r);
                Alarm cur = b.current(k);
                apply(b, e, k, cur, e.reading(r, cur != null, now), now);
            }
        }
        List<Seen> write = new ArrayList<>();
        seenNow.forEach((k, s) -> {
            Instant w = seenWritten.get(k);
            if (w == null || Duration.between(w, s.at()).abs().compareTo(SEEN_WRITE_EVERY) >= 0) {
                write.add(s);
            }
        });
        commit(b, write, now);
        lastSeen.putAll(seenNow);
        write.forEach(s -> seenWritten.put(s.device() + '\u0000' + s.measurement(), s.at()));
        readings.addAndGet(batch.size());
    }

    /**
     * A device's status message.
     *
     * @param offline true for offline, false for online or a removed (empty) retained status
     */
    synchronized void status(String topic, String device, boolean offline) throws SQLException {
        Instant now = clock.instant();
        Batch b = new Batch();
        for (RuleEvaluator e : rules.values()) {
            if (e.rule.type() != RuleType.OFFLINE || !e.rule.matchesStatus(topic)) {
                continue;
            }
            AlarmKey k = new AlarmKey(e.rule.name(), device, "");
            Alarm cur = b.current(k);
            apply(b, e, k, cur, e.status(device, topic, offline, cur != null), now);
        }
        commit(b, List.of(), now);
    }

    /**
     * A device stopped on purpose (status "stopped"): its offline alarms clear, and stale rules forget it (their alarms
     * clear, its last-seen times are deleted) until it sends again.
     */
    synchronized void stopped(String topic, String device) throws SQLException {
        Instant now = clock.instant();
        Batch b = new Batch();
        for (RuleEvaluator e : rules.values()) {
            if (e.rule.type() == RuleType.OFFLINE && e.rule.matchesStatus(topic)) {
                AlarmKey k = new AlarmKey(e.rule.name(), device, "");
                Alarm cur = b.current(k);
                apply(b, e, k, cur, e.status(device, topic, false, cur != null), now);
            } else if (e.rule.type() == RuleType.STALE) {
                for (AlarmKey k : e.forget(device)) {
                    Alarm cur = b.current(k);
                    if (cur != null) {
                        b.clear(k, cur, now);
                    }
                }
            }
        }
        commit(b, List.of(), now);
        store.forget(device);
        seenWritten.keySet().removeIf(k -> k.startsWith(device + '\u0000'));
    }

    /** Time passed: raises stale alarms. Called periodically; any clock, also one that jumped, is fine. */
    synchronized void tick() throws SQLException {
        Instant now = clock.instant();
        Batch b = new Batch();
        for (RuleEvaluator e : rules.values()) {
            for (Map.Entry<AlarmKey, Verdict> v : e.stale(now, k -> b.current(k) != null)) {
                apply(b, e, v.getKey(), null, v.getValue(), now);
            }
        }
        commit(b, List.of(), now);
    }

    private void apply(Batch b, RuleEvaluator e, AlarmKey k, Alarm cur, Verdict v, Instant now) {
        if (v.kind() == Verdict.Kind.RAISE && cur == null) {
            Rule r = e.rule;
            Alarm a = Alarm.builder(UUID.randomUUID().toString(), r.name(), k.device(), r.severity(), now)
                    .type(r.type().label()).measurement(k.measurement()).message(r.render(v.values()))
                    .value(v.value()).limit(v.limit()).build();
            b.put(k, Transition.RAISED, a);
        } else if (v.kind() == Verdict.Kind.CLEAR && cur != null) {
            b.clear(k, cur, now);
        }
    }

    private void commit(Batch b, List<Seen> seen, Instant now) throws SQLException {
        if (b.changes.isEmpty() && seen.isEmpty()) {
            return;
        }
        List<StoredEvent> events = store.commit(b.changes, seen, now);
        for (Map.Entry<AlarmKey, Alarm> e : b.overlay.entrySet()) {
            if (e.getValue().active()) {
                active.put(e.getKey(), e.getValue());
            } else {
                active.remove(e.getKey());
            }
        }
        for (AlarmStore.Change c : b.changes) {
            if (c.transition() == Transition.RAISED) {
                raised.incrementAndGet();
            } else if (c.transition() == Transition.CLEARED) {
                cleared.incrementAndGet();
            }
            LOG.debug("Alarm {} {}: {}", c.alarm().id(), c.transition(), c.alarm().message());
        }
        if (!events.isEmpty()) {
            listeners.forEach(l -> l.accept(events));
        }
    }

    /** The transitions of one input, seen on top of the stored state until they are committed. */
    private final class Batch {
        final List<AlarmStore.Change> changes = new ArrayList<>();
        final Map<AlarmKey, Alarm> overlay = new HashMap<>();

        Alarm current(AlarmKey k) {
            Alarm a = overlay.containsKey(k) ? overlay.get(k) : active.get(k);
            return a != null && a.active() ? a : null;
        }

        void put(AlarmKey k, Transition t, Alarm a) {
            overlay.put(k, a);
            changes.add(new AlarmStore.Change(t, a));
        }

        void clear(AlarmKey k, Alarm a, Instant now) {
            put(k, Transition.CLEARED, a.cleared(now));
        }
    }

    // ---------------------------------------------------------------- AlarmService

    @Override
    public synchronized List<Alarm> active() {
        return active.values().stream().sorted(Comparator.comparing(Alarm::severity)
                .thenComparing(Alarm::raisedAt).thenComparing(Alarm::id)).toList();
    }

    @Override
    public List<Alarm> history(int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be 1..10000, not " + limit);
        }
        try {
            return store.history(limit);
        } catch (SQLException e) {
            throw new IllegalStateException("the alarm database cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Alarm> find(String id) {
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        try {
            return store.find(id.trim());
        } catch (SQLException e) {
            throw new IllegalStateException("the alarm database cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Optional<Alarm> clear(String id, String by) {
        Optional<Alarm> found = find(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        AlarmKey k = key(found.get());
        Alarm current = active.get(k);
        if (current == null || !current.id().equals(id)) {
            return Optional.empty(); // not raised (any more)
        }
        String who = by == null || by.isBlank() ? "unknown" : by.strip();
        who = who.length() > 256 ? who.substring(0, 256) : who;
        Instant now = clock.instant();
        Batch b = new Batch();
        b.clear(k, current, now);
        try {
            commit(b, List.of(), now);
        } catch (SQLException e) {
            throw new IllegalStateException("the clear could not be stored: " + e.getMessage(), e);
        }
        LOG.info("Alarm {} ({} on {}) cleared by hand by {}", current.id(), current.rule(), current.device(), who);
        return find(id);
    }

    @Override
    public synchronized Optional<Alarm> acknowledge(String id, String by) {
        Optional<Alarm> found = find(id);
        if (found.isEmpty() || found.get().acknowledged()) {
            return found;
        }
        Alarm a = found.get();
        AlarmKey k = key(a);
        Alarm current = active.get(k);
        if (current != null && current.id().equals(a.id())) {
            a = current;
        }
        String who = by == null || by.isBlank() ? "unknown" : by.strip();
        who = who.length() > 256 ? who.substring(0, 256) : who;
        Instant now = clock.instant();
        Alarm acked = a.acknowledged(who, now);
        Batch b = new Batch();
        b.changes.add(new AlarmStore.Change(Transition.ACKNOWLEDGED, acked));
        if (acked.active()) {
            b.overlay.put(k, acked);
        }
        try {
            commit(b, List.of(), now);
        } catch (SQLException e) {
            throw new IllegalStateException("the acknowledgement could not be stored: " + e.getMessage(), e);
        }
        LOG.info("Alarm {} ({} on {}) acknowledged by {}", acked.id(), acked.rule(), acked.device(), who);
        return Optional.of(acked);
    }

    private static AlarmKey key(Alarm a) {
        return new AlarmKey(a.rule(), a.device(), a.measurement());
    }

    @Override
    public void close() {
        store.close();
    }
}
