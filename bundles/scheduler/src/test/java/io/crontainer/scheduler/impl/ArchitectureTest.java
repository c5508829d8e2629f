package io.crontainer.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The architecture, as the packages and the engine's parts show it (the scheduler's README, "Packages
 * and parts"), checked on the sources: each package depends only on those it may, and no part of the
 * engine reaches another part that reaches it back (only {@code Scheduler}, which wires them, refers
 * to them all).
 */
class ArchitectureTest {
	private static final Path MAIN = Path.of("src/main/java/io/crontainer/scheduler/impl");
	private static final String PREFIX = "io.crontainer.scheduler.impl.";

	/** Which packages each package may use; nothing uses {@code osgi}. */
	private static final Map<String, Set<String>> ALLOWED = Map.of(
			"interval", Set.of(),
			"whiteboard", Set.of("interval"),
			"store", Set.of(),
			"runlog", Set.of(),
			"engine", Set.of("whiteboard", "interval", "runlog"),
			"view", Set.of("engine", "whiteboard", "interval"),
			"osgi", Set.of("engine", "view", "whiteboard", "store", "interval", "runlog"));

	/** The engine's parts; {@code Scheduler} wires them and is not one of them. */
	private static final List<String> PARTS = List.of("JobTable", "Schedules", "Resolutions", "PluginCalls", "Firing",
			"RunThread", "Deadlines", "Stopping", "Outcomes", "Operators", "History", "DueQueue");

	@Test
	void eachPackageUsesOnlyThePackagesBelowIt() throws IOException {
		Map<String, Set<String>> used = new TreeMap<>();
		try (Stream<Path> dirs = Files.list(MAIN)) {
			for (Path dir : dirs.filter(Files::isDirectory).toList()) {
				String pkg = dir.getFileName().toString();
				Set<String> uses = new TreeSet<>();
				for (Path file : javaFiles(dir)) {
					Matcher m = Pattern.compile(Pattern.quote(PREFIX) + "(\\w+)\\.").matcher(code(file));
					while (m.find()) {
						uses.add(m.group(1));
					}
				}
				uses.remove(pkg);
				used.put(pkg, uses);
			}
		}
		assertThat(used).as("the packages").containsOnlyKeys(ALLOWED.keySet());
		used.forEach((pkg, uses) -> assertThat(ALLOWED.get(pkg)).as("what %s may use", pkg).containsAll(uses));
	}

	@Test
	void noPartOfTheEngineReachesAPartThatReachesItBack() throws IOException {
		Map<String, Set<String>> refers = new LinkedHashMap<>();
		for (String part : PARTS) {
			String code = code(MAIN.resolve("engine/" + part + ".java"));
			Set<String> to = new TreeSet<>();
			for (String other : PARTS) {
				if (!other.equals(part) && Pattern.compile("\\b" + other + "\\b").matcher(code).find()) {
					to.add(other);
				}
			}
			refers.put(part, to);
		}
		for (String part : PARTS) {
			assertThat(reachable(part, refers)).as("the parts that %s reaches (%s)", part, refers).doesNotContain(part);
		}
	}

	private static Set<String> reachable(String from, Map<String, Set<String>> refers) {
		Set<String> seen = new TreeSet<>();
		List<String> next = new ArrayList<>(refers.get(from));
		while (!next.isEmpty()) {
			String part = next.remove(next.size() - 1);
			if (seen.add(part)) {
				next.addAll(refers.get(part));
			}
		}
		return seen;
	}

	private static List<Path> javaFiles(Path dir) throws IOException {
		try (Stream<Path> files = Files.walk(dir)) {
			return files.filter(f -> f.toString().endsWith(".java")).toList();
		}
	}

	/** A source file without its comments and string literals. */
	private static String code(Path file) throws IOException {
		String text = Files.readString(file);
		text = text.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
		return text.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
	}
}
