package io.edgeport.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether an identity may publish, subscribe or receive on a topic. Register as a service; providers are
 * asked in {@code service.ranking} order until one answers {@link Decision#ALLOW} or {@link Decision#DENY}; when all
 * abstain the request is denied.
 *
 * <p>Called on broker threads for every subscription and publish: answer from memory, never block. A provider that
 * throws counts as a denial for that request.
 */
@ConsumerType
public interface Authorizer {

    /**
     * @param request the question; never null
     * @return never null
     */
    Decision authorize(AccessRequest request);
}
