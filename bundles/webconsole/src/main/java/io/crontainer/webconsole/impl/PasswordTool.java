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
 * It prints one line, {@code password = {pbkdf2}...}; exit status 1 if the passwords differ or are empty.
 */
public final class PasswordTool {

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
		if (password.length == 0) {
			System.err.println("The password is empty; nothing changed.");
			System.exit(1);
			return;
		}
		System.out.println("password = " + Passwords.hash(password));
	}
}
