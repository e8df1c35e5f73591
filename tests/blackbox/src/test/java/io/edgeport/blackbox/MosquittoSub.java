package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * mosquitto_sub in the background with its output read as it comes (line-buffered through stdbuf, debug on), so a
 * test can wait until the subscription is really in place (SUBACK) before publishing — under load, starting the
 * process and subscribing can take longer than any fixed pause.
 */
final class MosquittoSub implements AutoCloseable {

    private final Process process;
    private final Thread reader;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    MosquittoSub(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("stdbuf", "-oL", "mosquitto_sub", "-d"));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // process ended
            }
        }, "mosquitto_sub-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits (bounded) until the broker has answered the SUBSCRIBE. */
    MosquittoSub awaitSubscribed() {
        await("mosquitto_sub's SUBACK").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(lines()).as("mosquitto_sub's output")
                        .anyMatch(l -> l.contains("received SUBACK")));
        return this;
    }

    private List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Waits for the process to end (bounded) and returns its message lines (those starting with the prefix). */
    List<String> messages(String prefix, long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(5_000); // the reader drained the pipe: it ends at the end of the process's output
        synchronized (lines) {
            return lines.stream().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
