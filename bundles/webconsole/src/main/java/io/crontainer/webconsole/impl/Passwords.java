package io.crontainer.webconsole.impl;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes for the console login: PBKDF2 with HMAC-SHA256 (RFC 8018), a random 16-byte salt, and
 * the form {@code {pbkdf2}ITERATIONS:SALT:HASH} (salt and hash in Base64). Stateless and thread-safe.
 */
final class Passwords {
	/** The prefix that marks a stored hash, as opposed to a password in clear text. */
	static final String PREFIX = "{pbkdf2}";
	/** Iterations for new hashes (OWASP's 2023 advice for PBKDF2-HMAC-SHA256 is 600,000). */
	static final int ITERATIONS = 600_000;

	private static final SecureRandom RANDOM = new SecureRandom();
	/** Letters and digits, without the look-alikes 0 O 1 l I. */
	private static final char[] ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();

	private Passwords() {
	}

	/**
	 * A new random password.
	 *
	 * @return 20 characters of letters and digits (about 115 bits of entropy).
	 */
	static String generate() {
		StringBuilder sb = new StringBuilder(20);
		for (int i = 0; i < 20; i++) {
			sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
		}
		return sb.toString();
	}

	/**
	 * Hashes a password with a new random salt.
	 *
	 * @param password The password. Must not be {@code null}.
	 * @return {@code {pbkdf2}ITERATIONS:SALT:HASH}.
	 */
	static String hash(char[] password) {
		byte[] salt = new byte[16];
		RANDOM.nextBytes(salt);
		return hash(password, salt, ITERATIONS);
	}

	static String hash(char[] password, byte[] salt, int iterations) {
		Base64.Encoder b64 = Base64.getEncoder();
		return PREFIX + iterations + ":" + b64.encodeToString(salt) + ":"
				+ b64.encodeToString(pbkdf2(password, salt, iterations));
	}

	/**
	 * Whether a stored value is a hash made by {@link #hash(char[])}.
	 *
	 * @param stored A configured value. May be {@code null}.
	 * @return {@code true} if it starts with {@value #PREFIX}.
	 */
	static boolean isHash(String stored) {
		return stored != null && stored.startsWith(PREFIX);
	}

	/**
	 * Checks a password against a stored hash, in time independent of where they differ.
	 *
	 * @param password The password given. Must not be {@code null}.
	 * @param stored A value made by {@link #hash(char[])}. Must not be {@code null}.
	 * @return Whether the password matches.
	 * @throws IllegalArgumentException If {@code stored} is not such a hash.
	 */
	static boolean verify(char[] password, String stored) {
		String[] parts = isHash(stored) ? stored.substring(PREFIX.length()).split(":") : new String[0];
		if (parts.length != 3) {
			throw new IllegalArgumentException("Not a password hash of the form " + PREFIX + "ITERATIONS:SALT:HASH");
		}
		int iterations;
		byte[] salt;
		byte[] expected;
		try {
			iterations = Integer.parseInt(parts[0]);
			salt = Base64.getDecoder().decode(parts[1]);
			expected = Base64.getDecoder().decode(parts[2]);
		} catch (IllegalArgumentException e) { // NumberFormatException too
			throw new IllegalArgumentException("Not a password hash of the form " + PREFIX + "ITERATIONS:SALT:HASH", e);
		}
		if (iterations < 1 || expected.length == 0) {
			throw new IllegalArgumentException("Not a password hash of the form " + PREFIX + "ITERATIONS:SALT:HASH");
		}
		return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations, expected.length * 8));
	}

	/**
	 * Compares a password with one configured in clear text, in time independent of where they differ.
	 *
	 * @param password The password given. Must not be {@code null}.
	 * @param clear The configured password. Must not be {@code null}.
	 * @return Whether they are equal.
	 */
	static boolean equalsClear(char[] password, String clear) {
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			byte[] a = sha.digest(new String(password).getBytes(StandardCharsets.UTF_8));
			byte[] b = sha.digest(clear.getBytes(StandardCharsets.UTF_8));
			return MessageDigest.isEqual(a, b);
		} catch (GeneralSecurityException e) {
			throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
		}
	}

	private static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
		return pbkdf2(password, salt, iterations, 256);
	}

	private static byte[] pbkdf2(char[] password, byte[] salt, int iterations, int bits) {
		try {
			PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bits);
			try {
				return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
			} finally {
				spec.clearPassword();
			}
		} catch (GeneralSecurityException e) {
			throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this Java runtime", e);
		}
	}
}
