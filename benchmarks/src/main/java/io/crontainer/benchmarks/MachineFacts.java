package io.crontainer.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the report says about the machine a run was measured on. Immutable. */
public final class MachineFacts {

	private final Map<String, String> facts = new LinkedHashMap<>();

	/**
	 * @param started When the run started, ISO-8601 UTC.
	 * @param loadBefore The load averages (1, 5, 15 min) when it started.
	 * @param loadAfter The load averages when it ended.
	 */
	public MachineFacts(String started, String loadBefore, String loadAfter) {
		facts.put("Run started (UTC)", started);
		facts.put("Commit measured", commit());
		facts.put("CPU", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores available");
		facts.put("Memory", memTotal());
		facts.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " (" + System.getProperty("os.arch") + ")");
		facts.put("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
		facts.put("Load average (1/5/15 min) at start", loadBefore);
		facts.put("Load average (1/5/15 min) at end", loadAfter);
	}

	/** @return The facts, in report order. */
	public Map<String, String> facts() {
		return facts;
	}

	/** @return The short hash of the checked-out commit, "+ changes" if the tree has some; "unknown" outside Git. */
	private static String commit() {
		try {
			String head = git("rev-parse", "--short", "HEAD");
			String changes = git("status", "--porcelain", "--untracked-files=no");
			return head.isEmpty() ? "unknown" : head + (changes.isEmpty() ? "" : " + uncommitted changes");
		} catch (IOException e) {
			return "unknown";
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return "unknown";
		}
	}

	private static String git(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add("git");
		command.addAll(List.of(args));
		Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		return p.waitFor() == 0 ? out : "";
	}

	private static String cpuModel() {
		try {
			return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
					.map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
		} catch (IOException e) {
			return "unknown CPU";
		}
	}

	private static String memTotal() {
		try {
			return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
					.map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024 + " GiB").orElse("unknown");
		} catch (IOException | NumberFormatException e) {
			return "unknown";
		}
	}
}
