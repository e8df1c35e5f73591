package io.edgeport.auth.acl.internal;

/** How SUBSCRIBE is answered. */
enum SubscribeMode {
    /**
     * Conservative, for brokers that do not check each delivery (RECEIVE): a filter is allowed only if one read
     * grant covers all of it and no applicable deny touches it, so the subscriber can never receive a message that
     * Mosquitto's per-message read check would have withheld. Broader filters get SUBACK 0x80.
     */
    FILTER,
    /** Exactly Mosquitto 2.0.11: every SUBSCRIBE is allowed; each delivery is checked with RECEIVE. */
    MOSQUITTO
}
