package io.crontainer.scheduler.impl.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.CronPluginBase;
import io.crontainer.scheduler.impl.whiteboard.Settings;

/**
 * Plugin calls with deadlines: asks a plugin's {@code enabled()} and {@code interval()} on the call
 * pool, never on the caller's thread, each call with a time limit ({@code call.timeout}) kept in the
 * {@link DueQueue}, where the timer finds a call that overran it.
 *
 * <p>
 * A plugin whose {@code enabled()} is the interface's or {@link CronPluginBase}'s (always
 * {@code true}) is not asked: with {@code cron.interval} set too, a plugin is resolved on the
 * whiteboard thread with no hand-off at all.
 *
 * <p>
 * Threads: {@link #prepare} is called with the engine's lock held (it queues the call's deadline,
 * counted from the submission); {@link #ask} only submits. The call thread takes no lock: it
 * publishes when each plugin method starts in the {@link Call}'s volatile fields, and the timer, when
 * the deadline comes, re-arms it from the actual start ({@link #due}) or declares the call overdue.
 * The answer goes to {@link Answers} on the call thread.
 */
public final class PluginCalls {

	/**
	 * The executor of plugin calls. It must never let a call wait behind a call that hangs: the
	 * {@link CallPool} adds a thread whenever every call thread is inside a plugin.
	 */
	public interface Calls extends Executor {
		static Calls of(Executor executor) {
			return executor::execute;
		}
	}

	/**
	 * A call of a plugin's methods, with its time limit. {@link #method}, {@link #started} and
	 * {@link #done} are written by the call thread without a lock; the rest is guarded by the engine's
	 * lock.
	 */
	static final class Call extends Due {
		final Job job;
		/** The method being called, {@code null} before the first. */
		volatile String method;
		/** When the current method was called, epoch ms; 0 before. */
		volatile long started;
		/** Whether the call is over. */
		volatile boolean done;
		/** Whether it overran its time limit. */
		boolean overdue;
		/**
		 * What {@link Resolutions} parses the answer with, so that it parses without the engine's lock:
		 * the job's name, its interval's zone, and the instant and expression its {@code ?} fields were
		 * last anchored to. Written under the lock before the call is submitted (the submission orders
		 * it before the call thread's reads) and by the call thread under the lock when they turned out
		 * stale.
		 */
		String name;
		ZoneId zone;
		Instant createdAt;
		String createdFor;

		Call(Job job) {
			this.job = job;
			this.name = job.name();
		}

		@Override
		void come(Parts parts, Instant now, List<Runnable> out) {
			parts.callDeadline(this, now, out);
		}
	}

	/**
	 * What a plugin answered.
	 *
	 * @param enabled What {@code enabled()} (or {@code cron.enabled}) said; {@code null} if it failed.
	 * @param expression What {@code interval()} (or {@code cron.interval}) said; {@code null} if not
	 *        asked (disabled) or it failed or returned null.
	 * @param error Why the plugin is invalid; {@code null} if it answered.
	 */
	record Answer(Boolean enabled, String expression, String error) {
	}

	/** Receives an answer, on the call thread, with no lock held. */
	interface Answers {
		void answered(Call call, int generation, Answer answer);
	}

	private static final ClassValue<Boolean> ALWAYS_ENABLED = new ClassValue<>() {
		@Override
		protected Boolean computeValue(Class<?> type) {
			try {
				Class<?> declarer = type.getMethod("enabled").getDeclaringClass();
				return declarer == CronPlugin.class || declarer == CronPluginBase.class;
			} catch (NoSuchMethodException | SecurityException e) {
				return false;
			}
		}
	};

	private final DueQueue due;
	private final Clock clock;
	private final Calls executor;
	private final Supplier<Duration> timeout;
	private final Answers answers;

	PluginCalls(DueQueue due, Clock clock, Calls executor, Supplier<Duration> timeout, Answers answers) {
		this.due = due;
		this.clock = clock;
		this.executor = executor;
		this.timeout = timeout;
		this.answers = answers;
	}

	/** What enabled() says without asking: the property, or {@code true} if the plugin keeps the default. */
	static Boolean enabledWithoutAsking(Settings settings, CronPlugin service) {
		if (settings.enabled() != null) {
			return settings.enabled();
		}
		return ALWAYS_ENABLED.get(service.getClass()) ? Boolean.TRUE : null;
	}

	/** A new call of a job's plugin, its deadline queued. Lock held. */
	Call prepare(Job job) {
		Call call = new Call(job);
		job.call = call;
		due.schedule(call, clock.millis() + timeout.get().toMillis());
		return call;
	}

	/** Asks a plugin on the call pool; the answer goes to {@link Answers}. Only submits: no lock needed. */
	void ask(Call call, int generation, CronPlugin service, Settings settings) {
		try {
			executor.execute(() -> call(call, generation, service, settings));
		} catch (RejectedExecutionException e) {
			call.done = true;
			answers.answered(call, generation, new Answer(null, null, "the scheduler is stopping"));
		}
	}

	/**
	 * Runs on a call thread, without any lock. While the plugin is called the thread's name carries the
	 * plugin's name ({@code crontainer-call-2 [NAME]}, as run threads do), so that a thread dump shows
	 * which plugin a hung call belongs to; it is restored after.
	 */
	private void call(Call call, int generation, CronPlugin service, Settings settings) {
		Thread thread = Thread.currentThread();
		String threadName = thread.getName();
		thread.setName(threadName + " [" + call.name + "]");
		Answer answer;
		try {
			answer = answer(call, service, settings);
		} finally {
			thread.setName(threadName);
		}
		call.done = true;
		answers.answered(call, generation, answer);
	}

	/** Calls the plugin's methods and says what they answered; never throws. */
	private Answer answer(Call call, CronPlugin service, Settings settings) {
		String method = "enabled()";
		Answer answer;
		try {
			Boolean enabled = enabledWithoutAsking(settings, service);
			if (enabled == null) {
				call.method = method;
				call.started = clock.millis();
				enabled = service.enabled();
			}
			if (!enabled) {
				answer = new Answer(false, null, null);
			} else {
				String expression = settings.interval();
				if (expression == null) {
					method = "interval()";
					call.method = method;
					call.started = clock.millis();
					expression = service.interval();
				}
				answer = expression == null ? new Answer(true, null, "interval() returned null")
						: new Answer(true, expression, null);
			}
		} catch (Throwable t) { // a plugin's failure, whatever it is, stays with that plugin
			answer = new Answer(null, null, method + " threw " + Texts.describe(t));
			if (t instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
		}
		return answer;
	}

	/**
	 * A call's deadline came (timer thread, lock held). A call still queued, or whose current method
	 * started less than the time limit ago, has its deadline moved; one past it is overdue (its thread
	 * stays inside the plugin; the pool has given other calls threads of their own all along).
	 *
	 * @return Why the plugin is invalid now; {@code null} if the call is not overdue.
	 */
	String due(Call call, long now) {
		if (call.done || call.overdue) {
			return null;
		}
		long limit = timeout.get().toMillis();
		long started = call.started;
		if (started == 0 || now < started + limit) {
			due.schedule(call, (started == 0 ? now : started) + limit);
			return null;
		}
		call.overdue = true;
		return call.method + " did not return within " + timeout.get().toSeconds()
				+ " s; it is asked again once it returns";
	}

	/** A call is over and answered (lock held): its deadline goes. */
	void ended(Call call) {
		due.cancel(call);
		if (call.job.call == call) {
			call.job.call = null;
		}
	}
}
