package io.edgeport.alerting.internal;

/** What an alarm is raised once for: a rule, a device and (for measurement rules) the measurement. */
record AlarmKey(String rule, String device, String measurement) {

    /** The unique key of the active alarm in the database. */
    String dbKey() {
        return rule + '\u0000' + device + '\u0000' + measurement;
    }
}
