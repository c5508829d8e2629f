package io.crontainer.scheduler.impl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.CronPluginBase;

/**
 * Plugin calls with deadlines: asks a plugin's {@code enabled()} and {@code interval()} on the call
 * pool, never on the caller's thread, and puts each call's time limit ({@code call.timeout}) in the
 * {@link DueQueue}, where the timer finds a call that overran it.
 *
 * <p>
 * A plugin whose {@code enabled()} is the interface's or {@link CronPluginBase}'s (always
 * {@code true}) is not asked: with {@code cron.interval} set too, a plugin is resolved on the
 * whiteboard thread with no hand-off at all.
 *
 * <p>
 * Threads: {@link #ask} is called by the engine with its lock held and only submits; the call thread
 * takes the engine's lock briefly to start and end a call's deadline, never while calling the plugin.
 * {@link #overdue} is called by the timer thread with the lock held.
 */
final class PluginCalls {

	/** The executor of plugin calls, told when a call overruns its time limit and when it returns. */
	interface Calls extends Executor {
		/**
		 * A call has overrun its time limit ({@code true}) or, having overrun, returned ({@code false}).
		 * A pool adds a thread for each call stuck so that other plugins are still answered.
		 */
		void stuck(boolean stuck);

		static Calls of(Executor executor) {
			return new Calls() {
				@Override
				public void execute(Runnable command) {
					executor.execute(command);
				}

				@Override
				public void stuck(boolean stuck) {
					// nothing to resize
				}
			};
		}
	}

	/** A call of a plugin method in progress, with its time limit. Guarded by the engine's lock. */
	static final class Call extends Due {
		final Job job;
		final String method;
		boolean overdue;

		Call(Job job, String method) {
			this.job = job;
			this.method = method;
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
		void answered(Job job, int generation, Answer answer);
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

	private final Object lock;
	private final DueQueue due;
	private final Clock clock;
	private final Calls executor;
	private final Supplier<Duration> timeout;
	private final Answers answers;

	PluginCalls(Object lock, DueQueue due, Clock clock, Calls executor, Supplier<Duration> timeout, Answers answers) {
		this.lock = lock;
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

	/** Asks a plugin on the call pool; the answer goes to {@link Answers}. Only submits: no lock needed. */
	void ask(Job job, int generation, CronPlugin service, Settings settings) {
		try {
			executor.execute(() -> call(job, generation, service, settings));
		} catch (RejectedExecutionException e) {
			answers.answered(job, generation, new Answer(null, null, "the scheduler is stopping"));
		}
	}

	/** Runs on a call thread. */
	private void call(Job job, int generation, CronPlugin service, Settings settings) {
		String method = "enabled()";
		Answer answer;
		Call call = null;
		try {
			Boolean enabled = enabledWithoutAsking(settings, service);
			if (enabled == null) {
				call = start(job, method);
				enabled = service.enabled();
				end(call);
				call = null;
			}
			if (!enabled) {
				answer = new Answer(false, null, null);
			} else {
				String expression = settings.interval();
				if (expression == null) {
					method = "interval()";
					call = start(job, method);
					expression = service.interval();
					end(call);
					call = null;
				}
				answer = expression == null ? new Answer(true, null, "interval() returned null")
						: new Answer(true, expression, null);
			}
		} catch (Throwable t) { // a plugin's failure, whatever it is, stays with that plugin
			if (call != null) {
				end(call);
			}
			answer = new Answer(null, null, method + " threw " + Scheduler.describe(t));
			if (t instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
		}
		answers.answered(job, generation, answer);
	}

	private Call start(Job job, String method) {
		Call call = new Call(job, method);
		synchronized (lock) {
			job.call = call;
			due.schedule(call, clock.millis() + timeout.get().toMillis());
		}
		return call;
	}

	private void end(Call call) {
		boolean overdue;
		synchronized (lock) {
			due.cancel(call);
			if (call.job.call == call) {
				call.job.call = null;
			}
			overdue = call.overdue;
		}
		if (overdue) {
			executor.stuck(false);
		}
	}

	/**
	 * A call overran its time limit: the pool gets a thread more while it is stuck. Timer thread, lock
	 * held; the pool is resized after the lock is released.
	 *
	 * @return Why the plugin is invalid now.
	 */
	String overdue(Call call, java.util.List<Runnable> out) {
		call.overdue = true;
		out.add(() -> executor.stuck(true));
		return call.method + " did not return within " + timeout.get().toSeconds()
				+ " s; it is asked again once it returns";
	}

	static Instant epochMillis(long millis) {
		return Instant.ofEpochMilli(millis);
	}
}
