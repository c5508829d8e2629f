package io.crontainer.webconsole.impl;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Prints the hash of a new Web Console password, to paste into {@code etc/io.crontainer.webconsole.cfg}.
 * Runs outside OSGi, from the bundle jar:
 *
 * <pre>
 * java -cp bundle/io.crontainer.webconsole.jar io.crontainer.webconsole.impl.PasswordTool
 * </pre>
 *
 * From a terminal it asks for the password twice without echo; otherwise it reads one line from stdin.
 * It prints one line, {@code password = {pbkdf2}...}; exit status 1 if the passwords differ or are shorter
 * than {@value #MIN_LENGTH} characters.
 */
public final class PasswordTool {
	/** The shortest password accepted. */
	public static final int MIN_LENGTH = 12;

	private PasswordTool() {
	}

	/**
	 * Reads a password and prints its hash.
	 *
	 * @param args None.
	 * @throws IOException If stdin cannot be read.
	 */
	public static void main(String[] args) throws IOException {
		char[] password;
		Console console = System.console();
		if (console != null) {
			password = console.readPassword("New Web Console password: ");
			char[] again = console.readPassword("The same again: ");
			if (password == null || again == null || !Arrays.equals(password, again)) {
				System.err.println("The two passwords differ; nothing changed.");
				System.exit(1);
				return;
			}
		} else {
			String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
			password = line == null ? new char[0] : line.toCharArray();
		}
		String refusal = refuse(password);
		if (refusal != null) {
			System.err.println(refusal);
			System.exit(1);
			return;
		}
		System.out.println("password = " + Passwords.hash(password));
	}

	/**
	 * Why a password is refused, or {@code null}.
	 *
	 * @param password The password. Must not be {@code null}.
	 * @return {@code null} if it is at least {@value #MIN_LENGTH} characters long (code points), else one sentence.
	 */
	static String refuse(char[] password) {
		int length = new String(password).codePointCount(0, password.length);
		if (length < MIN_LENGTH) {
			return "The password has " + length + " characters; it needs at least " + MIN_LENGTH
					+ " (a passphrase of a few words is fine). Nothing changed.";
		}
		return null;
	}
}
