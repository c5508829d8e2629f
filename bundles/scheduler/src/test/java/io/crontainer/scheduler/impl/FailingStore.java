package io.crontainer.scheduler.impl;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.crontainer.scheduler.impl.store.Claim;
import io.crontainer.scheduler.impl.store.ClaimResult;
import io.crontainer.scheduler.impl.store.CorruptStateException;
import io.crontainer.scheduler.impl.store.RunState;
import io.crontainer.scheduler.impl.store.StateStore;
import io.crontainer.scheduler.impl.store.StoreUnavailableException;

/** A store that fails what a test tells it to, and otherwise asks another. Thread-safe. */
final class FailingStore implements StateStore {
	private final StateStore delegate;
	volatile boolean failCommits;
	volatile boolean unavailable;

	FailingStore(StateStore delegate) {
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
		return delegate.node();
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
		return delegate.claim(name, windowStart, fireTime);
	}

	@Override
	public Duration renewEvery() {
		return delegate.renewEvery();
	}

	@Override
	public boolean renew(Claim claim) throws StoreUnavailableException {
		check();
		return delegate.renew(claim);
	}

	@Override
	public CompletionStage<RunState> commit(Claim claim, Instant windowEnd) {
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
		return delegate.reset(name, since);
	}

	@Override
	public void close() {
		// the delegate is the test's to close
	}
}
