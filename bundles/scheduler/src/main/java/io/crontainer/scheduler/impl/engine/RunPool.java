package io.crontainer.scheduler.impl.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that runs execute on: an elastic pool that never lets a run wait behind a plugin that
 * does not return. The calls of {@code enabled()} and {@code interval()} have a pool of their own of
 * this kind ({@link CallPool}).
 *
 * <p>
 * Runs wait in one queue; threads take them in turn, so a burst of short runs (a thousand plugins due
 * in the same second) is drained by the {@link #CORE} threads without a hand-off per run. A thread
 * counts as <em>free</em> while it waits on the queue (not inside a task, nor parked as a spare,
 * below). When tasks wait, no thread is free and no task was taken for {@link #STALL_NANOS} (every
 * thread is inside a run that lasts), the pool's
 * spawner thread ({@code crontainer-run-spawner}) adds one: starting a thread costs up to a
 * millisecond here, which neither the timer thread that submits nor a run thread ever pays, and a
 * burst of short runs adds none. Hence a queued run always has a thread within about a millisecond,
 * however many plugins hang; and since a thread is added only when every thread is inside a run that
 * lasts, and the engine never runs a plugin twice at once, there are never more threads than
 * running plugins, plus one. Beyond the core threads, a thread idle for {@link #KEEP_ALIVE_SECONDS}
 * ends; since a burst of short tasks adds no thread, none is left to end later, when nothing is due.
 *
 * <p>
 * At most {@link #CORE} free threads wait on the queue: a thread that finds it empty while that many
 * wait already parks as a <em>spare</em> (no longer free), and the spawner wakes the latest spare
 * before it starts a thread. So a burst wakes the core threads only (the queue hands each waiting
 * thread a signal, and on 2 cores more threads than cores cost context switches and contention, not
 * speed), however many threads earlier hung plugins made the pool start; a spare idle for
 * {@link #KEEP_ALIVE_SECONDS} ends too, as long as the pool keeps its core threads.
 *
 * <p>
 * A task given as {@link #named} runs on a thread named {@code prefix-N [label]} (a run: its plugin's
 * name), from its first instruction to its last; any other task runs under the thread's own name
 * {@code prefix-N}, which the thread carries again before it waits for work. A thread that takes the
 * next task of a burst at once renames itself only for that task, so a run costs one rename, not two.
 *
 * <p>
 * Thread-safe and lock-free (atomic counters, a concurrent queue, park and unpark). The runs' pool
 * is called by the timer thread, the store's committer thread and operators' threads
 * ({@link #execute}), the calls' by the whiteboard, timer and operators' threads; both by their own
 * threads, and by the component as it stops ({@link #shutdown}, {@link #shutdownNow}).
 */
public final class RunPool implements Executor {
	static final long KEEP_ALIVE_SECONDS = 60;
	/**
	 * Threads started at once and kept when idle (a thread idle for the keep-alive ends only while the
	 * pool has more), so that a burst never starts cold.
	 */
	static final int CORE = 2;
	/** How long waiting tasks see no progress before a thread is added. */
	static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
	private static final Logger LOG = LoggerFactory.getLogger(RunPool.class);

	private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
	private final String prefix;
	private final int core;
	private final long keepAliveNanos;
	/** The pool's threads alive now, for {@link #shutdownNow()}. */
	private final Set<Thread> live = ConcurrentHashMap.newKeySet();
	private final AtomicInteger threads = new AtomicInteger();
	private final AtomicInteger free = new AtomicInteger();
	private final AtomicInteger numbers = new AtomicInteger();
	/** Tasks taken so far: the spawner's measure of progress. */
	private final AtomicInteger taken = new AtomicInteger();
	private final AtomicBoolean spawnWanted = new AtomicBoolean();
	/** Threads parked as spares, the latest first: the spawner wakes one before it starts a thread. */
	private final java.util.concurrent.ConcurrentLinkedDeque<Spare> spares = new java.util.concurrent.ConcurrentLinkedDeque<>();
	/** The thread parked in {@link #awaitDrained}, if any: the worker that takes the last task queued unparks it. */
	private volatile Thread drainWaiter;
	private final Thread spawner;
	private volatile boolean shutdown;

	/**
	 * A task that a thread of this pool runs under the name {@code prefix-N [label]}; another executor
	 * runs it as it is.
	 *
	 * @param label What the thread works for (a plugin's name). Must not be {@code null}.
	 * @param task The task.
	 */
	public record Named(String label, Runnable task) implements Runnable {
		@Override
		public void run() {
			task.run();
		}
	}

	/** A task run on a thread named {@code prefix-N [label]} by this pool ({@link Named}). */
	public static Runnable named(String label, Runnable task) {
		return new Named(label, task);
	}

	/** A thread parked as a spare; {@link #woken} once the spawner took it, which counted it as free again. */
	private static final class Spare {
		final Thread thread = Thread.currentThread();
		volatile boolean woken;
	}

	/** A pool of {@link #CORE} threads kept, named {@code prefix-N}. */
	public RunPool(String prefix) {
		this(prefix, CORE);
	}

	/**
	 * @param prefix The prefix of the threads' names ({@code prefix-N}, and {@code prefix-spawner}).
	 * @param core The threads started at once and kept when idle, at least 1.
	 */
	RunPool(String prefix, int core) {
		this(prefix, core, TimeUnit.SECONDS.toNanos(KEEP_ALIVE_SECONDS));
	}

	/**
	 * @param prefix The prefix of the threads' names ({@code prefix-N}, and {@code prefix-spawner}).
	 * @param core The threads started at once and kept when idle, at least 1.
	 * @param keepAliveNanos How long a thread beyond the core ones stays idle before it ends, in ns (tests
	 *        shorten it; {@link #KEEP_ALIVE_SECONDS} otherwise).
	 */
	RunPool(String prefix, int core, long keepAliveNanos) {
		if (core < 1) {
			throw new IllegalArgumentException("a pool keeps at least one thread, not " + core);
		}
		this.prefix = prefix;
		this.core = core;
		this.keepAliveNanos = keepAliveNanos;
		this.spawner = new Thread(this::spawnLoop, prefix + "-spawner");
		this.spawner.setDaemon(true);
		this.spawner.start();
		for (int i = 0; i < core; i++) {
			spawn();
		}
	}

	@Override
	public void execute(Runnable task) {
		if (shutdown) {
			throw new RejectedExecutionException("the scheduler is stopping");
		}
		queue.add(task);
		if (free.get() == 0) {
			wantThread();
		}
	}

	/** Refuses new tasks; threads end once idle. Queued tasks are dropped. */
	public void shutdown() {
		shutdown = true;
		queue.clear();
		LockSupport.unpark(spawner);
		for (Spare spare : spares) {
			LockSupport.unpark(spare.thread); // it sees the shutdown and ends
		}
		for (int i = threads.get(); i > 0; i--) {
			queue.add(() -> {
				// wakes an idle thread so that it sees the shutdown and ends
			});
		}
	}

	/** Whether tasks wait for a thread; any thread, lock-free. */
	public boolean waiting() {
		return !queue.isEmpty();
	}

	/**
	 * Parks the calling thread until no task waits for a thread, or {@code nanos} passed: the thread of
	 * the pool that takes the last task queued unparks it, and so does one that finds the queue empty
	 * (the timer awaits a burst's start so, without polling). May return sooner (an unpark meant for the
	 * caller, such as {@code Timer.wake}, or a spurious wake-up). One caller at a time (the timer
	 * thread); lock-free.
	 *
	 * @return Whether no task waits now.
	 */
	public boolean awaitDrained(long nanos) {
		if (queue.isEmpty()) {
			return true;
		}
		drainWaiter = Thread.currentThread();
		try {
			// Volatile write, then read: a worker that finds the queue empty after this read sees the waiter.
			if (!queue.isEmpty()) {
				LockSupport.parkNanos(this, nanos);
			}
		} finally {
			drainWaiter = null;
		}
		return queue.isEmpty();
	}

	/** How many threads are parked as spares now (tests). */
	int spares() {
		return spares.size();
	}

	/** How many threads the pool has now (the spawner not counted). */
	int threads() {
		return threads.get();
	}

	/**
	 * As {@link #shutdown()}, and interrupts the tasks going on (a plugin call that hangs is told to
	 * stop); their threads end once the tasks return.
	 */
	public void shutdownNow() {
		shutdown();
		for (Thread thread : live) {
			thread.interrupt();
		}
	}

	private void wantThread() {
		if (spawnWanted.compareAndSet(false, true)) {
			LockSupport.unpark(spawner);
		}
	}

	/** The spawner: adds a thread while tasks wait, no thread is free and none makes progress. */
	private void spawnLoop() {
		while (!shutdown) {
			if (!spawnWanted.getAndSet(false)) {
				LockSupport.park(this);
				continue;
			}
			while (!shutdown && free.get() == 0 && !queue.isEmpty()) {
				int before = taken.get();
				LockSupport.parkNanos(this, STALL_NANOS);
				if (!shutdown && free.get() == 0 && !queue.isEmpty() && taken.get() == before) {
					Spare spare = spares.pollFirst();
					if (spare != null) {
						free.incrementAndGet();
						spare.woken = true;
						LockSupport.unpark(spare.thread);
					} else {
						spawn();
					}
				}
			}
		}
	}

	/**
	 * Parks the calling thread, no longer counted as free, as a spare until the spawner wakes it (then
	 * it is counted as free again), or until the keep-alive passes or the pool shuts down.
	 *
	 * @return Whether the spawner woke it; {@code false}: it is to end.
	 */
	private boolean spare() {
		Spare me = new Spare();
		spares.addFirst(me);
		if (free.get() == 0 && !queue.isEmpty()) {
			wantThread(); // a task came while this thread still counted as free
		}
		long deadline = System.nanoTime() + keepAliveNanos;
		while (!me.woken && !shutdown) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				break;
			}
			LockSupport.parkNanos(this, left);
			Thread.interrupted(); // a late interrupt meant for a plugin: ignored here
		}
		if (me.woken || !spares.remove(me)) {
			while (!me.woken) { // taken by the spawner just now: it sets woken, then unparks this thread
				LockSupport.park(this);
			}
			return true;
		}
		return false;
	}

	/**
	 * Counts the calling thread out of the pool if the pool has more than its core threads, so that
	 * idle threads that end at once never leave fewer than {@link #core}.
	 *
	 * @return Whether it was counted out (it is to end).
	 */
	private boolean retire() {
		for (int n = threads.get(); n > core; n = threads.get()) {
			if (threads.compareAndSet(n, n - 1)) {
				return true;
			}
		}
		return false;
	}

	private void spawn() {
		threads.incrementAndGet();
		free.incrementAndGet();
		Thread thread = new Thread(this::work, prefix + "-" + numbers.incrementAndGet());
		thread.setDaemon(true);
		try {
			thread.start();
		} catch (OutOfMemoryError | RuntimeException e) {
			threads.decrementAndGet();
			free.decrementAndGet();
			LOG.error("Cannot start a thread {}-N ({} exist); queued tasks wait for a free one", prefix, threads.get(), e);
			LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
			wantThread();
		}
	}

	private void work() {
		Thread thread = Thread.currentThread();
		String name = thread.getName();
		String label = null; // the label of the name the thread carries now; null: its own name
		live.add(thread);
		while (!shutdown) {
			Runnable task = queue.poll();
			if (task == null) {
				Thread waiter = drainWaiter;
				if (waiter != null) {
					LockSupport.unpark(waiter); // every waiting task has its thread, and this one is free now
				}
				if (label != null) {
					thread.setName(name); // idle: its own name again, before it waits
					label = null;
				}
				int idle = free.get();
				if (idle > core && free.compareAndSet(idle, idle - 1)) {
					// Enough free threads wait on the queue: this one parks as a spare.
					if (spare()) {
						continue; // woken by the spawner, counted as free again
					}
					if (retire()) {
						live.remove(thread);
						return; // idle for the keep-alive: it ends (no longer counted as free)
					}
					free.incrementAndGet(); // one of the core threads now: it stays, free
					continue;
				}
				try {
					task = threads.get() <= core ? queue.take() : queue.poll(keepAliveNanos, TimeUnit.NANOSECONDS);
				} catch (InterruptedException e) {
					continue; // a late interrupt meant for a plugin: ignored here
				}
				if (task == null) {
					if (retire()) {
						live.remove(thread);
						if (free.decrementAndGet() == 0 && !queue.isEmpty() && !shutdown) {
							wantThread(); // a task was queued while this thread still counted as free
						}
						return; // idle for the keep-alive while more than the core threads: it ends
					}
					continue; // the others ended first: this one is a core thread now, and stays
				}
			}
			taken.incrementAndGet();
			if (free.decrementAndGet() == 0 && !queue.isEmpty()) {
				wantThread(); // everyone is busy and runs wait: someone must take them
			}
			Thread waiter;
			if ((waiter = drainWaiter) != null && queue.isEmpty()) {
				LockSupport.unpark(waiter); // every task queued has its thread now
			}
			String wanted = task instanceof Named named ? named.label() : null;
			if (!java.util.Objects.equals(wanted, label)) {
				thread.setName(wanted == null ? name : name + " [" + wanted + "]");
				label = wanted;
			}
			try {
				task.run();
			} catch (RuntimeException | Error e) {
				LOG.error("A task of {} failed", prefix, e);
			} finally {
				Thread.interrupted(); // a late interrupt was meant for the plugin
				free.incrementAndGet();
			}
		}
		live.remove(Thread.currentThread());
		threads.decrementAndGet();
		if (free.decrementAndGet() == 0 && !queue.isEmpty() && !shutdown) {
			wantThread(); // a task was queued while this thread still counted as free
		}
	}
}
