package io.crontainer.console.impl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.osgi.service.component.annotations.Component;

/**
 * Keeps the most recently active Gogo sessions strongly reachable, so that Gogo's runtime can stop
 * cleanly.
 *
 * <p>
 * Why: Gogo runtime 1.1.6 tracks sessions in a {@code WeakHashMap} and, when it stops, copies its keys
 * into an array sized by {@code size()}; a session collected without being closed, but not yet expunged,
 * is counted and then skipped, and {@code CommandProcessorImpl.stop} throws a
 * {@code NullPointerException} on the empty slot (an ERROR and a stack trace as the runtime stops). The
 * console's session is such a one: gogo.jline's activator holds it only on the console thread, which
 * ends at Ctrl-D, just as the framework starts to stop. Every session that runs a command passes here,
 * and the last {@value #KEPT} stay referenced (closed ones are harmless: Gogo has let go of them).
 *
 * <p>
 * A {@link CommandSessionListener} (Gogo's whiteboard); called on the threads that run commands;
 * thread-safe (a synchronized map).
 */
@Component(service = CommandSessionListener.class)
public class SessionKeeper implements CommandSessionListener {

	/** How many sessions are kept. */
	static final int KEPT = 32;

	/**
	 * Static: Gogo's runtime stops after this bundle (bundles stop in reverse start order), and the
	 * sessions must stay reachable until then; the bundle's classes stay loaded until the framework
	 * ends. Shared by all instances.
	 */
	private static final Map<CommandSession, Boolean> recent = Collections
			.synchronizedMap(new LinkedHashMap<CommandSession, Boolean>(KEPT, 0.75f, true) {
				private static final long serialVersionUID = 1L;

				@Override
				protected boolean removeEldestEntry(Map.Entry<CommandSession, Boolean> eldest) {
					return size() > KEPT;
				}
			});

	@Override
	public void beforeExecute(CommandSession session, CharSequence commandline) {
		recent.put(session, Boolean.TRUE);
	}

	@Override
	public void afterExecute(CommandSession session, CharSequence commandline, Exception exception) {
		// kept since beforeExecute
	}

	@Override
	public void afterExecute(CommandSession session, CharSequence commandline, Object result) {
		// kept since beforeExecute
	}

	/** @return How many sessions are kept now. */
	static int kept() {
		return recent.size();
	}
}
