package io.crontainer.webconsole.impl;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The brake on password guessing that every login path shares (form, HTTP Basic, a cached Basic
 * credential). Attempts are counted per <em>source</em>: {@link #DEVICE}, a browser that has logged in
 * before (its signed device cookie, see {@link LoginSecurityProvider}), else the client's network as
 * {@link #sourceOf} groups it: every loopback address (all of {@code 127.0.0.0/8}, {@code ::1}) is the
 * one source {@code loopback}, an IPv6 address counts by its {@code /64}, any other IPv4 address by
 * itself, so that rotating source addresses on one machine or one IPv6 network gains nothing. After
 * {@code max} failures in a row from one source, that source waits before its next attempt: 1 s, then
 * twice as long after each further failure, up to {@link #MAX_DELAY_MS}; a success, or {@link #FORGET_MS}
 * without a failure, clears it. The device is a source of its own: it never waits for the failures of
 * an address, only for its own.
 *
 * <p>
 * Hash checks are limited: attempts without the device cookie share {@link #CONCURRENT_CHECKS} slots,
 * and one that finds none free is refused at once (answered 429 with {@code Retry-After: 1}); attempts
 * with the device cookie have {@link #DEVICE_CHECKS} slot of their own, and wait for it up to
 * {@link #DEVICE_WAIT_MS} rather than being refused. So no load from other sources refuses the
 * operator's browser; only a device attempt that cannot get its slot within the deadline (another
 * device attempt's check is that slow) is refused.
 *
 * <p>
 * An attempt is reserved ({@link #reserve}) before its hash is checked and counts as a failure until
 * {@link #succeeded} says otherwise, so that concurrent attempts cannot all slip in before the first
 * failure is recorded.
 *
 * <p>
 * Thread-safe: the map is guarded by this object's monitor, under which nothing but arithmetic happens;
 * {@link #reserve} of a device attempt may block its caller (an HTTP server thread) up to the deadline,
 * outside the monitor.
 */
final class LoginBrake {
	/** Longest wait a source is given, in ms. */
	static final long MAX_DELAY_MS = 60_000;
	/** After this long without a failure, a source's failures are forgotten, in ms. */
	static final long FORGET_MS = 15 * 60_000;
	/** How many password hashes are checked at once at most. */
	static final int CONCURRENT_CHECKS = 2;
	/** How many hash checks of the device's attempts run at once at most, apart from the others. */
	static final int DEVICE_CHECKS = 1;
	/** How long a device attempt waits for its hash-check slot before it is refused, in ms. */
	static final long DEVICE_WAIT_MS = 10_000;
	/** The source of every attempt that bears a valid device cookie. */
	static final String DEVICE = "device";
	/** The source of every loopback address. */
	static final String LOOPBACK = "loopback";
	/** How many sources are remembered at most (the oldest are forgotten first). */
	static final int MAX_SOURCES = 10_000;

	private final int max;
	private final long deviceWaitMs;
	private final Semaphore checks = new Semaphore(CONCURRENT_CHECKS);
	private final Semaphore deviceChecks = new Semaphore(DEVICE_CHECKS);
	/** Per source, in access order; guarded by this. */
	private final Map<String, Source> sources = new LinkedHashMap<>(64, 0.75f, true) {
		private static final long serialVersionUID = 1L;

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Source> eldest) {
			return size() > MAX_SOURCES;
		}
	};

	private static final class Source {
		int failures;
		int pending;
		long lastFailure;
		long blockedUntil;
	}

	/**
	 * @param max Failures in a row from one source before it has to wait; at least 1.
	 */
	LoginBrake(int max) {
		this(max, DEVICE_WAIT_MS);
	}

	/**
	 * @param max Failures in a row from one source before it has to wait; at least 1.
	 * @param deviceWaitMs How long a device attempt waits for its hash-check slot, in ms; at least 0.
	 */
	LoginBrake(int max, long deviceWaitMs) {
		this.max = Math.max(1, max);
		this.deviceWaitMs = Math.max(0, deviceWaitMs);
	}

	/**
	 * The source a client address counts as: {@value #LOOPBACK} for every loopback address
	 * ({@code 127.0.0.0/8}, {@code ::1}, {@code ::ffff:127.0.0.0/104}), an IPv6 address's {@code /64} as
	 * {@code "2001:db8:0:1::/64"}-like text, any other address as given. Parses IP literals only; never
	 * looks up a name.
	 *
	 * @param address A client address as {@code ServletRequest.getRemoteAddr()} gives it; may be {@code null}.
	 * @return The source; never {@code null}.
	 */
	static String sourceOf(String address) {
		if (address == null || address.isEmpty()) {
			return "unknown";
		}
		String literal = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
				: address;
		int zone = literal.indexOf('%');
		if (zone >= 0) {
			literal = literal.substring(0, zone);
		}
		if (!literal.matches("[0-9A-Fa-f:.]+") || !(literal.contains(":") || literal.matches("\\d+\\.\\d+\\.\\d+\\.\\d+"))) {
			return address; // not an IP literal: never resolved
		}
		InetAddress ip;
		try {
			ip = InetAddress.getByName(literal);
		} catch (UnknownHostException e) {
			return address;
		}
		if (ip.isLoopbackAddress()) {
			return LOOPBACK;
		}
		if (ip instanceof Inet6Address) {
			byte[] b = ip.getAddress();
			StringBuilder prefix = new StringBuilder();
			for (int i = 0; i < 8; i += 2) {
				prefix.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
			}
			return prefix.append(":/64").toString();
		}
		return ip.getHostAddress();
	}

	/**
	 * Whether a source must wait now, without reserving anything: for credentials that need no hash check
	 * (a cached Basic credential), which are refused like every other login while their source waits.
	 *
	 * @param source The source. Must not be {@code null}.
	 * @param now The current time, epoch ms.
	 * @return 0, or the seconds to wait (at least 1).
	 */
	synchronized long waitSeconds(String source, long now) {
		Source s = current(source, now);
		if (s == null) {
			return 0;
		}
		if (now < s.blockedUntil) {
			return seconds(s.blockedUntil - now);
		}
		if (s.failures >= max) { // its wait is over: one attempt at a time
			return s.pending > 0 ? 1 : 0;
		}
		return s.failures + s.pending >= max ? 1 : 0;
	}

	/**
	 * Reserves one attempt of a source, and a hash check: for {@link #DEVICE}, its own slot, waited for up
	 * to the device deadline (blocking the caller meanwhile); for any other source, a shared slot if one is
	 * free now.
	 *
	 * @param source The source. Must not be {@code null}.
	 * @param now The current time, epoch ms.
	 * @return 0 if the attempt may proceed (then exactly one of {@link #succeeded} or {@link #failed} must
	 *         follow), else the seconds to wait (at least 1), and nothing is reserved.
	 */
	long reserve(String source, long now) {
		synchronized (this) {
			long wait = waitSeconds(source, now);
			if (wait > 0) {
				return wait;
			}
			sources.computeIfAbsent(source, k -> new Source()).pending++;
		}
		if (!acquire(source)) {
			synchronized (this) {
				Source s = sources.get(source);
				if (s != null) {
					s.pending = Math.max(0, s.pending - 1);
				}
			}
			return 1;
		}
		return 0;
	}

	private boolean acquire(String source) {
		if (!DEVICE.equals(source)) {
			return checks.tryAcquire();
		}
		try {
			return deviceChecks.tryAcquire(deviceWaitMs, TimeUnit.MILLISECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private void release(String source) {
		(DEVICE.equals(source) ? deviceChecks : checks).release();
	}

	/** Ends a reserved attempt whose credentials were right: the source's failures are cleared. */
	void succeeded(String source) {
		release(source);
		synchronized (this) {
			sources.remove(source);
		}
	}

	/**
	 * Ends a reserved attempt whose credentials were wrong.
	 *
	 * @return The seconds the source must now wait before its next attempt, or 0.
	 */
	long failed(String source, long now) {
		release(source);
		synchronized (this) {
			Source s = sources.computeIfAbsent(source, k -> new Source());
			s.pending = Math.max(0, s.pending - 1);
			s.failures++;
			s.lastFailure = now;
			if (s.failures < max) {
				return 0;
			}
			int over = Math.min(30, s.failures - max);
			long delay = Math.min(MAX_DELAY_MS, 1000L << over);
			s.blockedUntil = now + delay;
			return seconds(delay);
		}
	}

	/** The source's record, forgotten if its last failure is long ago; guarded by this. */
	private Source current(String source, long now) {
		Source s = sources.get(source);
		if (s != null && s.pending == 0 && s.failures > 0 && now - s.lastFailure >= FORGET_MS) {
			sources.remove(source);
			return null;
		}
		return s;
	}

	private static long seconds(long millis) {
		return Math.max(1, (millis + 999) / 1000);
	}

	/** For tests: the device attempts waiting for their hash-check slot (an estimate, as the JDK's). */
	int deviceWaiters() {
		return deviceChecks.getQueueLength();
	}

	/** For tests: the device's hash checks that may start now. */
	int freeDeviceChecks() {
		return deviceChecks.availablePermits();
	}

	/** For tests: the hash checks without the device cookie that may start now. */
	int freeChecks() {
		return checks.availablePermits();
	}
}
