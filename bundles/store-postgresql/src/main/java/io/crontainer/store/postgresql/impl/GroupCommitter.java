package io.crontainer.store.postgresql.impl;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.store.api.Claim;
import io.crontainer.store.api.FencedException;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * The one thread that writes window commits and history rows ({@code crontainer-store-commit}), in
 * the shape of the local store's committer: callers queue a write and get a stage; the thread takes
 * everything queued (up to {@value #MAX_GROUP} writes) and writes it in one transaction
 * ({@link Repository#write}), then completes the stages, outside any lock. So no run waits for
 * another's round trip, and 1,000 commits due at once cost a few transactions.
 *
 * <p>
 * If the database cannot be reached, the group is tried again every 500 ms (with what was queued
 * meanwhile) for up to one lease: a blip of the database (a restart, a fail-over) costs no run its
 * window, and a claim whose lease ran out meanwhile is fenced by the compare-and-set anyway. After
 * that, or when the store closes, the group fails.
 *
 * <p>
 * <b>Threads.</b> {@link #commit} and {@link #history} are called on any thread (run threads, the
 * scheduler's own) and only queue; everything else happens on the committer's thread. {@link #close}
 * is called once, by the store's closing thread.
 */
final class GroupCommitter {
	private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLStateStore.class);
	/**
	 * One debug line per transaction: how many window commits and history rows it wrote, and how long
	 * it took (the cluster benchmark sums them to report the group sizes).
	 */
	private static final Logger COMMITS = LoggerFactory.getLogger("io.crontainer.store.postgresql.commits");
	private static final int MAX_GROUP = 512;

	private final Repository repository;
	private final String description;
	private final Duration lease;
	/** Told of each committed record (the store's cache), on the committer's thread. */
	private final BiConsumer<String, RunState> committedRecord;
	private final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
	/** History rows inserted by commits, by name and window end (ms), for {@link #history} to complete. */
	private final Map<String, Long> committedRuns = new ConcurrentHashMap<>();
	private final Thread thread;
	private volatile boolean closed;

	private record Write(Claim claim, Instant end, CronRunDTO run, CronLogDTO log, CompletableFuture<RunState> result) {
	}

	GroupCommitter(Repository repository, String description, Duration lease,
			BiConsumer<String, RunState> committedRecord) {
		this.repository = repository;
		this.description = description;
		this.lease = lease;
		this.committedRecord = committedRecord;
		this.thread = new Thread(this::loop, "crontainer-store-commit");
		this.thread.setDaemon(true);
	}

	void start() {
		thread.start();
	}

	/** Queues a window commit; the stage completes once it is durable, or fails (fenced, unavailable). */
	CompletableFuture<RunState> commit(Claim claim, Instant windowEnd) {
		Write write = new Write(claim, windowEnd, null, null, new CompletableFuture<>());
		enqueue(write);
		return write.result;
	}

	/** Queues a history row (best effort), with the run's log ({@code null} for none). */
	void history(CronRunDTO run, CronLogDTO log) {
		enqueue(new Write(null, null, run, log, new CompletableFuture<>()));
	}

	private void enqueue(Write write) {
		if (closed) {
			write.result.completeExceptionally(new StoreUnavailableException(description + " is closed", null));
		} else {
			writes.add(write);
		}
	}

	private void loop() {
		List<Write> group = new ArrayList<>();
		long retryUntil = 0;
		boolean retrying = false;
		while (true) {
			try {
				if (group.isEmpty()) {
					Write first = writes.poll(200, TimeUnit.MILLISECONDS);
					if (first == null) {
						if (closed) {
							break;
						}
						continue;
					}
					group.add(first);
				}
				writes.drainTo(group, MAX_GROUP - group.size());
				try {
					write(group);
					group.clear();
					retrying = false;
				} catch (StoreUnavailableException e) {
					if (!retrying) {
						retrying = true;
						retryUntil = System.nanoTime() + lease.toNanos();
					}
					if (closed || System.nanoTime() - retryUntil > 0) {
						for (Write write : group) {
							write.result.completeExceptionally(e);
						}
						group.clear();
						retrying = false;
					} else {
						TimeUnit.MILLISECONDS.sleep(500);
					}
				}
			} catch (InterruptedException e) {
				// closing: write what is queued (or fail it), then stop
			} catch (RuntimeException | Error e) {
				for (Write write : group) {
					write.result.completeExceptionally(e);
				}
				group.clear();
				LOG.error("The commit thread of the PostgreSQL state store failed", e);
			}
		}
	}

	/** Writes a group in one transaction, then completes the stages, outside any lock. */
	private void write(List<Write> group) throws StoreUnavailableException {
		List<Repository.Commit> commits = new ArrayList<>();
		List<Repository.HistoryRow> rows = new ArrayList<>();
		for (Write write : group) {
			if (write.claim != null) {
				Claim claim = write.claim;
				commits.add(new Repository.Commit(claim.name(), claim.token(), claim.windowStart(), write.end));
			} else {
				CronRunDTO run = write.run;
				Long id = run.outcome == Outcome.SUCCEEDED && run.windowEnd != null
						? committedRuns.get(run.name + '\u0000' + run.windowEnd) : null;
				rows.add(new Repository.HistoryRow(run, id, write.log));
			}
		}
		long started = System.nanoTime();
		Map<Long, Repository.Committed> committed = repository.write(commits, rows, group.size());
		if (COMMITS.isDebugEnabled()) {
			COMMITS.debug("Wrote {} window commit(s) ({} refused) and {} history row(s) in one transaction in {} ms",
					commits.size(), commits.size() - committed.size(), rows.size(), (System.nanoTime() - started) / 1_000_000);
		}
		for (Repository.HistoryRow row : rows) {
			if (row.id() != null) {
				committedRuns.remove(row.run().name + '\u0000' + row.run().windowEnd);
			}
		}
		if (committedRuns.size() > 100_000) {
			committedRuns.clear(); // the history of these never came: keep memory bounded
		}
		for (Write write : group) {
			if (write.claim == null) {
				write.result.complete(null);
				continue;
			}
			Repository.Committed done = committed.get(write.claim.token());
			if (done != null) {
				committedRuns.put(write.claim.name() + '\u0000' + write.end.toEpochMilli(), done.historyId());
				committedRecord.accept(write.claim.name(), done.state());
				write.result.complete(done.state());
			} else {
				write.result.completeExceptionally(new FencedException("the claim of " + write.claim.name() + " on node "
						+ repository.node() + " was lost: its lease expired and another node took the window over, "
						+ "or an operator reset the plugin"));
			}
		}
	}

	/** Writes what is queued (within the lease's retry), stops the thread, fails what came too late. */
	void close(Duration wait) {
		closed = true;
		thread.interrupt();
		try {
			thread.join(wait.toMillis());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		List<Write> left = new ArrayList<>();
		writes.drainTo(left);
		for (Write write : left) {
			write.result.completeExceptionally(new StoreUnavailableException(description + " is closed", null));
		}
	}
}
