package io.crontainer.store.postgresql.impl;

/** What the lease keeper knows of a claim held by this node. */
public enum Lease {
	/** Held: its lease was confirmed by the store and has not run out. */
	HELD,
	/**
	 * Not confirmed: the store could not be reached for a whole lease, so the lease may have run out,
	 * and another runtime may take the window over. If none does, the claim is still the holder's and
	 * its commit succeeds; if one does, the commit is fenced.
	 */
	UNCONFIRMED,
	/**
	 * Lost: the store said the claim is gone (another runtime took the window over after its lease ran
	 * out, or an operator reset the plugin): the run's commit will be fenced.
	 */
	LOST
}
