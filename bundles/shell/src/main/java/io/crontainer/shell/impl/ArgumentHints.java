package io.crontainer.shell.impl;

import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.osgi.service.component.annotations.Component;

/**
 * Says what a command expected when Gogo could not match its arguments to any of its methods: Gogo's
 * own message ({@code Cannot coerce history(Token, Token) to any of [...]}) names Java types, not the
 * command's usage. After such a failure this prints one line to the session's standard error, e.g.
 * {@code cron:history: wrong arguments "a b"; usage: cron:history [-n N] [NAME] (help cron:history
 * explains them)}; the console then shows Gogo's message as before.
 *
 * <p>
 * A {@link CommandSessionListener} (Gogo's whiteboard): Gogo calls it on the thread that ran the
 * command line, whose {@code System.err} Gogo's ThreadIO routes to the session. Stateless and
 * thread-safe.
 */
@Component(service = CommandSessionListener.class)
public class ArgumentHints implements CommandSessionListener {

	private static final String COERCE = "Cannot coerce ";

	/** The usage of each cron command, as {@code help} and the README give it. */
	static final Map<String, String> USAGE = Map.ofEntries(
			Map.entry("list", "cron:list [-a]"),
			Map.entry("info", "cron:info NAME"),
			Map.entry("fire", "cron:fire [--async] NAME"),
			Map.entry("history", "cron:history [-n N] [NAME]"),
			Map.entry("log", "cron:log NAME [RUN]"),
			Map.entry("pause", "cron:pause [-r TEXT] NAME"),
			Map.entry("resume", "cron:resume NAME"),
			Map.entry("reset", "cron:reset [--since ISO-DATE-TIME] [--force] NAME"),
			Map.entry("rerun", "cron:rerun --from ISO-DATE-TIME [--to ISO-DATE-TIME] [--split interval|once] [--dry-run] [--by WHO]"
					+ " NAME | cron:rerun --cancel NAME | cron:rerun NAME"),
			Map.entry("next", "cron:next [-n N] [-z ZONE] [-f FROM] [--name NAME] \"INTERVAL\""),
			Map.entry("names", "cron:names"));

	@Override
	public void beforeExecute(CommandSession session, CharSequence commandline) {
		// nothing to do
	}

	@Override
	public void afterExecute(CommandSession session, CharSequence commandline, Exception exception) {
		String hint = hint(commandline.toString(), exception);
		if (hint != null) {
			System.err.println(hint);
		}
	}

	@Override
	public void afterExecute(CommandSession session, CharSequence commandline, Object result) {
		// nothing to do
	}

	/**
	 * The hint for a failed command line.
	 *
	 * @return One line, or {@code null} if the failure is not Gogo's argument mismatch.
	 */
	static String hint(String commandline, Exception exception) {
		String message = exception == null ? null : exception.getMessage();
		if (!(exception instanceof IllegalArgumentException) || message == null || !message.startsWith(COERCE)) {
			return null;
		}
		int paren = message.indexOf('(');
		if (paren < 0) {
			return null;
		}
		String function = message.substring(COERCE.length(), paren);
		String[] words = commandline.strip().split("\\s+");
		for (int i = 0; i < words.length; i++) {
			String word = words[i];
			boolean cron = word.equals("cron:" + function) || word.equals(function) && USAGE.containsKey(function);
			if (!word.equals(function) && !word.endsWith(":" + function)) {
				continue;
			}
			StringBuilder given = new StringBuilder();
			for (int j = i + 1; j < words.length && !words[j].equals(";") && !words[j].equals("|"); j++) {
				given.append(given.length() == 0 ? "" : " ").append(words[j]);
			}
			String what = given.length() == 0 ? "no arguments" : "wrong arguments \"" + given + "\"";
			if (cron && USAGE.containsKey(function)) {
				return word + ": " + what + "; usage: " + USAGE.get(function) + " (help cron:" + function
						+ " explains them)";
			}
			return word + ": " + what + "; help " + word + " shows what it takes";
		}
		return null;
	}
}
