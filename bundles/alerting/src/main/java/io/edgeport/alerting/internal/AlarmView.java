package io.edgeport.alerting.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.Severity;

/**
 * What the Alarms page shows: a filter (severity, device or rule text, acknowledged or not), an order and a page of
 * the history. Built from request parameters; anything unknown means "no filter" / the default order.
 */
record AlarmView(Severity severity, String text, boolean unacknowledgedOnly, String sort, boolean descending,
        int page) {

    static final int PAGE_SIZE = 50;
    /** The most history the page pages through. */
    static final int MAX_HISTORY = 10_000;

    static AlarmView of(Function<String, String> param) {
        Severity s = null;
        String sv = param.apply("severity");
        if (sv != null && !sv.isBlank()) {
            try {
                s = Severity.parse(sv);
            } catch (IllegalArgumentException e) {
                s = null;
            }
        }
        String text = param.apply("q") == null ? "" : param.apply("q").strip();
        String sort = param.apply("sort");
        sort = sort == null || !List.of("severity", "raised", "device", "rule").contains(sort) ? "severity" : sort;
        int page;
        try {
            page = Math.max(0, Integer.parseInt(param.apply("page") == null ? "0" : param.apply("page")));
        } catch (NumberFormatException e) {
            page = 0;
        }
        page = Math.min(page, MAX_HISTORY / PAGE_SIZE - 1);
        return new AlarmView(s, text.length() > 200 ? text.substring(0, 200) : text,
                "on".equals(param.apply("unack")) || "true".equals(param.apply("unack")), sort,
                !"asc".equals(param.apply("dir")), page);
    }

    boolean matches(Alarm a) {
        if (severity != null && a.severity() != severity) {
            return false;
        }
        if (unacknowledgedOnly && a.acknowledged()) {
            return false;
        }
        if (!text.isEmpty()) {
            String t = text.toLowerCase(Locale.ROOT);
            return a.device().toLowerCase(Locale.ROOT).contains(t) || a.rule().toLowerCase(Locale.ROOT).contains(t)
                    || a.message().toLowerCase(Locale.ROOT).contains(t);
        }
        return true;
    }

    private Comparator<Alarm> order() {
        Comparator<Alarm> c = switch (sort) {
            case "raised" -> Comparator.comparing(Alarm::raisedAt);
            case "device" -> Comparator.comparing(Alarm::device);
            case "rule" -> Comparator.comparing(Alarm::rule);
            default -> Comparator.comparing((Alarm a) -> -a.severity().ordinal()).thenComparing(Alarm::raisedAt,
                    Comparator.reverseOrder());
        };
        return descending ? c.reversed() : c;
    }

    /** The raised alarms to show. */
    List<Alarm> active(List<Alarm> all) {
        return all.stream().filter(this::matches).sorted(order()).toList();
    }

    /** This page of the matching history (newest first), and whether there is a next page. */
    record Page(List<Alarm> alarms, boolean more) {
    }

    Page history(List<Alarm> newestFirst) {
        List<Alarm> matching = newestFirst.stream().filter(this::matches).toList();
        int from = Math.min(page * PAGE_SIZE, matching.size());
        int to = Math.min(from + PAGE_SIZE, matching.size());
        return new Page(matching.subList(from, to), to < matching.size());
    }

    /** @return the query string of this view with {@code key} set to {@code value} (for links) */
    String with(String key, String value) {
        StringBuilder b = new StringBuilder();
        Stream.of(new String[][] { { "severity", severity == null ? "" : severity.name().toLowerCase(Locale.ROOT) },
            { "q", text }, { "unack", unacknowledgedOnly ? "on" : "" }, { "sort", sort },
            { "dir", descending ? "desc" : "asc" }, { "page", Integer.toString(page) } }).forEach(kv -> {
                String v = kv[0].equals(key) ? value : kv[1];
                if (v != null && !v.isEmpty()) {
                    b.append(b.length() == 0 ? "?" : "&").append(kv[0]).append('=')
                            .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
                }
            });
        return b.toString();
    }
}
