package io.edgeport.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogReaderService;

/** Errors logged before the bridge existed reach the gateway's log once, in order; an in-JVM restart repeats none. */
class LogBridgeTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureStderr() {
        System.clearProperty(LogBridge.LAST_FORWARDED);
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
        System.clearProperty(LogBridge.LAST_FORWARDED);
    }

    @Test
    void warningsAndErrorsFromBeforeItStartedAreForwardedOnceInOrder() {
        long now = System.currentTimeMillis();
        List<LogEntry> newestFirst = List.of(
                entry(now - 1000, LogLevel.ERROR, "[io.edgeport.runtime.internal.DefaultConfigurations] failed"),
                entry(now - 1500, LogLevel.INFO, "an info line"),
                entry(now - 2000, LogLevel.WARN, "a warning first"));
        new LogBridge(reader(newestFirst));
        String out = err.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("a warning first", "DefaultConfigurations] failed").doesNotContain("an info line");
        assertThat(out.indexOf("a warning first")).isLessThan(out.indexOf("DefaultConfigurations] failed"));

        err.reset();
        new LogBridge(reader(newestFirst)); // the console's restart: a new instance, the same history
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    private static LogEntry entry(long time, LogLevel level, String message) {
        return fake(LogEntry.class, Map.of("getTime", a -> time, "getLogLevel", a -> level, "getMessage",
                a -> message, "getBundle", a -> null, "getException", a -> null, "getLoggerName", a -> "test"));
    }

    private static LogReaderService reader(List<LogEntry> newestFirst) {
        return fake(LogReaderService.class, Map.of("getLog", a -> Collections.enumeration(newestFirst),
                "addLogListener", a -> null));
    }

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Map<String, Function<Object[], Object>> methods) {
        return (T) Proxy.newProxyInstance(LogBridgeTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    Function<Object[], Object> f = methods.get(method.getName());
                    if (f == null) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return f.apply(args);
                });
    }
}
