package io.crontainer.scheduler.impl.runlog;

import org.ops4j.pax.logging.spi.PaxAppender;
import org.ops4j.pax.logging.spi.PaxLevel;
import org.ops4j.pax.logging.spi.PaxLoggingEvent;
import org.osgi.service.component.annotations.Component;

/**
 * Keeps the lines logged on a run's thread in that run's log: a pax-logging appender service (the
 * {@code PaxAppender} whiteboard), which the runtime's log configuration sends every event that
 * reaches the root logger ({@code log4j2.appender.runlog.type = PaxOsgi},
 * {@code filter = }{@value #NAME}). Events of threads that run no plugin cost one thread-local read.
 * The other appenders (the console, {@code data/log/crontainer.log}) get every line as before.
 *
 * <p>
 * <b>Threads.</b> {@link #doAppend} is called on the thread that logs (Log4j2's appenders are
 * synchronous in Crontainer's configuration); it never blocks, never logs and never throws.
 */
@Component(service = PaxAppender.class, property = "org.ops4j.pax.logging.appender.name=" + RunLogAppender.NAME)
public class RunLogAppender implements PaxAppender {
	/** The appender name the log configuration refers to ({@code PaxOsgi} appender's {@code filter}). */
	public static final String NAME = "crontainer.runlog";

	@Override
	public void doAppend(PaxLoggingEvent event) {
		RunLogBuffer buffer = RunLogCapture.current();
		if (buffer == null) {
			return;
		}
		try {
			String[] trace = event.getThrowableStrRep();
			buffer.add(event.getTimeStamp(), level(event.getLevel()), event.getLoggerName(), event.getRenderedMessage(),
					trace == null || trace.length == 0 ? null : String.join("\n", trace));
		} catch (RuntimeException e) {
			// a message whose toString() throws: the runtime's own appenders report it; the run's log skips it
		}
	}

	private static String level(PaxLevel level) {
		if (level == null) {
			return "INFO";
		}
		return switch (level.toLevel()) {
		case AUDIT -> "AUDIT";
		case ERROR -> "ERROR";
		case WARN -> "WARN";
		case INFO -> "INFO";
		case DEBUG -> "DEBUG";
		case TRACE -> "TRACE";
		};
	}
}
