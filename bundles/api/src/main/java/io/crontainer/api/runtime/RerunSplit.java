package io.crontainer.api.runtime;

/**
 * How a re-run cuts its range of past windows.
 *
 * @since 1.4
 */
public enum RerunSplit {
	/**
	 * At the plugin's own fire times: the windows a schedule running then would have made, computed
	 * from the plugin's interval in its zone. The first window starts at the range's start and the last
	 * one ends at its end, so a range that does not start or end at a fire time gives a shorter first or
	 * last window. An interval with no fire time inside the range ({@code @reboot}, or one that fires
	 * less often than the range is long) gives one window.
	 */
	INTERVAL,
	/** As one window: the whole range. */
	ONCE
}
