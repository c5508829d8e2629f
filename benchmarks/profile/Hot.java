import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time goes in a flight recording of a benchmark subject JVM ({@code -Dbenchmark.profile=DIR}):
 * the Java stack samples ({@code jdk.ExecutionSample}) and contended monitor entries
 * ({@code jdk.JavaMonitorEnter}) inside the spans of one scenario (the harness marks them with
 * {@code io.crontainer.benchmark.Scenario} events), of the threads whose name matches a pattern.
 *
 * <pre>
 * java benchmarks/profile/Hot.java RECORDING.jfr [--scenario lateness-1000] [--threads 'crontainer-.*'] [--through Dispatcher.execute] [--top 25] [--stack 6]
 * </pre>

 * <p>
 * {@code --through} keeps only the samples whose stack holds a method whose name (class.method) contains the text.
 *
 * Prints the spans, the samples per thread, the methods most often on top of the stack (self), the
 * Crontainer methods most often anywhere on it (inclusive), the most frequent stacks cut to their top
 * frames, and the contended monitors. A sample is a thread seen running Java code at one of the
 * millisecond ticks; a thread parked, blocked or in native code is not sampled, so the counts say
 * where the CPU went, not where threads waited (the monitor section says that).
 */
public final class Hot {

	private record Span(String name, Instant start, Instant end) {
		boolean contains(Instant t) {
			return !t.isBefore(start) && !t.isAfter(end);
		}
	}

