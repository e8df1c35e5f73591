package io.edgeport.alerting.internal;

import java.util.List;
import java.util.function.Function;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmService;
import io.edgeport.commons.alerting.AlarmJson;

/**
 * The JSON endpoints of the console page, without servlet types. Stateless.
 * <ul>
 * <li>{@code GET alarms.json}: raised alarms; {@code ?history=N}: the N newest alarms of all states.</li>
 * <li>{@code POST ack} with {@code id} (and optionally {@code by}): acknowledges; 200 with the alarm, 404 unknown.</li>
 * </ul>
 * 400 for bad parameters, 404 for another path, 500 when the database fails.
 */
final class AlarmsApi {

    /** A status and a JSON body. */
    record Response(int status, String json) {
    }

    private AlarmsApi() {
    }

    static Response get(AlarmService alarms, String path, Function<String, String> parameters) {
        if (!last(path).equals("alarms.json")) {
            return new Response(404, error("no such resource; use alarms.json"));
        }
        try {
            String h = parameters.apply("history");
            if (h == null || h.isBlank()) {
                return new Response(200, array(alarms.active()));
            }
            int n;
            try {
                n = Integer.parseInt(h.trim());
            } catch (NumberFormatException e) {
                return new Response(400, error("history must be a number 1..10000"));
            }
            return new Response(200, array(alarms.history(n)));
        } catch (IllegalArgumentException e) {
            return new Response(400, error(e.getMessage()));
        } catch (IllegalStateException e) {
            return new Response(500, error(e.getMessage()));
        }
    }

    static Response ack(AlarmService alarms, String id, String by) {
        if (id == null || id.isBlank() || id.length() > 64) {
            return new Response(400, error("id is required"));
        }
        try {
            return alarms.acknowledge(id.trim(), by).map(a -> new Response(200, AlarmJson.of(a)))
                    .orElse(new Response(404, error("no alarm " + id.trim())));
        } catch (IllegalStateException e) {
            return new Response(500, error(e.getMessage()));
        }
    }

    static boolean isAck(String path) {
        return last(path).equals("ack");
    }

    static boolean isJson(String path) {
        return last(path).endsWith(".json");
    }

    private static String last(String path) {
        return path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
    }

    static String array(List<Alarm> list) {
        StringBuilder b = new StringBuilder("[");
        for (Alarm a : list) {
            b.append(b.length() > 1 ? "," : "").append(AlarmJson.of(a));
        }
        return b.append(']').toString();
    }

    static String error(String message) {
        String safe = message == null ? "" : message.replace("\\", "\\\\").replace("\"", "\\\"")
                .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replaceAll("[\\x00-\\x1f]", " ");
        return "{\"error\":\"" + safe + "\"}";
    }
}
