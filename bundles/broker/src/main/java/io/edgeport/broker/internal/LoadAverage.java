package io.edgeport.broker.internal;

/**
 * A per-minute rate smoothed over one minute, like Mosquitto's $SYS/broker/load/.../1min: every sample moves the
 * average towards the rate seen since the previous sample, weighted by how much of the minute has passed.
 * Not thread-safe: one sampling thread.
 */
final class LoadAverage {

    private double value;
    private long lastCount = -1;

    /**
     * @param count the counter's current value
     * @param seconds seconds since the previous sample (> 0)
     * @return the smoothed rate in events per minute
     */
    double sample(long count, double seconds) {
        if (lastCount < 0) {
            lastCount = count;
            return value;
        }
        double perMinute = (count - lastCount) * 60.0 / seconds;
        lastCount = count;
        double decay = Math.exp(-seconds / 60.0);
        value = perMinute + decay * (value - perMinute);
        return value;
    }
}
