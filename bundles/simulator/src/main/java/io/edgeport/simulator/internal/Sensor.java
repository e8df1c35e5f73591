package io.edgeport.simulator.internal;

import java.util.SplittableRandom;

/**
 * The value generator of one device: a bounded random walk inside the type's normal band (each step at most
 * {@code maxStep}, reflected at the band's edges), and with probability {@code outlierRate} a reading from the
 * type's list of broken-sensor values instead (the walk is not disturbed by it).
 *
 * <p>{@link #next()} must be called by one thread at a time; {@link #last()} may be read from any thread.
 */
final class Sensor {

    private final SensorType type;
    private final double outlierRate;
    private final SplittableRandom random;
    private double walk;
    private volatile double last;

    Sensor(SensorType type, double outlierRate, long seed) {
        this.type = type;
        this.outlierRate = outlierRate;
        this.random = new SplittableRandom(seed);
        // Start near the typical value, slightly different per device.
        double spread = (type.normalMax - type.normalMin) / 10;
        this.walk = clampToBand(type.start + (random.nextDouble() * 2 - 1) * spread);
        this.last = walk;
    }

    SensorType type() {
        return type;
    }

    /** The next reading (not rounded). */
    double next() {
        double step = (random.nextDouble() * 2 - 1) * type.maxStep;
        double v = walk + step;
        if (v > type.normalMax) {
            v = type.normalMax - (v - type.normalMax);
        } else if (v < type.normalMin) {
            v = type.normalMin + (type.normalMin - v);
        }
        walk = v;
        if (outlierRate > 0 && random.nextDouble() < outlierRate) {
            v = type.outliers.get(random.nextInt(type.outliers.size()));
        }
        last = v;
        return v;
    }

    /** The reading returned last (the start value before the first). */
    double last() {
        return last;
    }

    private double clampToBand(double v) {
        return Math.max(type.normalMin, Math.min(type.normalMax, v));
    }
}
