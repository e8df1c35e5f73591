package io.edgeport.runtime.internal;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What bundles write to the OSGi Log Service (SCR's errors, the Configurator's progress) goes to the gateway's one log,
 * on one line each: a failing component's exception is named, its stack trace is kept for DEBUG. Without a Log
 * Service the Configurator would print every DEBUG line to stdout and SCR its stack traces. Present only where a
 * Log Service runs (the import is optional).
 */
@Component(immediate = true)
public final class LogBridge implements LogListener {

    private final LogReaderService reader;

    static final String LAST_FORWARDED = "edgeport.logbridge.last";

    @Activate
    public LogBridge(@Reference LogReaderService reader) {
        this.reader = reader;
        long since = Long.getLong(LAST_FORWARDED, 0L);
        long now = System.currentTimeMillis(); // what is logged from here on comes to the listener
        reader.addLogListener(this);
        List<LogEntry> missed = new ArrayList<>();
        for (Enumeration<LogEntry> e = reader.getLog(); e.hasMoreElements();) {
            LogEntry entry = e.nextElement(); // newest first
            if (entry.getTime() <= since) {
                break;
            }
            if (entry.getTime() < now
                    && (entry.getLogLevel() == LogLevel.ERROR || entry.getLogLevel() == LogLevel.WARN)) {
                missed.add(entry);
            }
        }
        for (int i = missed.size() - 1; i >= 0; i--) {
            logged(missed.get(i));
        }
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        if (entry.getTime() > Long.getLong(LAST_FORWARDED, 0L)) {
            System.setProperty(LAST_FORWARDED, Long.toString(entry.getTime()));
        }
        Bundle b = entry.getBundle();
        String source = b == null || b.getSymbolicName() == null ? "osgi" : b.getSymbolicName();
        Logger log = LoggerFactory.getLogger(source);
        Throwable t = entry.getException();
        String message = t == null ? entry.getMessage() : entry.getMessage() + ": " + t;
        switch (entry.getLogLevel()) {
            case AUDIT, ERROR -> log.error(message);
            case WARN -> log.warn(message);
            case INFO -> {
                // Framework events (loggers Events.Bundle, Events.Service, ...) and the Configurator's progress
                if (source.equals("org.apache.felix.configurator") || entry.getLoggerName().startsWith("Events.")) {
                    log.debug(message);
                } else {
                    log.info(message);
                }
            }
            default -> log.debug(message);
        }
        if (t != null && log.isDebugEnabled()) {
            log.debug(entry.getMessage(), t);
        }
    }
}
