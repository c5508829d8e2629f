package io.crontainer.api.runtime;

import org.osgi.dto.DTO;

/**
 * A data transfer object for the state store the scheduler keeps run windows in: what it is,
 * whether it can be reached now, and how far this runtime's clock is off the store's. A store that watches its database (a cluster's) notices a loss within
 * its poll ({@code cluster.poll}), not at a plugin's next fire time.
 *
 * <p>
 * Like every DTO this object is a snapshot, not thread-safe, and not updated after it is returned.
 *
 * @since 1.3
 */
public class StoreDTO extends DTO {
	/**
	 * What and where the store is, for people: {@code "local journal /opt/crontainer/data/state"}.
	 * Never {@code null}.
	 */
	public String description;

	/** This runtime's node id in a cluster; {@code null} for a store that is not shared. */
	public String node;

	/** Whether the store can be reached now: nothing runs while it cannot. */
	public boolean available;

	/** Why it cannot be reached, in one line; {@code null} while it can. */
	public String reason;

	/**
	 * How far this runtime's clock is off the store's, in milliseconds: the store's time minus this
	 * runtime's (positive: this runtime's clock is behind), as last measured by a store shared by a
	 * cluster (every {@code cluster.poll}). {@code null} if not measured: a store whose clock is the
	 * runtime's own (the local store), or none measured yet. In a cluster, window ends, {@code ?}
	 * anchors and leases come from the store's clock, so a skew costs timeliness, not windows.
	 *
	 * @since 1.4
	 */
	public Long clockSkew;

	/**
	 * Why the clock skew needs an operator, in one line, while it is beyond 1 s; {@code null}
	 * otherwise.
	 *
	 * @since 1.4
	 */
	public String clockWarning;
}
