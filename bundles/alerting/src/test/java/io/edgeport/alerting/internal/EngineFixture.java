package io.edgeport.alerting.internal;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import io.edgeport.api.alerting.Transition;

/** An engine on an H2 file in a test directory, with a hand-moved clock. */
final class EngineFixture implements AutoCloseable {

    final Path dir;
    final TestClock clock;
    AlarmEngine engine;

    EngineFixture(Path dir) throws SQLException {
        this(dir, new TestClock(Fixtures.T0));
    }

    EngineFixture(Path dir, TestClock clock) throws SQLException {
        this.dir = dir;
        this.clock = clock;
        this.engine = open();
    }

    AlarmEngine open() throws SQLException {
        return new AlarmEngine(AlarmStore.open("jdbc:h2:file:" + dir.resolve("alerting")), clock);
    }

    /** Simulates a gateway restart: closes the engine and starts a new one on the same database. */
    AlarmEngine restart() throws SQLException {
        engine.close();
        engine = open();
        return engine;
    }

    /** Every event stored so far, as "transition device". */
    List<String> events() throws SQLException {
        return engine.store().eventsAfter(0, 10_000).stream()
                .map(e -> e.event().transition().name().toLowerCase() + " " + e.event().alarm().device()
                        + (e.event().alarm().measurement().isEmpty() ? "" : "/" + e.event().alarm().measurement()))
                .toList();
    }

    long count(Transition t) throws SQLException {
        return engine.store().eventsAfter(0, 10_000).stream().filter(e -> e.event().transition() == t).count();
    }

    Instant now() {
        return clock.instant();
    }

    @Override
    public void close() {
        engine.close();
    }
}
