package io.edgeport.sink.jdbc.internal;

/** Makes configured or client-supplied text safe for one log line: control characters become \\uXXXX, capped. */
final class Printable {

    private static final int MAX = 200;

    private Printable() {
    }

    static String of(String s) {
        if (s == null) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 8);
        for (int i = 0; i < s.length() && b.length() < MAX; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > MAX || b.length() > MAX ? b + "..." : b.toString();
    }
}
