package io.edgeport.console.internal;

/** A writer of the Prometheus text exposition format 0.0.4: HELP and TYPE lines, samples, escaped label values. */
final class Metrics {

    private final StringBuilder b = new StringBuilder();

    void help(String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    void gauge(String name, String help, long value) {
        help(name, "gauge", help);
        b.append(name).append(' ').append(value).append('\n');
    }

    void counter(String name, String help, long value) {
        help(name, "counter", help);
        b.append(name).append(' ').append(value).append('\n');
    }

    void sample(String name, String label, String value, long v) {
        b.append(name).append('{').append(label).append("=\"").append(escape(value)).append("\"} ").append(v)
                .append('\n');
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    String text() {
        return b.toString();
    }
}
