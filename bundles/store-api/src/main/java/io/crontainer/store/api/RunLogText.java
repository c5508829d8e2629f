package io.crontainer.store.api;

import java.util.ArrayList;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronLogLineDTO;

/**
 * A text form of a run's log ({@link CronLogDTO}) for stores that keep it as one value (a file, a
 * {@code text} column): what both Crontainer stores write. Other stores may use it or keep logs as
 * they like.
 *
 * <p>
 * The text is UTF-8 safe and line-based. Its first line is {@code crontainer-run-log 1}, a tab, the
 * {@link CronLogDTO#omitted} count, a tab and {@link CronLogDTO#omittedAt}. Each further line is one
 * log line: its time (UTC epoch milliseconds), level, logger and message, and, if it has one, its
 * stack trace, separated by tabs; in each text a backslash is written {@code \\}, a tab {@code \t}, a
 * line feed {@code \n} and a carriage return {@code \r}. The name and start of the run are not part
 * of the text: the store keeps them beside it.
 *
 * <p>
 * Stateless and thread-safe.
 *
 * @since 1.1
 */
public final class RunLogText {
	private static final String HEADER = "crontainer-run-log 1";

	private RunLogText() {
	}

	/**
	 * The text form of a log.
	 *
	 * @param log The log. Must not be {@code null}; its {@code lines} must not be {@code null}.
	 * @return The text. Never {@code null}.
	 */
	public static String write(CronLogDTO log) {
		StringBuilder out = new StringBuilder(64 + log.lines.size() * 96);
		out.append(HEADER).append('\t').append(log.omitted).append('\t').append(log.omittedAt).append('\n');
		for (CronLogLineDTO line : log.lines) {
			out.append(line.time).append('\t');
			escape(out, line.level).append('\t');
			escape(out, line.logger).append('\t');
			escape(out, line.message);
			if (line.thrown != null) {
				escape(out.append('\t'), line.thrown);
			}
			out.append('\n');
		}
		return out.toString();
	}

	/**
	 * Reads a log from its text form.
	 *
	 * @param name The plugin's name, for {@link CronLogDTO#name}.
	 * @param started The run's start, for {@link CronLogDTO#started}.
	 * @param text The text, as {@link #write} wrote it. Must not be {@code null}.
	 * @return The log, with {@code running} false. Never {@code null}.
	 * @throws IllegalArgumentException If the text is not a log's text form (the message says where).
	 */
	public static CronLogDTO read(String name, long started, String text) {
		String[] rows = text.split("\n", -1);
		String[] header = rows[0].split("\t", -1);
		if (header.length != 3 || !header[0].equals(HEADER)) {
			throw new IllegalArgumentException("not a run log: its first line is not \"" + HEADER + "\" and two counts");
		}
		CronLogDTO log = new CronLogDTO();
		log.name = name;
		log.started = started;
		log.lines = new ArrayList<>(rows.length);
		try {
			log.omitted = Long.parseLong(header[1]);
			log.omittedAt = Integer.parseInt(header[2]);
			for (int i = 1; i < rows.length; i++) {
				if (rows[i].isEmpty() && i == rows.length - 1) {
					break;
				}
				String[] fields = rows[i].split("\t", -1);
				if (fields.length != 4 && fields.length != 5) {
					throw new IllegalArgumentException("line " + (i + 1) + " of the run log has " + fields.length
							+ " fields, not 4 or 5");
				}
				CronLogLineDTO line = new CronLogLineDTO();
				line.time = Long.parseLong(fields[0]);
				line.level = unescape(fields[1]);
				line.logger = unescape(fields[2]);
				line.message = unescape(fields[3]);
				line.thrown = fields.length == 5 ? unescape(fields[4]) : null;
				log.lines.add(line);
			}
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException("not a run log: " + e.getMessage(), e);
		}
		log.omittedAt = Math.max(0, Math.min(log.omittedAt, log.lines.size()));
		return log;
	}

	private static StringBuilder escape(StringBuilder out, String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
			case '\\' -> out.append("\\\\");
			case '\t' -> out.append("\\t");
			case '\n' -> out.append("\\n");
			case '\r' -> out.append("\\r");
			default -> out.append(c);
			}
		}
		return out;
	}

	private static String unescape(String text) {
		if (text.indexOf('\\') < 0) {
			return text;
		}
		StringBuilder out = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c != '\\' || i + 1 == text.length()) {
				out.append(c);
				continue;
			}
			char next = text.charAt(++i);
			out.append(switch (next) {
			case 't' -> '\t';
			case 'n' -> '\n';
			case 'r' -> '\r';
			default -> next;
			});
		}
		return out.toString();
	}
}
