package io.edgeport.simulator.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A reading topic with the placeholders {@code {location}}, {@code {type}} and {@code {device}}, parsed once and
 * expanded per device. Immutable and thread-safe.
 */
final class TopicTemplate {

    static final List<String> PLACEHOLDERS = List.of("location", "type", "device");

    /** Literal text, or one of {@link #PLACEHOLDERS} when {@code placeholder} is true. */
    private record Part(String text, boolean placeholder) {
    }

    private final String source;
    private final List<Part> parts;

    private TopicTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    /**
     * @throws IllegalArgumentException (message without the key) on an empty template, an unknown or unclosed
     *         placeholder, a stray brace, a wildcard (+ #), a NUL or a leading '$'
     */
    static TopicTemplate parse(String template) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (template.startsWith("$")) {
            throw new IllegalArgumentException("must not start with '$' (reserved for broker topics)");
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{') {
                int end = template.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("has an unclosed '{' at position " + i);
                }
                String key = template.substring(i + 1, end);
                if (!PLACEHOLDERS.contains(key)) {
                    throw new IllegalArgumentException("has an unknown placeholder {" + Names.printable(key)
                            + "}; use {location}, {type} or {device}");
                }
                if (literal.length() > 0) {
                    parts.add(new Part(literal.toString(), false));
                    literal.setLength(0);
                }
                parts.add(new Part(key, true));
                i = end;
            } else if (c == '}') {
                throw new IllegalArgumentException("has a '}' without '{' at position " + i);
            } else if (c == '+' || c == '#' || c == 0) {
                throw new IllegalArgumentException("must not contain wildcards or NUL ('" + Names.printable(
                        String.valueOf(c)) + "' at position " + i + ")");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            parts.add(new Part(literal.toString(), false));
        }
        return new TopicTemplate(template, List.copyOf(parts));
    }

    /** True for a value that may be put into a topic: no wildcards, NUL or leading '$'. */
    static boolean isTopicPart(String s) {
        return s != null && !s.startsWith("$") && s.indexOf('+') < 0 && s.indexOf('#') < 0 && s.indexOf(0) < 0;
    }

    /** The topic of one device; the arguments are checked values (see {@link FleetSettings}). */
    String expand(String location, String type, String device) {
        StringBuilder b = new StringBuilder(source.length() + 32);
        for (Part p : parts) {
            if (!p.placeholder()) {
                b.append(p.text());
            } else {
                b.append(switch (p.text()) {
                    case "location" -> location;
                    case "type" -> type;
                    default -> device;
                });
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return source;
    }
}
