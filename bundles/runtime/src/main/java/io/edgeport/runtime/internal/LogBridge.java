package io.edgeport.runtime.internal;

import org.osgi.framework.Bundle;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
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

    @Activate
    public LogBridge(@Reference LogReaderService reader) {
        this.reader = reader;
        reader.addLogListener(this);
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
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
