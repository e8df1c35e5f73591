package io.edgeport.simulator.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The JSON documents devices send, built by hand (no JSON library at runtime). UTF-8. Thread-safe. */
final class Payloads {

    /** ISO-8601 UTC with milliseconds, always three digits: {@code 2026-11-27T13:05:31.123Z}. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Payloads() {
    }

    static String timestamp(Instant t) {
        return TIME.format(t);
    }

    /** The value rounded half-up to two decimals, as a JSON number. */
    static String number(double v) {
        return BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    static byte[] reading(String deviceId, SensorType type, double value, Instant time, long seq) {
        return utf8("{\"device_id\":" + string(deviceId) + ",\"measurement\":" + string(type.id()) + ",\"value\":"
                + number(value) + ",\"unit\":" + string(type.unit()) + ",\"timestamp\":" + string(timestamp(time))
                + ",\"seq\":" + seq + "}");
    }

    static byte[] status(String deviceId, boolean online, Instant time) {
        return status(deviceId, online ? "online" : "offline", time);
    }

    /** @param status "online", "offline" (the Last Will) or "stopped" (a planned stop: no failure) */
    static byte[] status(String deviceId, String status, Instant time) {
        return utf8("{\"device_id\":" + string(deviceId) + ",\"status\":" + string(status)
                + ",\"timestamp\":" + string(timestamp(time)) + "}");
    }

    /** @param resultJson the result as a JSON value (use {@link #string(String)} for text) */
    static byte[] response(String deviceId, String command, boolean ok, String resultJson) {
        return utf8("{\"device_id\":" + string(deviceId) + ",\"command\":" + string(command) + ",\"ok\":" + ok
                + ",\"result\":" + resultJson + "}");
    }

    /** A JSON string literal. */
    static String string(String s) {
        return io.edgeport.commons.text.JsonText.string(s);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
