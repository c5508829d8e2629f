package io.crontainer.api.runtime;

import org.osgi.dto.DTO;

/**
 * A data transfer object for one run window, half-open: {@code [start, end)}.
 *
 * <p>
 * Instants are UTC milliseconds since the epoch (1970-01-01T00:00:00Z). Like every DTO this object is
 * a snapshot, not thread-safe, and not updated after it is returned.
 *
 * @since 1.4
 */
public class RunWindowDTO extends DTO {
	/** Start of the window, inclusive, in UTC epoch milliseconds. */
	public long start;

	/** End of the window, exclusive, in UTC epoch milliseconds; always after {@link #start}. */
	public long end;
}
