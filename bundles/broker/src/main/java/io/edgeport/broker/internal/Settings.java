package io.edgeport.broker.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Listener;

/**
 * Validated broker settings. {@link #from} either returns settings that can start a broker or throws an
 * {@link IllegalArgumentException} that names every bad value in the configuration's own terms, so a bad
 * configuration never reaches the engine; {@link #engineSettings} is what the engine is started with.
 */
record Settings(
        String bindAddress,
        int port,
        int websocketPort,
        String websocketPath,
        int tlsPort,
        int wssPort,
        Path cafile,
        Path certfile,
        Path keyfile,
        boolean requireCertificate,
        CertificateUsername identityMode,
        boolean persistence,
        Path persistenceLocation,
        String persistenceSync,
        int autosaveInterval,
        int maxConnections,
        int maxKeepalive,
        int messageSizeLimit,
        int maxQueuedMessages,
        int maxInflightMessages,
        boolean allowAnonymous,
        int sysInterval,
        int maxPendingConnects,
        int maxConnectRate,
        boolean connectRateLoopback) {

    static final int MAX_MESSAGE_SIZE = EngineSettings.MAX_MESSAGE_SIZE_LIMIT;

    static Settings from(BrokerConfig c, Path dataDir) {
        List<String> errors = new ArrayList<>();
        String bind = c.bind__address() == null ? "" : c.bind__address().trim();
        InetAddress bindAddress = null;
        if (bind.isEmpty()) {
            errors.add("bind_address must not be empty (use 127.0.0.1 or 0.0.0.0)");
        } else {
            try {
                bindAddress = InetAddress.getByName(bind);
            } catch (UnknownHostException | SecurityException e) {
                errors.add("bind_address '" + bind + "' is not an address of this machine");
            }
        }
        port(errors, "port", c.port());
        port(errors, "websocket_port", c.websocket__port());
        port(errors, "tls_port", c.tls__port());
        port(errors, "wss_port", c.wss__port());
        List<Integer> used = new ArrayList<>();
        for (int p : new int[] { c.port(), c.websocket__port(), c.tls__port(), c.wss__port() }) {
            if (p > 0 && used.contains(p)) {
                errors.add("port " + p + " is given to two listeners");
            }
            used.add(p);
        }
        if (c.port() == 0 && c.websocket__port() == 0 && c.tls__port() == 0 && c.wss__port() == 0) {
            errors.add("every listener is off: set port, websocket_port, tls_port or wss_port");
        }
        String wsPath = c.websocket__path() == null ? "" : c.websocket__path().trim();
        if (!wsPath.startsWith("/")) {
            errors.add("websocket_path must start with '/': '" + wsPath + "'");
        }
        boolean tls = c.tls__port() > 0 || c.wss__port() > 0;
        Path cafile = file(errors, "cafile", c.cafile(), c.require__certificate());
        Path certfile = file(errors, "certfile", c.certfile(), tls);
        Path keyfile = file(errors, "keyfile", c.keyfile(), tls);
        CertificateUsername identity = CertificateUsername.NONE;
        if (c.use__identity__as__username() && c.use__subject__as__username()) {
            errors.add("use_identity_as_username and use_subject_as_username exclude each other");
        } else if (c.use__identity__as__username() || c.use__subject__as__username()) {
            if (!c.require__certificate()) {
                errors.add("use_identity_as_username/use_subject_as_username need require_certificate");
            }
            identity = c.use__identity__as__username() ? CertificateUsername.CN : CertificateUsername.SUBJECT;
        }
        if (c.require__certificate() && !tls) {
            errors.add("require_certificate needs a TLS listener (tls_port or wss_port)");
        }
        if (c.max__connections() < -1 || c.max__connections() == 0) {
            errors.add("max_connections must be -1 (no limit) or positive: " + c.max__connections());
        }
        if (c.max__pending__connects() < 0) {
            errors.add("max_pending_connects must be 0 (no limit) or positive: " + c.max__pending__connects());
        }
        if (c.max__connect__rate() < 0) {
            errors.add("max_connect_rate must be 0 (no limit) or positive: " + c.max__connect__rate());
        }
        if (c.max__keepalive() < 1 || c.max__keepalive() > 65_535) {
            errors.add("max_keepalive must be 1..65535: " + c.max__keepalive());
        }
        if (c.message__size__limit() < 1 || c.message__size__limit() > MAX_MESSAGE_SIZE) {
            errors.add("message_size_limit must be 1.." + MAX_MESSAGE_SIZE + ": " + c.message__size__limit());
        }
        if (c.max__queued__messages() < 1) {
            errors.add("max_queued_messages must be positive: " + c.max__queued__messages());
        }
        if (c.max__inflight__messages() < 0 || c.max__inflight__messages() > 65_535) {
            errors.add("max_inflight_messages must be 0 (no limit) to 65535: " + c.max__inflight__messages());
        }
        String sync = c.persistence__sync() == null ? "" : c.persistence__sync().trim().toLowerCase();
        if (!sync.equals("write") && !sync.equals("fsync")) {
            errors.add("persistence_sync must be write or fsync: '" + c.persistence__sync() + "'");
        }
        if (c.autosave__interval() < 1) {
            errors.add("autosave_interval must be at least 1 second: " + c.autosave__interval());
        }
        if (c.sys__interval() < 0) {
            errors.add("sys_interval must be 0 (off) or positive: " + c.sys__interval());
        }
        boolean anonymous;
        switch (c.allow__anonymous() == null ? "" : c.allow__anonymous().trim().toLowerCase()) {
            case "auto" -> anonymous = bindAddress != null && bindAddress.isLoopbackAddress();
            case "true" -> anonymous = true;
            case "false" -> anonymous = false;
            default -> {
                errors.add("allow_anonymous must be auto, true or false: '" + c.allow__anonymous() + "'");
                anonymous = false;
            }
        }
        String location = c.persistence__location() == null ? "" : c.persistence__location().trim();
        Path store = location.isEmpty() ? dataDir.resolve("broker") : Path.of(location);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid broker configuration: " + String.join("; ", errors));
        }
        return new Settings(bind, c.port(), c.websocket__port(), wsPath, c.tls__port(), c.wss__port(), cafile,
                certfile, keyfile, c.require__certificate(), identity, c.persistence(), store.toAbsolutePath(),
                sync, c.autosave__interval(),
                c.max__connections(), c.max__keepalive(), c.message__size__limit(), c.max__queued__messages(),
                c.max__inflight__messages() == 0 ? 65_535 : c.max__inflight__messages(),
                anonymous, c.sys__interval(), c.max__pending__connects(), c.max__connect__rate(),
                c.connect__rate__loopback());
    }

    private static void port(List<String> errors, String name, int value) {
        if (value < 0 || value > 65_535) {
            errors.add(name + " must be 0 (off) or 1..65535: " + value);
        }
    }

    private static Path file(List<String> errors, String name, String value, boolean required) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            if (required) {
                errors.add(name + " is required by the TLS settings");
            }
            return null;
        }
        Path p = Path.of(v).toAbsolutePath();
        if (!Files.isReadable(p)) {
            errors.add(name + " '" + v + "' is not a readable file");
        }
        return p;
    }

    /**
     * @param admitClients false: the engine holds CONNECTs until it is told to admit clients
     * @return the engine's settings: Mosquitto's 0 (off) becomes {@link EngineSettings#OFF}
     */
    EngineSettings engineSettings(boolean admitClients) {
        return EngineSettings.builder()
                .bindAddress(bindAddress)
                .port(Listener.TCP, portOrOff(port))
                .port(Listener.TLS, portOrOff(tlsPort))
                .port(Listener.WEBSOCKET, portOrOff(websocketPort))
                .port(Listener.WSS, portOrOff(wssPort))
                .websocketPath(websocketPath)
                .tls(cafile, certfile, keyfile)
                .requireCertificate(requireCertificate)
                .certificateUsername(identityMode)
                .storeDirectory(persistence ? persistenceLocation : null)
                .fsync("fsync".equals(persistenceSync))
                .autosaveInterval(autosaveInterval)
                .maxConnections(maxConnections)
                .maxKeepalive(maxKeepalive)
                .messageSizeLimit(messageSizeLimit)
                .maxQueuedMessages(maxQueuedMessages)
                .maxInflightMessages(maxInflightMessages)
                .allowAnonymous(allowAnonymous)
                .admitClients(admitClients)
                .maxPendingConnects(maxPendingConnects)
                .connectRateLimit(maxConnectRate)
                .limitLoopbackConnects(connectRateLoopback)
                .build();
    }

    private static int portOrOff(int port) {
        return port > 0 ? port : EngineSettings.OFF;
    }
}
