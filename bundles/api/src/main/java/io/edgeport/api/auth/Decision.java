package io.edgeport.api.auth;

/** A provider's answer. {@link #NO_OPINION} passes the question to the next provider. @since 1.0 */
public enum Decision {
    ALLOW, DENY, NO_OPINION
}
