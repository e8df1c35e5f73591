package io.edgeport.telemetry.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A topic layout such as {@code sensors/{location}/{type}/{device}/reading}: literal levels and whole-level
 * placeholders {@code {location}}, {@code {type}}, {@code {device}} and {@code {*}} (any one level). {@code {location}}
 * may stand in several levels; they are joined with '/' ({@code sensors/{location}/{location}/{type}/{device}/reading}
 * reads {@code building-a/floor-1} as the location). Immutable.
 */
final class TopicTemplate {

    /** What a matching topic names; empty strings for placeholders the template does not have. */
    record Fields(String location, String type, String device) {
    }

    private enum Kind { LITERAL, LOCATION, TYPE, DEVICE, ANY }

    private final String text;
    private final Kind[] kinds;
    private final String[] literals;

    private TopicTemplate(String text, Kind[] kinds, String[] literals) {
        this.text = text;
        this.kinds = kinds;
        this.literals = literals;
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code text} */
    static TopicTemplate parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("topic template must not be empty");
        }
        String t = text.trim();
        if (t.contains("#") || t.contains("+")) {
            throw new IllegalArgumentException("topic template '" + t + "' must not contain MQTT wildcards;"
                    + " use {*} for any one level");
        }
        String[] levels = t.split("/", -1);
        Kind[] kinds = new Kind[levels.length];
        String[] literals = new String[levels.length];
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.startsWith("{") && l.endsWith("}")) {
                kinds[i] = switch (l.substring(1, l.length() - 1).toLowerCase(Locale.ROOT)) {
                    case "location" -> Kind.LOCATION;
                    case "type", "measurement" -> Kind.TYPE;
                    case "device", "id", "device_id" -> Kind.DEVICE;
                    case "*" -> Kind.ANY;
                    default -> throw new IllegalArgumentException("topic template '" + t + "': unknown placeholder "
                            + l + " (known: {location}, {type}, {device}, {*})");
                };
            } else if (l.contains("{") || l.contains("}")) {
                throw new IllegalArgumentException("topic template '" + t + "': a placeholder must be a whole level,"
                        + " not '" + l + "'");
            } else {
                kinds[i] = Kind.LITERAL;
                literals[i] = l;
            }
        }
        return new TopicTemplate(t, kinds, literals);
    }

    /** @return the fields, or null when the topic does not have this layout */
    Fields match(String topic) {
        int levels = 1;
        for (int i = 0; i < topic.length(); i++) {
            if (topic.charAt(i) == '/') {
                levels++;
            }
        }
        if (levels != kinds.length) {
            return null;
        }
        String location = "";
        String type = "";
        String device = "";
        int start = 0;
        for (int i = 0; i < kinds.length; i++) {
            int end = topic.indexOf('/', start);
            if (end < 0) {
                end = topic.length();
            }
            String level = topic.substring(start, end);
            start = end + 1;
            switch (kinds[i]) {
                case LITERAL -> {
                    if (!literals[i].equals(level)) {
                        return null;
                    }
                }
                case LOCATION -> location = location.isEmpty() ? level : location + "/" + level;
                case TYPE -> type = level;
                case DEVICE -> device = level;
                case ANY -> {
                }
            }
        }
        return new Fields(location, type, device);
    }

    /** Templates in order: the first that matches a topic wins. */
    static List<TopicTemplate> parseAll(String[] texts) {
        List<TopicTemplate> out = new ArrayList<>();
        if (texts != null) {
            for (String t : texts) {
                out.add(parse(t));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return text;
    }
}
