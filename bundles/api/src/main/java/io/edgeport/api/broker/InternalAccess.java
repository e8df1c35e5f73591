package io.edgeport.api.broker;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a component inside the gateway (a sink pipeline, a rule engine) connects to the broker as an ordinary MQTT
 * client: a loopback listener that only such clients may use, a reserved client id and credentials that are valid
 * while the broker component is active. The broker trusts these clients: no authentication provider or ACL is asked
 * about them, and they are not counted against {@code max_connections}. Their in-flight window is large (4096), so a
 * client that acknowledges after committing a batch is not starved.
 *
 * <p>Devices cannot take over these sessions: {@link #CLIENT_ID_PREFIX} is refused on every other listener.
 *
 * @param uri for example {@code tcp://127.0.0.1:40123} (Paho's scheme)
 * @param clientId {@link #CLIENT_ID_PREFIX} followed by the name asked for
 * @param username user name to present
 * @param password password to present; never log it
 * @since 1.1
 */
public record InternalAccess(String uri, String clientId, String username, String password) {

    /** Client ids that only internal clients may use. */
    public static final String CLIENT_ID_PREFIX = "edgeport-internal-";

    /** What a name given to {@link BrokerService#internalAccess(String)} may contain. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public InternalAccess {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "InternalAccess[" + uri + ", " + clientId + "]"; // never the password
    }
}
