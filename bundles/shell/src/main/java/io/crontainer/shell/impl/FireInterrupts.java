package io.crontainer.shell.impl;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.osgi.service.component.annotations.Component;

/**
 * Says what a Ctrl-C did to {@code cron:fire} at a console: it stopped the wait, not the run. Gogo ends
 * an interrupted command line with its own {@link InterruptedException}, whatever the command returns,
 * and the console prints only {@code java.lang.InterruptedException}; this prints one line before it, on
 * the session's standard error, e.g. {@code Stopped waiting for hung (Ctrl-C); its run goes on:
 * cron:list shows it running, cron:history hung shows how it ends.}
 *
 * <p>
 * Only for sessions with a terminal (the console of {@code bin/crontainer}, an interactive
 * {@code bin/client}): a one-shot {@code bin/client} session says it itself, with exit status 130.
 *
 * <p>
 * A {@link CommandSessionListener} (Gogo's whiteboard): Gogo calls it on the thread that ran the command
 * line, whose {@code System.err} Gogo's ThreadIO routes to the session. Stateless and thread-safe.
 */
@Component(service = CommandSessionListener.class)
public class FireInterrupts implements CommandSessionListener {

	/** The session variable of gogo.jline's terminal, set in interactive sessions only. */
	static final String TERMINAL = ".terminal";

	@Override
	public void beforeExecute(CommandSession session, CharSequence commandline) {
		// nothing to do
	}

	@Override
	public void afterExecute(CommandSession session, CharSequence commandline, Exception exception) {
		if (session.get(TERMINAL) == null) {
			return;
		}
		String name = interruptedFire(commandline.toString(), exception);
		if (name != null) {
			System.err.println(note(name));
		}
	}

	@Override
	public void afterExecute(CommandSession session, CharSequence commandline, Object result) {
		// nothing to do
	}

	/** The line for an interrupted wait of {@code cron:fire NAME}. */
	static String note(String name) {
		String shown = Text.escaped(name);
		return "Stopped waiting for " + shown + " (Ctrl-C); its run goes on: cron:list shows it running, cron:history "
				+ shown + " shows how it ends.";
	}

	/**
	 * The plugin whose {@code cron:fire} wait was interrupted.
	 *
	 * @return The name, or {@code null} if the command line is not one {@code cron:fire NAME} (without
	 *         {@code --async}) or did not end by an interrupt.
	 */
	static String interruptedFire(String commandline, Exception exception) {
		if (!(exception instanceof InterruptedException || exception != null
				&& exception.getCause() instanceof InterruptedException)) {
			return null;
		}
		String[] words = commandline.strip().split("\\s+");
		if (words.length < 2 || !words[0].equals("cron:fire") && !words[0].equals("fire")) {
			return null;
		}
		String name = null;
		for (int i = 1; i < words.length; i++) {
			if (words[i].equals("--async") || words[i].equals(";") || words[i].equals("|") || name != null) {
				return null;
			}
			name = words[i].replaceAll("^[\"']|[\"']$", "");
		}
		return name;
	}
}
