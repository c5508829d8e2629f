package io.crontainer.itests.foundation;

import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.itests.support.Await;
import io.crontainer.itests.support.CrontainerOptions;

/**
 * An SLF4J call from a bundle reaches the rolling file {@code data/log/crontainer.log} (and the console:
 * same configuration), with time, level, bundle and message; SLF4J is bound to pax-logging, not to the
 * no-op logger. Gogo's {@code log} command is checked on the distribution (runtime's DistributionIT).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LoggingIT {

	@Inject
	private BundleContext context;

	@Configuration
	public Option[] config() {
		return new Option[] { CrontainerOptions.features("core") };
	}

	@Test
	public void slf4jReachesLogReaderAndFile() throws Exception {
		Logger log = LoggerFactory.getLogger(LoggingIT.class);
		assertTrue("SLF4J bound to pax-logging, not " + LoggerFactory.getILoggerFactory().getClass(),
				LoggerFactory.getILoggerFactory().getClass().getName().startsWith("org.ops4j.pax.logging"));
		String message = "logging-it " + UUID.randomUUID();
		log.info("Hello from {}", message);

		Path file = Path.of(context.getProperty("crontainer.data.dir"), "log", "crontainer.log");
		String bsn = context.getBundle().getSymbolicName();
		// time | level | bundle (the column is 36 wide: the probe's long name is cut) | logger | message
		Await.until("line in " + file,
				() -> read(file).lines()
						.anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) \\| INFO  \\| .+")
								&& l.contains(bsn.substring(bsn.length() - 20)) && l.endsWith("Hello from " + message)),
				() -> "File:\n" + read(file));
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(none)";
		} catch (IOException e) {
			return e.toString();
		}
	}
}
