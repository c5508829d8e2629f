package io.crontainer.itests.foundation;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Dictionary;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

import io.crontainer.itests.support.Await;
import io.crontainer.itests.support.CrontainerOptions;

/**
 * A {@code .cfg} file in {@code etc/} becomes a ConfigAdmin configuration, and changing or deleting the
 * file changes or deletes it, live.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigFromEtcIT {

	private static final String PID = "io.crontainer.itests.sample";

	@Inject
	private BundleContext context;
	@Inject
	private ConfigurationAdmin configAdmin;

	@Configuration
	public Option[] config() {
		return new Option[] { CrontainerOptions.features("core") };
	}

	@Test
	public void cfgFileIsAppliedLive() throws Exception {
		Path etc = Path.of(context.getProperty("crontainer.home"), "etc");
		Path cfg = etc.resolve(PID + ".cfg");
		write(cfg, "greeting = hello\ndata = ${crontainer.data.dir}\n");
		Await.until(PID + " greeting=hello", () -> "hello".equals(value("greeting")), () -> "Seen: " + props());
		assertEquals("framework properties are substituted", context.getProperty("crontainer.data.dir"),
				value("data"));

		write(cfg, "greeting = bonjour\n");
		Await.until(PID + " greeting=bonjour", () -> "bonjour".equals(value("greeting")), () -> "Seen: " + props());

		Files.delete(cfg);
		Await.until(PID + " deleted", () -> props() == null, () -> "Seen: " + props());
	}

	/** Writes atomically, as an editor or a deployment tool would. */
	private static void write(Path file, String content) throws Exception {
		Path tmp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), content);
		Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	private Object value(String key) {
		Dictionary<String, Object> props = props();
		return props == null ? null : props.get(key);
	}

	private Dictionary<String, Object> props() {
		try {
			org.osgi.service.cm.Configuration[] found = configAdmin.listConfigurations("(service.pid=" + PID + ")");
			return found == null ? null : found[0].getProperties();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
