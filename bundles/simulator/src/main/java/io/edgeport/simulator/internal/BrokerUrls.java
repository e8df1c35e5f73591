package io.edgeport.simulator.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/** Turns configured URLs and the broker's listener URIs into Paho server URIs ({@code tcp://host:port}). */
final class BrokerUrls {

    private BrokerUrls() {
    }

    /**
     * @param url {@code tcp://host[:port]} or {@code mqtt://host[:port]} (port 1883 when left out)
     * @return {@code tcp://host:port}
     * @throws IllegalArgumentException (message without the key) for any other form; TLS is not supported
     */
    static String normalize(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a URI: '" + Names.printable(url) + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("tcp") && !scheme.equals("mqtt")) {
            throw new IllegalArgumentException("must be tcp://host:port or mqtt://host:port, not '"
                    + Names.printable(url) + "'");
        }
        if (uri.getHost() == null || uri.getUserInfo() != null
                || uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")
                || uri.getQuery() != null) {
            throw new IllegalArgumentException("must be tcp://host:port or mqtt://host:port, not '"
                    + Names.printable(url) + "'");
        }
        int port = uri.getPort() < 0 ? 1883 : uri.getPort();
        return "tcp://" + loopbackIfWildcard(uri.getHost()) + ":" + port;
    }

    /** The first {@code mqtt://} listener as a Paho URI, wildcard addresses mapped to loopback; null if none. */
    static String firstMqttListener(List<String> listeners) {
        if (listeners == null) {
            return null;
        }
        for (String l : listeners) {
            if (l != null && l.toLowerCase(Locale.ROOT).startsWith("mqtt://")) {
                try {
                    return normalize(l);
                } catch (IllegalArgumentException ignored) {
                    // a listener URI we cannot use; try the next one
                }
            }
        }
        return null;
    }

    private static String loopbackIfWildcard(String host) {
        return switch (host) {
            case "0.0.0.0", "[::]", "::", "[0:0:0:0:0:0:0:0]" -> "127.0.0.1";
            default -> host;
        };
    }
}
