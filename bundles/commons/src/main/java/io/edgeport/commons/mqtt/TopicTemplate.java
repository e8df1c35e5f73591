package io.edgeport.commons.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A topic layout such as {@code sensors/{location}/{type}/{device}/reading}, the one grammar for the topics devices
 * publish on: the simulator expands it per device, the telemetry pipeline reads topics with it. Levels are literal or
 * whole-level placeholders: {@code {location}}, {@code {type}} (alias {@code {measurement}}), {@code {device}} (aliases
 * {@code {id}}, {@code {device_id}}) and, for reading only, {@code {*}} (any one level). {@code {location}} may stand
 * in several levels: they are joined with '/' when read ({@code sensors/{location}/{location}/{type}/{device}/reading}
 * reads {@code building-a/floor-1} as the location), and a location with '/' fills them when expanded. Immutable and
 * thread-safe.
 */
public final class TopicTemplate {

    /** What a matching topic names; empty strings for placeholders the template does not have. */
    public record Fields(String location, String type, String device) {
    }

    private enum Kind { LITERAL, LOCATION, TYPE, DEVICE, ANY }

    private final String text;
    private final Kind[] kinds;
    private final String[] literals;
    private final int locationLevels;

    private TopicTemplate(String text, Kind[] kinds, String[] literals) {
        this.text = text;
        this.kinds = kinds;
        this.literals = literals;
        int n = 0;
        for (Kind k : kinds) {
            n += k == Kind.LOCATION ? 1 : 0;
        }
        this.locationLevels = n;
    }

    /** @throws IllegalArgumentException naming the template and what is wrong with it */
    public static TopicTemplate parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("topic template must not be empty");
        }
        String t = text.trim();
        if (t.startsWith("$")) {
            throw new IllegalArgumentException("topic template '" + t + "' must not start with '$' (reserved for"
                    + " broker topics)");
        }
        if (t.contains("#") || t.contains("+") || t.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("topic template '" + t.replace('\0', '?') + "' must not contain MQTT"
                    + " wildcards or NUL; use {*} for any one level");
        }
        String[] levels = t.split("/", -1);
        Kind[] kinds = new Kind[levels.length];
        String[] literals = new String[levels.length];
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.startsWith("{") && l.endsWith("}") && l.indexOf('{', 1) < 0) {
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

    /** Templates in order: the first that matches a topic wins. */
    public static List<TopicTemplate> parseAll(String[] texts) {
        List<TopicTemplate> out = new ArrayList<>();
        if (texts != null) {
            for (String t : texts) {
                out.add(parse(t));
            }
        }
        return out;
    }

    /** @return whether {@link #expand} can build topics from it (no {@code {*}}) */
    public boolean expandable() {
        for (Kind k : kinds) {
            if (k == Kind.ANY) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the fields, or null when the topic does not have this layout
     */
    public Fields match(String topic) {
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

    /**
     * The topic of one device. With one {@code {location}} level the location goes there whole ('/' included); with
     * several, its '/'-separated parts fill them in order.
     *
     * @throws IllegalArgumentException when the template has {@code {*}}, or several location levels and the location
     *         has another number of parts
     */
    public String expand(String location, String type, String device) {
        String[] parts = locationLevels > 1 ? location.split("/", -1) : new String[] {location};
        if (locationLevels > 1 && parts.length != locationLevels) {
            throw new IllegalArgumentException("topic template '" + text + "' has " + locationLevels + " location"
                    + " levels; location '" + location + "' has " + parts.length);
        }
        StringBuilder b = new StringBuilder(text.length() + 32);
        int loc = 0;
        for (int i = 0; i < kinds.length; i++) {
            if (i > 0) {
                b.append('/');
            }
            switch (kinds[i]) {
                case LITERAL -> b.append(literals[i]);
                case LOCATION -> b.append(parts[loc++]);
                case TYPE -> b.append(type);
                case DEVICE -> b.append(device);
                case ANY -> throw new IllegalArgumentException("topic template '" + text + "' has {*}: it can read"
                        + " topics, not make them");
            }
        }
        return b.toString();
    }

    /** @return whether {@code s} may be put into a topic level by {@link #expand}: no wildcards, NUL or leading '$' */
    public static boolean isValue(String s) {
        return s != null && !s.startsWith("$") && s.indexOf('+') < 0 && s.indexOf('#') < 0 && s.indexOf(0) < 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