	public static void main(String[] args) throws Exception {
		if (args.length < 1) {
			System.err.println("usage: java Hot.java RECORDING.jfr [--scenario NAME] [--threads REGEX] [--through METHOD] [--top N] [--stack N]");
			System.exit(2);
		}
		Path file = Path.of(args[0]);
		String scenario = null;
		Pattern threads = Pattern.compile("crontainer-.*");
		int top = 25;
		int stackDepth = 6;
		String through = null;
		for (int i = 1; i < args.length - 1; i += 2) {
			switch (args[i]) {
				case "--scenario" -> scenario = args[i + 1];
				case "--threads" -> threads = Pattern.compile(args[i + 1]);
				case "--top" -> top = Integer.parseInt(args[i + 1]);
				case "--stack" -> stackDepth = Integer.parseInt(args[i + 1]);
				case "--through" -> through = args[i + 1];
				default -> throw new IllegalArgumentException("unknown option " + args[i]);
			}
		}
		List<RecordedEvent> events = RecordingFile.readAllEvents(file);
		List<Span> spans = new ArrayList<>();
		for (RecordedEvent e : events) {
			if (e.getEventType().getName().equals("io.crontainer.benchmark.Scenario")
					&& (scenario == null || scenario.equals(e.getString("scenario")))) {
				spans.add(new Span(e.getString("scenario"), e.getStartTime(), e.getEndTime()));
			}
		}
		spans.sort(Comparator.comparing(Span::start));
		System.out.println("Recording: " + file);
		System.out.println("Scenario spans" + (scenario == null ? "" : " named " + scenario) + ": " + spans.size());
		for (Span s : spans) {
			System.out.printf(Locale.ROOT, "  %-22s %s  %,d ms%n", s.name, s.start, Duration.between(s.start, s.end).toMillis());
		}
		if (scenario != null && spans.isEmpty()) {
			System.out.println("No such span: nothing to count.");
			return;
		}

		Map<String, Integer> perThread = new HashMap<>();
		Map<String, Integer> self = new HashMap<>();
		Map<String, Integer> inclusive = new HashMap<>();
		Map<String, Integer> stacks = new HashMap<>();
		int samples = 0;
		Map<String, long[]> monitors = new HashMap<>();
		Map<String, long[]> monitorSites = new HashMap<>();
		for (RecordedEvent e : events) {
			String type = e.getEventType().getName();
			boolean sample = type.equals("jdk.ExecutionSample");
			boolean monitor = type.equals("jdk.JavaMonitorEnter");
			if (!sample && !monitor) {
				continue;
			}
			if (!spans.isEmpty() && spans.stream().noneMatch(s -> s.contains(e.getStartTime()))) {
				continue;
			}
			RecordedThread thread = sample ? e.getThread("sampledThread") : e.getThread();
			String name = thread == null ? "?" : thread.getJavaName();
			if (name == null || !threads.matcher(name).matches()) {
				continue;
			}
			String threadKind = name.replaceAll(" \\[.*\\]$", "").replaceAll("-\\d+$", "-N");
			RecordedStackTrace trace = e.getStackTrace();
			List<RecordedFrame> frames = trace == null ? List.of() : trace.getFrames();
			String via = through;
			if (via != null && frames.stream().noneMatch(f -> method(f).contains(via))) {
				continue;
			}
			if (monitor) {
				String cls = e.getClass("monitorClass") == null ? "?" : e.getClass("monitorClass").getName();
				long nanos = e.getDuration().toNanos();
				long[] m = monitors.computeIfAbsent(cls + " (" + threadKind + ")", k -> new long[2]);
				m[0]++;
				m[1] += nanos;
				String site = firstOwn(frames);
				long[] ms = monitorSites.computeIfAbsent(site + " (" + threadKind + ")", k -> new long[2]);
				ms[0]++;
				ms[1] += nanos;
				continue;
			}
			samples++;
			perThread.merge(threadKind, 1, Integer::sum);
			if (!frames.isEmpty()) {
				self.merge(method(frames.get(0)), 1, Integer::sum);
			}
			Set<String> seen = new LinkedHashSet<>();
			for (RecordedFrame f : frames) {
				String m = method(f);
				if (m.startsWith("io.crontainer.") && seen.add(m)) {
					inclusive.merge(m, 1, Integer::sum);
				}
			}
			StringBuilder sb = new StringBuilder();
			for (int i = 0; i < Math.min(stackDepth, frames.size()); i++) {
				sb.append(i == 0 ? "" : " <- ").append(shortMethod(frames.get(i)));
			}
			stacks.merge(threadKind + ": " + sb, 1, Integer::sum);
		}
		System.out.printf(Locale.ROOT, "%nJava stack samples of threads matching %s: %,d%n", threads.pattern(), samples);
		print("Samples per thread", perThread, samples, top);
		print("On top of the stack (self)", self, samples, top);
		print("Crontainer methods anywhere on the stack (inclusive)", inclusive, samples, top);
		print("Stacks, top " + stackDepth + " frames", stacks, samples, top);
		System.out.println();
		System.out.println("Contended monitor entries (jdk.JavaMonitorEnter), by monitor class (thread):");
		printMonitors(monitors, top);
		System.out.println("... by the first Crontainer frame that entered (thread):");
		printMonitors(monitorSites, top);
	}

	private static String firstOwn(List<RecordedFrame> frames) {
		for (RecordedFrame f : frames) {
			String m = method(f);
			if (m.startsWith("io.crontainer.")) {
				return m + ":" + f.getLineNumber();
			}
		}
		return frames.isEmpty() ? "?" : method(frames.get(0));
	}

	private static String method(RecordedFrame f) {
		return f.getMethod().getType().getName() + "." + f.getMethod().getName();
	}

	private static String shortMethod(RecordedFrame f) {
		String type = f.getMethod().getType().getName();
		return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName() + ":" + f.getLineNumber();
	}

	private static void print(String title, Map<String, Integer> counts, int total, int top) {
		System.out.println();
		System.out.println(title + ":");
		counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
				.forEach(e -> System.out.printf(Locale.ROOT, "  %6d %5.1f%%  %s%n", e.getValue(), 100.0 * e.getValue() / Math.max(1, total), e.getKey()));
	}

	private static void printMonitors(Map<String, long[]> monitors, int top) {
		if (monitors.isEmpty()) {
			System.out.println("  none");
			return;
		}
		monitors.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(top)
				.forEach(e -> System.out.printf(Locale.ROOT, "  %6d entries, %8.2f ms blocked  %s%n", e.getValue()[0], e.getValue()[1] / 1e6, e.getKey()));
	}
}
