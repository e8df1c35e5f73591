package io.edgeport.simulator.internal;

import java.util.List;
import java.util.Locale;

/**
 * What one kind of sensor measures: the physically valid range, the band a healthy building stays in (where the
 * random walk lives), the largest change per reading and the values a broken sensor reports.
 */
enum SensorType {
    TEMPERATURE("temperature", "°C", -10, 50, 15, 30, 21, 0.1, List.of(80.0, -40.0)),
    HUMIDITY("humidity", "%", 0, 100, 30, 70, 45, 0.5, List.of(120.0, -5.0)),
    PRESSURE("pressure", "hPa", 900, 1100, 990, 1030, 1013.25, 0.2, List.of(500.0, 1500.0));

    private final String id;
    private final String unit;
    final double validMin;
    final double validMax;
    final double normalMin;
    final double normalMax;
    final double start;
    final double maxStep;
    final List<Double> outliers;

    SensorType(String id, String unit, double validMin, double validMax, double normalMin, double normalMax,
            double start, double maxStep, List<Double> outliers) {
        this.id = id;
        this.unit = unit;
        this.validMin = validMin;
        this.validMax = validMax;
        this.normalMin = normalMin;
        this.normalMax = normalMax;
        this.start = start;
        this.maxStep = maxStep;
        this.outliers = outliers;
    }

    /** The name used in configuration, topics and payloads. */
    String id() {
        return id;
    }

    String unit() {
        return unit;
    }

    /** @return the type with this id (case-insensitive), or null */
    static SensorType byName(String name) {
        if (name == null) {
            return null;
        }
        for (SensorType t : values()) {
            if (t.id.equals(name.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        return null;
    }
}
