package io.crontainer.itests.foundation;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import io.crontainer.itests.support.Await;
import io.crontainer.itests.support.CrontainerOptions;

/**
 * Hot deployment through {@code deploy/}, configured by the distribution's own
 * {@code etc/org.apache.felix.fileinstall-deploy.cfg}: a jar moved in is installed and started, a jar
 * deleted is uninstalled, a truncated jar is never installed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT {

	@Inject
	private BundleContext context;

	@Configuration
	public Option[] config() {
		return new Option[] { CrontainerOptions.features("core") };
	}

	@Test
	public void jarMovedInIsStartedAndDeletedIsUninstalled() throws Exception {
		Path deploy = Path.of(context.getProperty("crontainer.home"), "deploy");
		String bsn = "io.crontainer.itests.sample";
		// As the README tells operators: copy under another name, then rename.
		Path part = Files.write(deploy.resolve("sample.jar.part"), bundleJar(bsn, "1.0.0"));
		Path jar = Files.move(part, deploy.resolve("sample.jar"), StandardCopyOption.ATOMIC_MOVE);

		Await.until(bsn + " ACTIVE", () -> state(bsn) == Bundle.ACTIVE, () -> "State: " + state(bsn));
		assertEquals(jar.toUri().toString().replace("file:///", "file:/"),
				bundle(bsn).getLocation().replace("file:///", "file:/"));

		Files.delete(jar);
		Await.until(bsn + " uninstalled", () -> bundle(bsn) == null, () -> "State: " + state(bsn));
	}

	@Test
	public void truncatedJarIsNeverInstalled() throws Exception {
		Path deploy = Path.of(context.getProperty("crontainer.home"), "deploy");
		byte[] whole = bundleJar("io.crontainer.itests.truncated", "1.0.0");
		Files.write(deploy.resolve("truncated.jar"), Arrays.copyOf(whole, whole.length / 2));
		// A good jar written at the same time is handled in the same scan; once it is active, the
		// truncated one has had its chance.
		Files.write(deploy.resolve("witness.jar"), bundleJar("io.crontainer.itests.witness", "1.0.0"));

		Await.until("witness ACTIVE", () -> state("io.crontainer.itests.witness") == Bundle.ACTIVE);
		assertNull(bundle("io.crontainer.itests.truncated"));
		for (Bundle b : context.getBundles()) {
			assertEquals("no bundle from the truncated jar: " + b.getLocation(), false,
					b.getLocation().endsWith("truncated.jar"));
		}
		Files.delete(deploy.resolve("truncated.jar"));
		Files.delete(deploy.resolve("witness.jar"));
		Await.until("witness uninstalled", () -> bundle("io.crontainer.itests.witness") == null);
	}

	/** A minimal bundle: a manifest and one resource. */
	static byte[] bundleJar(String bsn, String version) throws IOException {
		Manifest manifest = new Manifest();
		Attributes main = manifest.getMainAttributes();
		main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
		main.putValue("Bundle-ManifestVersion", "2");
		main.putValue("Bundle-SymbolicName", bsn);
		main.putValue("Bundle-Version", version);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
			jar.putNextEntry(new ZipEntry("readme.txt"));
			jar.write(("A test bundle, " + bsn + " " + version + ", padded to a realistic size.\n").repeat(200)
					.getBytes(java.nio.charset.StandardCharsets.UTF_8));
			jar.closeEntry();
		}
		return bytes.toByteArray();
	}

	private Bundle bundle(String bsn) {
		for (Bundle b : context.getBundles()) {
			if (bsn.equals(b.getSymbolicName())) {
				return b;
			}
		}
		return null;
	}

	private int state(String bsn) {
		Bundle b = bundle(bsn);
		return b == null ? Bundle.UNINSTALLED : b.getState();
	}
}
