package io.crontainer.itests.docs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventHandler;
import org.slf4j.LoggerFactory;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Resource;
import io.crontainer.api.runtime.CronEvents;

/**
 * The README's Event Admin handler ("Events for other bundles") compiles exactly as the README writes it,
 * bnd makes a Declarative Services component of it that subscribes to {@code io/crontainer/run/ENDED} with a
 * filter that lets failed runs through only, and it logs a failed run on one line.
 */
public class ReadmeHandlerTest {

	@Rule
	public TemporaryFolder tmp = new TemporaryFolder();

	@Test
	public void theReadmesHandlerCompilesAsWrittenAndNotifiesOnFailures() throws Exception {
		String readme = Files.readString(Path.of(System.getProperty("crontainer.readme", "../README.md")));
		Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
		String source = null;
		while (block.find()) {
			if (block.group(1).contains("implements EventHandler")) {
				source = block.group(1);
			}
		}
		assertNotNull("a Java block with an EventHandler in README.md", source);

		// As written (the default package), then in a package of its own for bnd
		Path asWritten = compile(source, tmp.newFolder("as-written").toPath());
		assertTrue(Files.exists(asWritten.resolve("FailureNotifier.class")));
		Path packaged = compile("package readme;\n" + source, tmp.newFolder("packaged").toPath());

		String xml;
		try (Builder bnd = new Builder()) {
			bnd.setProperty("Bundle-SymbolicName", "readme.handler");
			bnd.setProperty("Private-Package", "readme");
			bnd.addClasspath(packaged.toFile());
			Jar jar = bnd.build();
			assertTrue(String.valueOf(bnd.getErrors()), bnd.getErrors().isEmpty());
			Resource component = jar.getResource("OSGI-INF/readme.FailureNotifier.xml");
			assertNotNull("the DS component of the handler: " + jar.getResources().keySet(), component);
			xml = new String(component.buffer().array(), StandardCharsets.UTF_8);
		}
		assertTrue(xml, xml.contains("name=\"event.topics\"") && xml.contains("value=\"io/crontainer/run/ENDED\""));
		Matcher filter = Pattern.compile("name=\"event.filter\"[^>]*value=\"([^\"]*)\"").matcher(xml);
		assertTrue(xml, filter.find());
		Filter failedOnly = FrameworkUtil.createFilter(filter.group(1));
		assertTrue(failedOnly.matches(Map.of(CronEvents.OUTCOME, "FAILED")));
		assertFalse(failedOnly.matches(Map.of(CronEvents.OUTCOME, "SUCCEEDED")));

		// It logs a failed run on one line, whatever the plugin threw
		LoggerFactory.getLogger(ReadmeHandlerTest.class); // the provider is bound before System.err is replaced
		try (URLClassLoader loader = new URLClassLoader(new URL[] { asWritten.toUri().toURL() },
				ReadmeHandlerTest.class.getClassLoader())) {
			EventHandler handler = (EventHandler) loader.loadClass("FailureNotifier").getConstructor().newInstance();
			PrintStream err = System.err;
			ByteArrayOutputStream captured = new ByteArrayOutputStream();
			System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
			try {
				handler.handleEvent(new Event(CronEvents.RUN_ENDED, Map.of(CronEvents.NAME, "hello",
						CronEvents.OUTCOME, "FAILED", CronEvents.ERROR,
						"java.lang.IllegalStateException: boom\n2026-12-07 ERROR forged line")));
			} finally {
				System.setErr(err);
			}
			List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
			assertEquals(String.valueOf(lines), 1, lines.size());
			assertTrue(lines.get(0), lines.get(0).endsWith(
					"Cron plugin hello failed: java.lang.IllegalStateException: boom 2026-12-07 ERROR forged line"));
		}
	}

	/** Compiles one source file (its class named by its public class) into {@code out}, with the API jars. */
	private static Path compile(String source, Path out) throws Exception {
		Path file = out.resolve("src/FailureNotifier.java");
		Files.createDirectories(file.getParent());
		Files.writeString(file, source);
		String classpath = Stream.of(Component.class, Event.class, LoggerFactory.class, CronEvents.class)
				.map(c -> {
					try {
						return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
					} catch (java.net.URISyntaxException e) {
						throw new IllegalStateException(e);
					}
				}).collect(Collectors.joining(File.pathSeparator));
		JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
		ByteArrayOutputStream messages = new ByteArrayOutputStream();
		int status = javac.run(null, messages, messages, "-proc:none", "-classpath", classpath, "-d", out.toString(),
				file.toString());
		assertEquals("javac: " + messages.toString(StandardCharsets.UTF_8), 0, status);
		return out;
	}
}
