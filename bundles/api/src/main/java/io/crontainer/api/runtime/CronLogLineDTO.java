package io.crontainer.api.runtime;

import org.osgi.dto.DTO;

/**
 * A data transfer object for one line of a run's log ({@link CronLogDTO}): one logging call of the
 * plugin, with the stack trace of the exception it logged, if any.
 *
 * <p>
 * The texts are as the plugin logged them: they may hold any character, control characters and
 * markup included, and must be escaped for the medium they are shown in. Like every DTO this object
 * is a snapshot, not thread-safe, and not updated after it is returned.
 *
 * @since 1.4
 */
public class CronLogLineDTO extends DTO {
	/** When the line was logged, in UTC epoch milliseconds. */
	public long time;

	/** The level: {@code ERROR}, {@code WARN}, {@code INFO}, {@code DEBUG} or {@code TRACE}. Never {@code null}. */
	public String level;

	/** The logger's name, usually a class name. Never {@code null}. */
	public String logger;

	/** The message, its placeholders filled in. Never {@code null}. */
	public String message;

	/**
	 * The stack trace of the exception logged with the message, its lines separated by line feeds;
	 * {@code null} if none was.
	 */
	public String thrown;
}
