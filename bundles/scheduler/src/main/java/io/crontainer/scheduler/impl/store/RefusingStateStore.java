package io.crontainer.scheduler.impl.store;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.crontainer.store.api.Claim;
import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * The store of a configuration that names no usable store (say {@code state.store = postgresql}
 * without a URL): every read, claim and change fails with {@link StoreUnavailableException} and the
 * reason, so that no plugin runs on a guess and each shows why. Immutable, thread-safe.
 */
final class RefusingStateStore implements StateStore {
	private final String reason;

	RefusingStateStore(String reason) {
		this.reason = reason;
	}

	private StoreUnavailableException refused() {
		return new StoreUnavailableException(reason, null);
	}

	@Override
	public String describe() {
		return "no state store (" + reason + ")";
	}

	@Override
	public String node() {
		return null;
	}

	@Override
	public RunState read(String name) throws StoreUnavailableException {
		throw refused();
	}

	@Override
	public ClaimResult claim(String name, Instant windowStart, Instant fireTime) throws StoreUnavailableException {
		throw refused();
	}

	@Override
	public CompletionStage<RunState> commit(Claim claim, Instant windowEnd) {
		return CompletableFuture.failedFuture(refused());
	}

	@Override
	public String availability() {
		return reason;
	}

	@Override
	public void release(Claim claim) {
		// nothing was claimed
	}

	@Override
	public RunState setPaused(String name, boolean paused) throws StoreUnavailableException {
		throw refused();
	}

	@Override
	public RunState setAnchor(String name, Instant anchor, String anchorFor) throws StoreUnavailableException {
		throw refused();
	}

	@Override
	public RunState reset(String name, Instant since) throws StoreUnavailableException {
		throw refused();
	}

	@Override
	public void close() {
		// nothing to release
	}
}
