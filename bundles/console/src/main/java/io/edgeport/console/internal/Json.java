package io.edgeport.console.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** A small JSON object writer for the dashboard's figures (numbers, booleans, short texts). Not thread-safe. */
final class Json {

    private final StringBuilder b = new StringBuilder("{");
    private boolean first = true;

    private Json key(String k) {
        if (!first) {
            b.append(',');
        }
        first = false;
        string(b, k);
        b.append(':');
        return this;
    }

    Json field(String k, long v) {
        key(k).b.append(v);
        return this;
    }

    Json field(String k, double v) {
        key(k).b.append(number(v));
        return this;
    }

    Json field(String k, boolean v) {
        key(k).b.append(v);
        return this;
    }

    Json field(String k, String v) {
        key(k);
        if (v == null) {
            b.append("null");
        } else {
            string(b, v);
        }
        return this;
    }

    Json raw(String k, String json) {
        key(k).b.append(json);
        return this;
    }

    Json object(String k, Consumer<Json> body) {
        Json o = new Json();
        body.accept(o);
        return raw(k, o.end());
    }

    <T> Json array(String k, Collection<T> items, BiConsumer<T, Json> body) {
        StringBuilder a = new StringBuilder("[");
        for (T item : items) {
            Json o = new Json();
            body.accept(item, o);
            a.append(a.length() == 1 ? "" : ",").append(o.end());
        }
        return raw(k, a.append(']').toString());
    }

    String end() {
        return b.append('}').toString();
    }

    static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "0";
    }

    static void string(StringBuilder b, String s) {
        io.edgeport.commons.text.JsonText.string(b, s);
    }
}
