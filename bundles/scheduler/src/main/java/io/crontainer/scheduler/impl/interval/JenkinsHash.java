package io.crontainer.scheduler.impl.interval;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/**
 * The values behind Jenkins' {@code H}: a sequence of pseudo-random numbers seeded from the MD5
 * digest of a name, as Jenkins' {@code hudson.scheduler.Hash} does (the 16 digest bytes folded to 8
 * with XOR, read big-endian as the seed of a {@link java.util.Random}, whose algorithm the Java SE
 * specification fixes). The same name therefore gives the same values on every JVM, host and
 * restart, and the same values as a Jenkins job of that name. Not thread-safe: one per parse.
 */
final class JenkinsHash {
	private final Random random;

	JenkinsHash(String name) {
		byte[] digest;
		try {
			digest = MessageDigest.getInstance("MD5").digest(name.getBytes(StandardCharsets.UTF_8));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("every Java platform has MD5", e);
		}
		for (int i = 8; i < digest.length; i++) {
			digest[i % 8] ^= digest[i];
		}
		long seed = 0;
		for (int i = 0; i < 8; i++) {
			seed = (seed << 8) + (digest[i] & 0xFF);
		}
		this.random = new Random(seed);
	}

	/** The next value, 0 (inclusive) to {@code n} (exclusive). */
	int next(int n) {
		return random.nextInt(n);
	}
}
