package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The elastic run pool, with real threads: it is the primitive that isolates plugins. */
class RunPoolTest {
	/** A prefix of this test's own: threads of another test's pool may still be ending. */
	private final String prefix = "test-run" + System.identityHashCode(this);
	private final RunPool pool = new RunPool(prefix);
	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void tearDown() {
		release.countDown();
		pool.shutdown();
	}

	/** The pool's live threads, the spawner not counted. */
	private long threads() {
		return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().matches(prefix + "-\\d+.*"))
				.count();
	}

	private void hang(CountDownLatch entered) {
		entered.countDown();
		while (true) {
			try {
				release.await();
				return;
			} catch (InterruptedException e) {
				// ignored, as a badly written plugin does
			}
		}
	}

	/** Makes each of the pool's core threads enter a task that hangs until the test ends. */
	private void occupyTheCoreThreads() throws InterruptedException {
		CountDownLatch entered = new CountDownLatch(RunPool.CORE);
		for (int i = 0; i < RunPool.CORE; i++) {
			pool.execute(() -> hang(entered));
		}
		assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
	}

	/**
	 * {@link RunPool#awaitDrained} with a bound of 10 minutes, called on a thread of its own as the timer
	 * does: the future completes with its result when it returns.
	 */
	private java.util.concurrent.CompletableFuture<Boolean> awaitDrainedOnAnotherThread() {
		java.util.concurrent.CompletableFuture<Boolean> drained = new java.util.concurrent.CompletableFuture<>();
		Thread timer = new Thread(() -> drained.complete(pool.awaitDrained(TimeUnit.MINUTES.toNanos(10))),
				"test-awaiting-drain");
		timer.setDaemon(true);
		timer.start();
		return drained;
	}

	@Test
	void aQueuedTaskGetsAThreadWhenEveryThreadHangs() throws Exception {
		int hung = 10;
		CountDownLatch entered = new CountDownLatch(hung);
		for (int i = 0; i < hung; i++) {
			pool.execute(() -> hang(entered));
		}
		assertThat(entered.await(10, TimeUnit.SECONDS)).as("every hung task got a thread").isTrue();
		CountDownLatch ran = new CountDownLatch(1);
		pool.execute(ran::countDown);
		assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(threads()).as("no more threads than tasks running, plus one").isLessThanOrEqualTo(hung + 1);
	}

	@Test
	void aBurstOfShortTasksIsDrainedWithoutAThreadEach() throws Exception {
		int tasks = 10_000;
		CountDownLatch done = new CountDownLatch(tasks);
		for (int i = 0; i < tasks; i++) {
			pool.execute(done::countDown);
		}
		assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(threads()).isLessThan(100);
	}

	@Test
	void aThreadThatFindsTheQueueEmptyWakesTheOneAwaitingTheDrain() throws Exception {
		occupyTheCoreThreads();
		CountDownLatch ran = new CountDownLatch(1);
		pool.execute(ran::countDown); // waits: a thread is added for it within a millisecond, or one is freed
		assertThat(pool.waiting()).isTrue();
		java.util.concurrent.CompletableFuture<Boolean> drained = awaitDrainedOnAnotherThread();
		assertThat(drained.get(10, TimeUnit.SECONDS)).as("woken when the task was taken, long before its bound")
				.isTrue();
		assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void theThreadThatTakesTheLastQueuedTaskWakesTheOneAwaitingTheDrainWhileTheTaskRuns() throws Exception {
		occupyTheCoreThreads();
		CountDownLatch last = new CountDownLatch(1);
		pool.execute(() -> hang(last)); // waits: a thread is added for it within a millisecond; it lasts too
		java.util.concurrent.CompletableFuture<Boolean> drained = awaitDrainedOnAnotherThread();
		assertThat(drained.get(10, TimeUnit.SECONDS))
				.as("woken as the last task was taken, while every task still runs: no thread found the queue empty")
				.isTrue();
		assertThat(last.await(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void aNamedTaskRunsUnderItsLabelAndTheThreadCarriesItsOwnNameAgainWhenIdle() throws Exception {
		String[] names = new String[3];
		Thread[] threads = new Thread[1];
		CountDownLatch done = new CountDownLatch(1);
		pool.execute(RunPool.named("a", () -> {
			threads[0] = Thread.currentThread();
			names[0] = threads[0].getName();
			// Queued before this task ends: the same thread takes them next, without waiting.
			pool.execute(RunPool.named("b", () -> names[1] = Thread.currentThread().getName()));
			pool.execute(() -> {
				names[2] = Thread.currentThread().getName();
				done.countDown();
			});
		}));
		assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(names[0]).matches(prefix + "-\\d+ \\[a\\]");
		assertThat(names[1]).as("the next run, under its own label").matches(prefix + "-\\d+ \\[b\\]");
		assertThat(names[2]).as("a task without a label, under the thread's own name").matches(prefix + "-\\d+");
		io.crontainer.scheduler.impl.testing.Await.until("the idle thread named " + prefix + "-N again",
				() -> threads[0].getName().matches(prefix + "-\\d+"));
	}

	@Test
	void threadsAddedForHungTasksWaitAsSparesOnceFreeSoThatABurstWakesTheCoreThreadsOnly() throws Exception {
		int hung = 6;
		CountDownLatch entered = new CountDownLatch(hung);
		for (int i = 0; i < hung; i++) {
			pool.execute(() -> hang(entered));
		}
		assertThat(entered.await(10, TimeUnit.SECONDS)).as("every hung task got a thread").isTrue();
		int threads = pool.threads();
		assertThat(threads).isGreaterThanOrEqualTo(hung);
		release.countDown(); // they all return
		io.crontainer.scheduler.impl.testing.Await.until("all but " + RunPool.CORE + " threads parked as spares",
				() -> pool.spares() == threads - RunPool.CORE);
		// A burst: the queue signals the threads that wait on it, the core ones; the spares stay parked.
		CountDownLatch done = new CountDownLatch(1000);
		for (int i = 0; i < 1000; i++) {
			pool.execute(done::countDown);
		}
		assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(pool.threads()).as("no thread ended or was added").isEqualTo(threads);
	}

	@Test
	void threadsAddedForHungTasksEndOnceIdleButTheCoreThreadsStay() throws Exception {
		RunPool quick = new RunPool(prefix + "-short", RunPool.CORE, TimeUnit.MILLISECONDS.toNanos(200));
		try {
			int hung = RunPool.CORE + 3;
			CountDownLatch entered = new CountDownLatch(hung);
			for (int i = 0; i < hung; i++) {
				quick.execute(() -> hang(entered)); // a thread is added for each beyond the core ones
			}
			assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(quick.threads()).isEqualTo(hung);
			release.countDown(); // all free now: the core ones wait on the queue, the others as spares or in a poll
			io.crontainer.scheduler.impl.testing.Await.until("the threads beyond the core ones ended",
					() -> quick.threads() == RunPool.CORE);
			// Idle for ten keep-alives more: the core threads never end, whichever way they waited (a
			// negative, so watched for a while: it failed within the first keep-alive before).
			CountDownLatch ran = new CountDownLatch(1);
			long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
			while (System.nanoTime() < until) {
				assertThat(quick.threads()).as("threads of the pool").isEqualTo(RunPool.CORE);
				java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
			}
			quick.execute(ran::countDown);
			assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
		} finally {
			quick.shutdown();
		}
	}

	@Test
	void aSpareIsWokenBeforeAThreadIsStartedWhenEveryFreeThreadHangs() throws Exception {
		CountDownLatch entered = new CountDownLatch(4);
		CountDownLatch first = new CountDownLatch(1);
		for (int i = 0; i < 4; i++) {
			pool.execute(() -> {
				entered.countDown();
				try {
					first.await();
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
			});
		}
		assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
		first.countDown();
		io.crontainer.scheduler.impl.testing.Await.until("two spares", () -> pool.spares() == pool.threads() - RunPool.CORE);
		int threads = pool.threads();
		int spares = pool.spares();
		CountDownLatch hungAgain = new CountDownLatch(RunPool.CORE);
		for (int i = 0; i < RunPool.CORE; i++) {
			pool.execute(() -> hang(hungAgain)); // the core threads hang
		}
		assertThat(hungAgain.await(10, TimeUnit.SECONDS)).isTrue();
		CountDownLatch ran = new CountDownLatch(1);
		pool.execute(ran::countDown);
		assertThat(ran.await(10, TimeUnit.SECONDS)).as("a spare took it").isTrue();
		assertThat(pool.threads()).as("no thread started").isEqualTo(threads);
		assertThat(spares).isPositive();
	}

	@Test
	void awaitingADrainedPoolReturnsAtOnce() {
		assertThat(pool.awaitDrained(TimeUnit.MINUTES.toNanos(10))).isTrue();
	}

	@Test
	void shutdownEndsEveryIdleThread() throws Exception {
		CountDownLatch ran = new CountDownLatch(1);
		pool.execute(ran::countDown);
		assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
		pool.shutdown();
		for (Thread thread : Thread.getAllStackTraces().keySet()) {
			if (thread.getName().startsWith(prefix + "-")) {
				thread.join(10_000);
				assertThat(thread.isAlive()).as(thread.getName()).isFalse();
			}
		}
		assertThat(threads()).isZero();
	}

	@Test
	void shutdownNowInterruptsTheTasksGoingOn() throws Exception {
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch interrupted = new CountDownLatch(1);
		pool.execute(() -> {
			entered.countDown();
			try {
				release.await();
			} catch (InterruptedException e) {
				interrupted.countDown(); // a plugin call that hangs is told to stop
			}
		});
		assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
		pool.shutdownNow();
		assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the task was interrupted").isTrue();
	}

	@Test
	void aCallPoolAddsNoThreadForABurstOfShortCalls() throws Exception {
		CallPool calls = new CallPool(2, prefix + "-call");
		try {
			int tasks = 10_000;
			CountDownLatch done = new CountDownLatch(tasks);
			for (int i = 0; i < tasks; i++) {
				calls.execute(done::countDown);
			}
			assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
			// A direct hand-off added a thread whenever both were between two calls (about 50 here, at a load
			// average of 40), each of which ended later, waking up while nothing was due. This pool added 0 to 2
			// at that load: it adds one only when no call was taken for a millisecond.
			assertThat(calls.threads()).as("threads added for short calls").isLessThan(20);
		} finally {
			calls.shutdownNow();
		}
	}
}
