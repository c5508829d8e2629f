package io.crontainer.scheduler.impl.testing;

import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.store.api.Claim;
import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.CorruptStateException;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * A store that fails what a test tells it to, runs a test's hooks at chosen points (to interleave
 * an operator's action with a run deterministically), and otherwise asks another. Thread-safe.
 */
public final class FailingStore implements StateStore {
	private static final Runnable NOTHING = () -> {
	};
	private final StateStore delegate;
	public volatile boolean failCommits;
	public volatile boolean unavailable;
	/** Run once, before the next claim is granted, on the claiming thread. */
	public volatile Runnable beforeClaim = NOTHING;
	/** Run once, after the next claim was granted. */
	public volatile Runnable afterClaim = NOTHING;
	/** Run once, before the next commit reaches the store. */
	public volatile Runnable beforeCommit = NOTHING;
	/** Run once, before the next reset reaches the store (after the engine checked it may reset). */
	public volatile Runnable beforeReset = NOTHING;
	/** The node it says it is, as a cluster store would; {@code null}: the delegate's. */
	public volatile String node;



	/**
	 * The history it says it keeps, newest first, as a cluster's shared store would (every runtime's runs);
	 * {@code null}: it keeps none, as the default.
	 */
	public volatile List<CronRunDTO> kept;
	/** How often {@link #history} and {@link #histories} were asked. */
	public final AtomicInteger historyCalls = new AtomicInteger(), historiesCalls = new AtomicInteger();

	public FailingStore(StateStore delegate) {
		this.delegate = delegate;
	}

	private void check() throws StoreUnavailableException {
		if (unavailable) {
			throw new StoreUnavailableException("connection refused", null);
		}
	}

	@Override
	public boolean keepsHistory() {
		return kept != null;
	}

	@Override
	public List<CronRunDTO> history(String name, int limit) throws StoreUnavailableException {
		historyCalls.incrementAndGet();
		check();
		List<CronRunDTO> all = kept;
		return all == null ? List.of()
				: all.stream().filter(r -> name == null || r.name.equals(name)).limit(limit).toList();
	}

	@Override
	public Map<String, List<CronRunDTO>> histories(Collection<String> names, int limit)
			throws StoreUnavailableException {
		historiesCalls.incrementAndGet();
		check();
		Map<String, List<CronRunDTO>> all = new LinkedHashMap<>();
		List<CronRunDTO> runs = kept == null ? List.of() : kept;
		for (String name : names) {
			all.put(name, runs.stream().filter(r -> r.name.equals(name)).limit(limit).toList());
		}
		return all;
	}

	@Override
	public String describe() {
		return "failing " + delegate.describe();
	}

	@Override
	public String node() {
		String n = node;
		return n != null ? n : delegate.node();
	}

	@Override
	public RunState read(String name) throws CorruptStateException, StoreUnavailableException {
		check();
		return delegate.read(name);
	}

	@Override
	public ClaimResult claim(String name, Instant windowStart, Instant fireTime)
			throws CorruptStateException, StoreUnavailableException {
		check();
		Runnable before = beforeClaim;
		beforeClaim = NOTHING;
		before.run();
		ClaimResult result = delegate.claim(name, windowStart, fireTime);
		Runnable after = afterClaim;
		afterClaim = NOTHING;
		after.run();
		return result;
	}

	@Override
	public CompletionStage<RunState> commit(Claim claim, Instant windowEnd) {
		Runnable before = beforeCommit;
		beforeCommit = NOTHING;
		before.run();
		if (failCommits) {
			delegate.release(claim);
			return CompletableFuture.failedFuture(new IOException("disk full"));
		}
		return delegate.commit(claim, windowEnd);
	}

	@Override
	public void release(Claim claim) {
		delegate.release(claim);
	}

	@Override
	public RunState setPaused(String name, boolean paused)
			throws CorruptStateException, StoreUnavailableException, IOException {
		check();
		return delegate.setPaused(name, paused);
	}

	@Override
	public RunState setAnchor(String name, Instant anchor, String anchorFor)
			throws CorruptStateException, StoreUnavailableException, IOException {
		check();
		return delegate.setAnchor(name, anchor, anchorFor);
	}

	@Override
	public RunState reset(String name, Instant since) throws StoreUnavailableException, IOException {
		check();
		Runnable before = beforeReset;
		beforeReset = NOTHING;
		before.run();
		return delegate.reset(name, since);
	}

	@Override
	public void close() {
		// the delegate is the test's to close
	}
}
