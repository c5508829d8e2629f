package io.crontainer.itests.support;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Runs Gogo commands in a test, as an operator would type them (requires the {@code shell} feature).
 * Thread-safe: each call uses its own session.
 */
public final class Gogo {

	private Gogo() {
	}

	/**
	 * Executes one command line and returns what it printed followed by its result, formatted as the
	 * console would show it.
	 *
	 * @param context A bundle context, e.g. the test's injected one. Must not be {@code null}.
	 * @param commandLine E.g. {@code "lb"} or {@code "cron:list"}. Must not be {@code null}.
	 * @return Printed output, then the formatted result (if not {@code null}).
	 * @throws IllegalStateException If no {@link CommandProcessor} is registered.
	 * @throws Exception What the command threw.
	 */
	public static String execute(BundleContext context, String commandLine) throws Exception {
		ServiceReference<CommandProcessor> ref = context.getServiceReference(CommandProcessor.class);
		if (ref == null) {
			throw new IllegalStateException("No Gogo CommandProcessor: boot the \"shell\" feature");
		}
		CommandProcessor processor = context.getService(ref);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
				CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
			Object result = session.execute(commandLine);
			if (result != null) {
				out.println(session.format(result, 1)); // Converter.INSPECT
			}
		} finally {
			context.ungetService(ref);
		}
		return bytes.toString(StandardCharsets.UTF_8);
	}
}
