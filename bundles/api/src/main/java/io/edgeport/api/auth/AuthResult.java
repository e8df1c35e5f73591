package io.edgeport.api.auth;

import java.util.Objects;

/**
 * Answer of an {@link Authenticator}.
 *
 * @param outcome allow, deny or abstain
 * @param identity the identity the client gets when allowed (usually the username); empty otherwise
 * @param reason why a client was denied, for the log; never contains the password
 * @since 1.0
 */
public record AuthResult(Decision outcome, String identity, String reason) {

    private static final AuthResult ABSTAIN = new AuthResult(Decision.NO_OPINION, "", "");

    public AuthResult {
        Objects.requireNonNull(outcome, "outcome");
        identity = identity == null ? "" : identity;
        reason = reason == null ? "" : reason;
    }

    public static AuthResult allow(String identity) {
        return new AuthResult(Decision.ALLOW, identity, "");
    }

    public static AuthResult deny(String reason) {
        return new AuthResult(Decision.DENY, "", reason);
    }

    public static AuthResult abstain() {
        return ABSTAIN;
    }
}
