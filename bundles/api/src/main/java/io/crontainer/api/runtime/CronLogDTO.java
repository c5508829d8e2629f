package io.crontainer.api.runtime;

import java.util.List;

import org.osgi.dto.DTO;

/**
 * A data transfer object for the log one run of a cron plugin kept: the lines the plugin logged while
 * it ran (through SLF4J, the OSGi Log Service, Log4j, Commons Logging or {@code java.util.logging}, on
 * the run's thread, at the levels the runtime's log configuration lets through).
 *
 * <p>
 * A run's log is bounded: it keeps the first and the last lines of a run that logged more, and
 * {@link #omitted} counts the lines left out between them, at {@link #omittedAt}. A line too long is
 * cut, and says so at its end.
 *
 * <p>
 * Instants are UTC milliseconds since the epoch. Like every DTO this object is a snapshot, not
 * thread-safe, and not updated after it is returned.
 *
 * @since 1.4
 */
public class CronLogDTO extends DTO {
	/** The plugin's name ({@code cron.name}). Never {@code null}. */
	public String name;

	/**
	 * When the run started, in UTC epoch milliseconds: its {@link CronRunDTO#started}, which, with
	 * {@link #name}, names the run.
	 */
	public long started;

	/**
	 * Whether the run is still going: the lines so far. {@code false} for a run that is over.
	 */
	public boolean running;

	/** The lines kept, oldest first. Never {@code null}; empty for a run that logged nothing. */
	public List<CronLogLineDTO> lines;

	/** How many lines were left out (the run logged more than is kept); 0 if none. */
	public long omitted;

	/**
	 * Where in {@link #lines} the {@link #omitted} lines were left out: they came after the first
	 * {@code omittedAt} lines kept. Equal to the size of {@link #lines} when none were.
	 */
	public int omittedAt;
}
