package io.edgeport.broker.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an {@link Engine} is started with: listeners, TLS (PEM files, as Mosquitto's cafile/certfile/keyfile),
 * store and limits. Immutable; made with {@link #builder()} (new settings get a default, so adding one is a minor
 * change). Only a new engine can apply changed settings.
 *
 * <p>{@link Builder#build()} refuses values no engine can run with (a port out of range, TLS without a key); it does
 * not check files or addresses, and its messages are for developers: a user-facing configuration validates its own
 * values first.
 *
 * @since 1.0
 */
public final class EngineSettings {

    /** Port value: the listener is off. */
    public static final int OFF = -1;
    /** Port value: any free port (see {@link Engine#boundPort}). */
    public static final int ANY_PORT = 0;
    /** Largest {@link #messageSizeLimit()}: what the packet decoder can take, less the room for topic and headers. */
    public static final int MAX_MESSAGE_SIZE_LIMIT = 256 * 1024 * 1024 - (65_535 + 16);
    /** {@link #maxKeepalive()} meaning "no limit". */
    public static final int NO_KEEPALIVE_LIMIT = 65_535;

    /** How a TLS client certificate becomes the MQTT username (Mosquitto's use_identity/subject_as_username). */
    public enum CertificateUsername {
        /** The username is what the client sent. */
        NONE,
        /** {@code use_identity_as_username}: the certificate subject's CN. */
        CN,
        /** {@code use_subject_as_username}: the full subject DN (RFC 2253). */
        SUBJECT
    }

    /** Connections that may wait for their CONNECT at once, by default. @since 1.1 */
    public static final int DEFAULT_MAX_PENDING_CONNECTS = 1024;

    private final String bindAddress;
    private final Map<Listener, Integer> ports;
    private final String websocketPath;
    private final Path cafile;
    private final Path certfile;
    private final Path keyfile;
    private final boolean requireCertificate;
    private final CertificateUsername certificateUsername;
    private final Path storeDirectory;
    private final boolean fsync;
    private final int autosaveInterval;
    private final int maxConnections;
    private final int maxKeepalive;
    private final int messageSizeLimit;
    private final int maxQueuedMessages;
    private final int maxInflightMessages;
    private final boolean allowAnonymous;
    private final boolean admitClients;
    private final int maxPendingConnects;
    private final int connectRateLimit;
    private final boolean limitLoopbackConnects;

    private EngineSettings(Builder b) {
        this.bindAddress = b.bindAddress;
        this.ports = new EnumMap<>(b.ports);
        this.websocketPath = b.websocketPath;
        this.cafile = b.cafile;
        this.certfile = b.certfile;
        this.keyfile = b.keyfile;
        this.requireCertificate = b.requireCertificate;
        this.certificateUsername = b.certificateUsername;
        this.storeDirectory = b.storeDirectory;
        this.fsync = b.fsync;
        this.autosaveInterval = b.autosaveInterval;
        this.maxConnections = b.maxConnections;
        this.maxKeepalive = b.maxKeepalive;
        this.messageSizeLimit = b.messageSizeLimit;
        this.maxQueuedMessages = b.maxQueuedMessages;
        this.maxInflightMessages = b.maxInflightMessages;
        this.allowAnonymous = b.allowAnonymous;
        this.admitClients = b.admitClients;
        this.maxPendingConnects = b.maxPendingConnects;
        this.connectRateLimit = b.connectRateLimit;
        this.limitLoopbackConnects = b.limitLoopbackConnects;
    }

    /** @return settings with every listener off and the defaults named on the {@link Builder} methods */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these settings */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return the address the client listeners bind to */
    public String bindAddress() {
        return bindAddress;
    }

    /** @return the listener's port: {@link #OFF}, {@link #ANY_PORT} or 1..65535 */
    public int port(Listener listener) {
        return ports.getOrDefault(listener, OFF);
    }

    /** @return whether the listener is to be opened */
    public boolean isOn(Listener listener) {
        return port(listener) != OFF;
    }

    public String websocketPath() {
        return websocketPath;
    }

    /** @return PEM file of the CAs client certificates are checked against, or null (no client certificates) */
    public Path cafile() {
        return cafile;
    }

    /** @return PEM file of the server certificate chain; null without TLS listeners */
    public Path certfile() {
        return certfile;
    }

    /** @return PEM file of the server's private key; null without TLS listeners */
    public Path keyfile() {
        return keyfile;
    }

    /** @return whether TLS clients must present a certificate signed by {@link #cafile()} */
    public boolean requireCertificate() {
        return requireCertificate;
    }

    public CertificateUsername certificateUsername() {
        return certificateUsername;
    }

    /** @return the folder of the store, or null when nothing is stored (sessions and retained messages in memory) */
    public Path storeDirectory() {
        return storeDirectory;
    }

    /** @return whether acknowledged messages are forced to the device (fsync), not only written to the OS */
    public boolean fsync() {
        return fsync;
    }

    /** @return seconds between store checkpoints (they bound the log replayed after a crash) */
    public int autosaveInterval() {
        return autosaveInterval;
    }

    /** @return the most connections past CONNECT at once; 0 or less: no limit */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return the largest keep-alive a client may ask for, in seconds; {@link #NO_KEEPALIVE_LIMIT}: no limit */
    public int maxKeepalive() {
        return maxKeepalive;
    }

    /** @return the largest PUBLISH payload in bytes (a client sending more is disconnected); 0: no limit */
    public int messageSizeLimit() {
        return messageSizeLimit;
    }

    /**
     * @return messages queued for a connected client above which the publishers feeding it have their
     *         acknowledgements held until it has caught up (nothing is dropped)
     */
    public int maxQueuedMessages() {
        return maxQueuedMessages;
    }

    /** @return QoS 1/2 messages in flight to one client at most */
    public int maxInflightMessages() {
        return maxInflightMessages;
    }

    /** @return whether a client without username may connect */
    public boolean allowAnonymous() {
        return allowAnonymous;
    }

    /** @return whether CONNECTs go through at once; false: held until {@link Engine#admitClients()} */
    public boolean admitClients() {
        return admitClients;
    }

    /**
     * @return the most connections that may wait for their CONNECT (or their TLS handshake) at once; more are closed
     *         as soon as they are accepted, until a waiting one sent its CONNECT or timed out. 0 or less: no limit
     * @since 1.1
     */
    public int maxPendingConnects() {
        return maxPendingConnects;
    }

    /**
     * @return connections per second one source address may open (a token bucket of as many); more are closed as
     *         soon as they are accepted. 0 or less: no limit
     * @since 1.1
     */
    public int connectRateLimit() {
        return connectRateLimit;
    }

    /**
     * @return whether {@link #connectRateLimit()} applies to loopback addresses too (by default they are exempt: the
     *         gateway's own tools and tests connect from there)
     * @since 1.1
     */
    public boolean limitLoopbackConnects() {
        return limitLoopbackConnects;
    }

    private List<Object> values() {
        return Arrays.asList(bindAddress, ports, websocketPath, cafile, certfile, keyfile, requireCertificate,
                certificateUsername, storeDirectory, fsync, autosaveInterval, maxConnections, maxKeepalive,
                messageSizeLimit, maxQueuedMessages, maxInflightMessages, allowAnonymous, admitClients,
                maxPendingConnects, connectRateLimit, limitLoopbackConnects);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EngineSettings s && values().equals(s.values());
    }

    @Override
    public int hashCode() {
        return values().hashCode();
    }

    @Override
    public String toString() {
        return "EngineSettings[bind=" + bindAddress + ", ports=" + ports + ", websocketPath=" + websocketPath
                + ", certfile=" + certfile + ", requireCertificate=" + requireCertificate + ", certificateUsername="
                + certificateUsername + ", store=" + storeDirectory + ", fsync=" + fsync + ", maxConnections="
                + maxConnections + ", messageSizeLimit=" + messageSizeLimit + ", allowAnonymous=" + allowAnonymous
                + ", admitClients=" + admitClients + "]";
    }

    /** Collects settings; not thread-safe. Each setter names its default. */
    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private final Map<Listener, Integer> ports = new EnumMap<>(Listener.class);
        private String websocketPath = "/mqtt";
        private Path cafile;
        private Path certfile;
        private Path keyfile;
        private boolean requireCertificate;
        private CertificateUsername certificateUsername = CertificateUsername.NONE;
        private Path storeDirectory;
        private boolean fsync;
        private int autosaveInterval = 30;
        private int maxConnections = -1;
        private int maxKeepalive = NO_KEEPALIVE_LIMIT;
        private int messageSizeLimit;
        private int maxQueuedMessages = 1000;
        private int maxInflightMessages = 20;
        private boolean allowAnonymous;
        private boolean admitClients = true;
        private int maxPendingConnects = DEFAULT_MAX_PENDING_CONNECTS;
        private int connectRateLimit;
        private boolean limitLoopbackConnects;

        private Builder() {
        }

        private Builder(EngineSettings s) {
            bindAddress = s.bindAddress;
            ports.putAll(s.ports);
            websocketPath = s.websocketPath;
            cafile = s.cafile;
            certfile = s.certfile;
            keyfile = s.keyfile;
            requireCertificate = s.requireCertificate;
            certificateUsername = s.certificateUsername;
            storeDirectory = s.storeDirectory;
            fsync = s.fsync;
            autosaveInterval = s.autosaveInterval;
            maxConnections = s.maxConnections;
            maxKeepalive = s.maxKeepalive;
            messageSizeLimit = s.messageSizeLimit;
            maxQueuedMessages = s.maxQueuedMessages;
            maxInflightMessages = s.maxInflightMessages;
            allowAnonymous = s.allowAnonymous;
            admitClients = s.admitClients;
            maxPendingConnects = s.maxPendingConnects;
            connectRateLimit = s.connectRateLimit;
            limitLoopbackConnects = s.limitLoopbackConnects;
        }

        /** Default {@link EngineSettings#DEFAULT_MAX_PENDING_CONNECTS}; 0 or less: no limit. @since 1.1 */
        public Builder maxPendingConnects(int max) {
            this.maxPendingConnects = max;
            return this;
        }

        /** Default 0 (no limit): connections per second per source address. @since 1.1 */
        public Builder connectRateLimit(int perSecond) {
            this.connectRateLimit = perSecond;
            return this;
        }

        /** Default false: loopback addresses are not rate limited. @since 1.1 */
        public Builder limitLoopbackConnects(boolean limit) {
            this.limitLoopbackConnects = limit;
            return this;
        }

        /** Default 127.0.0.1. */
        public Builder bindAddress(String address) {
            this.bindAddress = address;
            return this;
        }

        /** Default {@link #OFF} for every listener. */
        public Builder port(Listener listener, int port) {
            ports.put(Objects.requireNonNull(listener, "listener"), port);
            return this;
        }

        /** Default {@code /mqtt}. */
        public Builder websocketPath(String path) {
            this.websocketPath = path;
            return this;
        }

        /** The PEM files; defaults null. cafile may stay null (then no client certificates are asked for). */
        public Builder tls(Path cafile, Path certfile, Path keyfile) {
            this.cafile = cafile;
            this.certfile = certfile;
            this.keyfile = keyfile;
            return this;
        }

        /** Default false. */
        public Builder requireCertificate(boolean require) {
            this.requireCertificate = require;
            return this;
        }

        /** Default {@link CertificateUsername#NONE}; anything else needs {@link #requireCertificate}. */
        public Builder certificateUsername(CertificateUsername mode) {
            this.certificateUsername = mode;
            return this;
        }

        /** Default null: nothing is stored. */
        public Builder storeDirectory(Path directory) {
            this.storeDirectory = directory;
            return this;
        }

        /** Default false (written to the OS before acknowledging, which survives the process being killed). */
        public Builder fsync(boolean fsync) {
            this.fsync = fsync;
            return this;
        }

        /** Default 30 seconds. */
        public Builder autosaveInterval(int seconds) {
            this.autosaveInterval = seconds;
            return this;
        }

        /** Default -1 (no limit). */
        public Builder maxConnections(int max) {
            this.maxConnections = max;
            return this;
        }

        /** Default {@link #NO_KEEPALIVE_LIMIT}. */
        public Builder maxKeepalive(int seconds) {
            this.maxKeepalive = seconds;
            return this;
        }

        /** Default 0 (no limit but {@link #MAX_MESSAGE_SIZE_LIMIT}). */
        public Builder messageSizeLimit(int bytes) {
            this.messageSizeLimit = bytes;
            return this;
        }

        /** Default 1000. */
        public Builder maxQueuedMessages(int max) {
            this.maxQueuedMessages = max;
            return this;
        }

        /** Default 20. */
        public Builder maxInflightMessages(int max) {
            this.maxInflightMessages = max;
            return this;
        }

        /** Default false. */
        public Builder allowAnonymous(boolean allow) {
            this.allowAnonymous = allow;
            return this;
        }

        /** Default true. */
        public Builder admitClients(boolean admit) {
            this.admitClients = admit;
            return this;
        }

        /** @throws IllegalArgumentException naming every value no engine can run with */
        public EngineSettings build() {
            List<String> errors = new ArrayList<>();
            if (bindAddress == null || bindAddress.isBlank()) {
                errors.add("bind address missing");
            }
            List<Integer> used = new ArrayList<>();
            for (Map.Entry<Listener, Integer> e : ports.entrySet()) {
                int p = e.getValue();
                if (p < OFF || p > 65_535) {
                    errors.add(e.getKey() + " port out of range: " + p);
                } else if (p > 0 && used.contains(p)) {
                    errors.add("port " + p + " given to two listeners");
                }
                used.add(p);
            }
            if (websocketPath == null || !websocketPath.startsWith("/")) {
                errors.add("websocket path must start with '/': " + websocketPath);
            }
            if ((port(Listener.TLS) != OFF || port(Listener.WSS) != OFF) && (certfile == null || keyfile == null)) {
                errors.add("TLS listeners need a certfile and a keyfile");
            }
            if (requireCertificate && cafile == null) {
                errors.add("requireCertificate needs a cafile");
            }
            if (certificateUsername == null) {
                errors.add("certificateUsername missing");
            } else if (certificateUsername != CertificateUsername.NONE && !requireCertificate) {
                errors.add("a certificate username needs requireCertificate");
            }
            if (autosaveInterval < 1) {
                errors.add("autosave interval below 1 s: " + autosaveInterval);
            }
            if (maxKeepalive < 1 || maxKeepalive > NO_KEEPALIVE_LIMIT) {
                errors.add("max keepalive out of range: " + maxKeepalive);
            }
            if (messageSizeLimit < 0 || messageSizeLimit > MAX_MESSAGE_SIZE_LIMIT) {
                errors.add("message size limit out of range: " + messageSizeLimit);
            }
            if (maxQueuedMessages < 1) {
                errors.add("max queued messages below 1: " + maxQueuedMessages);
            }
            if (maxInflightMessages < 1 || maxInflightMessages > 65_535) {
                errors.add("max inflight messages out of range: " + maxInflightMessages);
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException("Invalid engine settings: " + String.join("; ", errors));
            }
            return new EngineSettings(this);
        }

        private int port(Listener l) {
            return ports.getOrDefault(l, OFF);
        }
    }
}
