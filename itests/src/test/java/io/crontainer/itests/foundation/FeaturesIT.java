package io.crontainer.itests.foundation;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.log.LogReaderService;

import io.crontainer.itests.support.Await;
import io.crontainer.itests.support.CrontainerOptions;
import io.crontainer.itests.support.Gogo;

/**
 * The features the runtime ships ({@code core}, {@code shell}, {@code examples}) resolve and start in
 * Felix, and provide the services the runtime is built on. (Pax Exam fails the test on any unresolved
 * bundle: see exam.properties.)
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FeaturesIT {

	@Inject
	private BundleContext context;

	// Injection waits (pax.exam.service.timeout) until each service is there.
	@Inject
	private ServiceComponentRuntime scr;
	@Inject
	private ConfigurationAdmin configAdmin;
	@Inject
	private LogReaderService logReader;
	@Inject
	private CommandProcessor commandProcessor;

	@Configuration
	public Option[] config() {
		return new Option[] { CrontainerOptions.features("core", "shell", "examples") };
	}

	@Test
	public void everyBundleIsActive() {
		List<String> notActive = new ArrayList<>();
		for (Bundle b : context.getBundles()) {
			boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
			int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
			if (b.getState() != expected) {
				notActive.add(b.getSymbolicName() + " state " + b.getState());
			}
		}
		assertEquals("Bundles not active", List.of(), notActive);
	}

	@Test
	public void ourBundlesAreTheReactorsFreshJars() {
		for (String bsn : List.of("io.crontainer.api", "io.crontainer.scheduler", "io.crontainer.shell")) {
			Bundle b = bundle(bsn);
			assertNotNull(bsn + " installed", b);
			assertTrue(bsn + " from " + b.getLocation(), b.getLocation().startsWith("file:")
					&& b.getLocation().matches(".*/target/" + java.util.regex.Pattern.quote(bsn) + "-[^/]+\\.jar"));
		}
	}

	@Test
	public void consoleBundleIsLeftOut() {
		assertEquals(null, bundle("org.apache.felix.gogo.shell"));
		assertNotNull(bundle("org.apache.felix.gogo.runtime"));
	}

	@Test
	public void dataDirIsSetAndExists() {
		String dataDir = context.getProperty("crontainer.data.dir");
		assertNotNull(dataDir);
		assertTrue(dataDir, Files.isDirectory(Path.of(dataDir)));
		assertEquals(Path.of(context.getProperty("crontainer.home"), "data").toString(), dataDir);
	}

	@Test
	public void gogoRunsCommands() throws Exception {
		String lb = Gogo.execute(context, "lb");
		assertTrue(lb, lb.contains("Apache Felix Declarative Services"));
	}

	@Test
	public void shellSeesTheExamplePlugins() throws Exception {
		String[] last = { "" };
		Await.until("heartbeat in cron:list", () -> {
			try {
				last[0] = Gogo.execute(context, "cron:list");
			} catch (Exception e) {
				last[0] = e.toString(); // the scheduler may not be up yet
			}
			return last[0].contains("heartbeat");
		}, () -> "Last output: " + last[0]);
	}

	private Bundle bundle(String bsn) {
		for (Bundle b : context.getBundles()) {
			if (bsn.equals(b.getSymbolicName())) {
				return b;
			}
		}
		return null;
	}
}
