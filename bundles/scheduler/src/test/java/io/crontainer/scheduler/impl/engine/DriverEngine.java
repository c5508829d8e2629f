package io.crontainer.scheduler.impl.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;

import io.crontainer.scheduler.impl.store.LocalStateStore;

/**
 * The engine on its production threads (timer, run pool, call pool, the local store's committer in a
 * temporary directory, deleted on close) without OSGi, as {@link BurstDriver} and {@link IdleDriver} drive it;
 * not a test. The wall clock, zone UTC. Closed by the thread that opened it.
 */
final class DriverEngine implements AutoCloseable {
	final LocalStateStore store;
	/** The store's temporary directory, deleted on {@link #close()}. */
	private final java.nio.file.Path dir;
	final RunPool runs = new RunPool("crontainer-run");
	final Scheduler scheduler;
	final Timer timer;

	/** Starts the engine, its state in a new temporary directory named after {@code what}. */
	DriverEngine(String what) throws IOException {
		dir = Files.createTempDirectory(what);
		store = new LocalStateStore(dir);
		Clock clock = Clock.systemUTC();
		scheduler = new Scheduler(clock, runs, new CallPool(2, "crontainer-call"), store,
				new Scheduler.Options(ZoneId.of("UTC"), Duration.ofMinutes(5), Duration.ofSeconds(10),
						Duration.ofSeconds(5), 10),
				() -> {
				}, Events.NONE);
		store.gatherWhile(() -> scheduler.handingOver() || runs.waiting()); // as the scheduler component wires it
		timer = new Timer(clock, scheduler::tick, "crontainer-timer");
		scheduler.timer(timer);
		timer.start();
	}

	@Override
	public void close() {
		scheduler.stop();
		timer.stop();
		store.close();
		runs.shutdownNow();
		try (java.util.stream.Stream<java.nio.file.Path> files = Files.walk(dir)) {
			for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
				Files.deleteIfExists(f);
			}
		} catch (IOException e) {
			System.err.println("Could not delete " + dir + ": " + e);
		}
	}
}
