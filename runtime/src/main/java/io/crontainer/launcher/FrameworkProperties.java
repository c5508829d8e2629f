package io.crontainer.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Reads {@code conf/config.properties} into framework properties. Not thread-safe; used once, by the
 * launcher's main thread.
 *
 * <p>
 * Values may refer to other entries, to system properties and to the given defaults as
 * {@code ${name}}; a system property with the name of an entry overrides the entry, so
 * {@code JAVA_OPTS=-Dfelix.fileinstall.poll=500} changes a framework property without editing the
 * file.
 */
final class FrameworkProperties {

	private FrameworkProperties() {
	}

	/**
	 * Loads and resolves a properties file.
	 *
	 * @param file The file, in {@link Properties} format (ISO 8859-1 escapes, UTF-8 text). Must not be
	 *        {@code null}.
	 * @param fixed Entries that the launcher sets itself: they win over the file and over system
	 *        properties. Must not be {@code null}.
	 * @param system System properties (override the file's entries, and resolve references). Must not
	 *        be {@code null}.
	 * @return The resolved properties, the fixed ones included, in no particular order.
	 * @throws IOException If the file cannot be read.
	 * @throws IllegalArgumentException If a value refers to a name that is defined nowhere, or to
	 *         itself.
	 */
	static Map<String, String> load(Path file, Map<String, String> fixed, Properties system) throws IOException {
		Properties raw = new Properties();
		try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			raw.load(in);
		}
		Map<String, String> unresolved = new LinkedHashMap<>();
		for (String name : raw.stringPropertyNames()) {
			String override = system.getProperty(name);
			unresolved.put(name, override != null ? override : raw.getProperty(name));
		}
		unresolved.putAll(fixed);

		Map<String, String> resolved = new LinkedHashMap<>();
		for (String name : unresolved.keySet()) {
			resolved.put(name, resolve(name, unresolved, system, new ArrayDeque<>(), file));
		}
		return resolved;
	}

	private static String resolve(String name, Map<String, String> entries, Properties system, Deque<String> path,
			Path file) {
		if (path.contains(name)) {
			throw new IllegalArgumentException(file + ": ${" + name + "} refers to itself via " + path);
		}
		String value = entries.containsKey(name) ? entries.get(name) : system.getProperty(name);
		if (value == null) {
			throw new IllegalArgumentException(
					file + ": ${" + name + "} in " + path.peekLast() + " is neither an entry nor a system property");
		}
		path.addLast(name);
		StringBuilder out = new StringBuilder();
		int from = 0;
		for (int start; (start = value.indexOf("${", from)) >= 0;) {
			int end = value.indexOf('}', start);
			if (end < 0) {
				break;
			}
			out.append(value, from, start).append(resolve(value.substring(start + 2, end), entries, system, path, file));
			from = end + 1;
		}
		out.append(value.substring(from));
		path.removeLast();
		return out.toString();
	}
}
