package io.edgeport.broker.engine;

/**
 * The answer to {@link EngineHooks#authenticate}: refused, or accepted under an identity. The engine remembers the
 * identity of an accepted client until it disconnects and passes it to every later question about that client
 * ({@link EngineHooks#mayPublish} and the others).
 *
 * @param accepted whether the client may connect
 * @param identity who the client is when accepted (usually its username); empty when refused
 * @since 1.0
 */
public record ConnectDecision(boolean accepted, String identity) {

    private static final ConnectDecision REFUSED = new ConnectDecision(false, "");

    public ConnectDecision {
        identity = identity == null || !accepted ? "" : identity;
    }

    /** @param identity who the client is (null: empty) */
    public static ConnectDecision accept(String identity) {
        return new ConnectDecision(true, identity);
    }

    public static ConnectDecision refuse() {
        return REFUSED;
    }
}
