package io.crontainer.scheduler.impl.testing;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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



	public FailingStore(StateStore delegate) {
		this.delegate = delegate;
	}

	private void check() throws StoreUnavailableException {
		if (unavailable) {
			throw new StoreUnavailableException("connection refused", null);
		}
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
