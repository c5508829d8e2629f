package io.crontainer.shell.impl;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;

/**
 * {@code crontainer:printable}: text made safe for a terminal, for any command whose output may hold text
 * of plugins. The distribution's {@code etc/gosh_profile} defines {@code log} as
 * {@code crontainer:printable (felix:log $args)}, so Gogo's own log command, which prints the stored log
 * messages as they are, cannot let a plugin's message retitle the terminal or move its cursor;
 * {@code felix:log} itself is unchanged. Stateless and thread-safe.
 */
@Component(service = PrintableCommand.class)
@GogoCommand(scope = "crontainer", function = "printable")
public class PrintableCommand {
	@Descriptor("Returns text with its control characters escaped (ESC as \\e, others as \\xHH), line feeds and tabs"
			+ " kept: for the output of commands that print text of plugins, as in: crontainer:printable (felix:log 20 info)."
			+ " The command log of this distribution does so.")
	public String printable(@Descriptor("the text, e.g. a command's result in parentheses") Object text) {
		return text == null ? null : Text.lines(String.valueOf(text));
	}
}
