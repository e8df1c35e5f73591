package io.edgeport.commons.text;

/**
 * Makes configured, file- or client-supplied text safe for one log line: control characters become {@code \\uXXXX}
 * and the length is capped at {@value #MAX} characters (then {@code ...} follows).
 */
public final class Printable {

    static final int MAX = 200;

    private Printable() {
    }

    /** @return the text fit for a log line; {@code (none)} for null */
    public static String of(String s) {
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
