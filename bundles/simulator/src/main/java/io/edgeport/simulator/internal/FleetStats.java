package io.edgeport.simulator.internal;

/** A snapshot of one fleet for the shell command and the summary log line. */
record FleetStats(String name, String state, String brokerUrl, int devices, int connected, long published,
        long failed, long skipped, long reconnects, long drops, long commands, String lastError) {

    /** The one-line summary logged every minute. */
    String summary() {
        return "fleet " + name + " [" + state + "] " + connected + "/" + devices + " connected to "
                + (brokerUrl == null || brokerUrl.isEmpty() ? "(no broker yet)" : brokerUrl) + ", published "
                + published + ", failed " + failed + ", skipped " + skipped + ", reconnects " + reconnects
                + ", drops " + drops + ", commands " + commands
                + (lastError == null || lastError.isEmpty() ? "" : ", last error: " + lastError);
    }
}
