package io.edgeport.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether a connecting client may connect and under which identity. Register as a service; providers are
 * asked in {@code service.ranking} order until one returns a definite answer.
 *
 * <p>Called on a broker thread while the client waits for its CONNACK: answer quickly. A provider that throws or
 * takes longer than the broker's time limit counts as a denial for that request and is logged once.
 */
@ConsumerType
public interface Authenticator {

    /**
     * @param request what the client presented; never null
     * @return allow (with the identity to use), deny (with a reason for the log), or abstain; never null
     */
    AuthResult authenticate(ConnectRequest request);
}
