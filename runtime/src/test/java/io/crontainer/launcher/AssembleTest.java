package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's layout tool ({@code src/build/Assemble.java}, run as the pom runs it): a rebuild never
 * destroys an operator's files in the distribution it rebuilds.
 */
class AssembleTest {

	@TempDir
	Path tmp;

	Path template;
	Path dist;

	@BeforeEach
	void template() throws IOException {
		template = tmp.resolve("template");
		dist = tmp.resolve("dist");
		Files.createDirectories(template.resolve("bin"));
		Files.writeString(template.resolve("bin/crontainer"), "#!/bin/sh\n");
		Files.createDirectories(template.resolve("conf"));
		Files.writeString(template.resolve("conf/config.properties"), "a = b\n");
		Files.createDirectories(template.resolve("etc"));
		Files.writeString(template.resolve("etc/kept.cfg"), "x = 1\n");
		Files.writeString(template.resolve("etc/updated.cfg"), "y = 1\n");
		Files.createDirectories(template.resolve("deploy"));
		Files.writeString(template.resolve("deploy/README.txt"), "Drop jars here.\n");
		Path feature = Files.createDirectories(tmp.resolve("features/one/target"));
		Path bundle = Files.writeString(tmp.resolve("some-bundle.jar"), "not really a jar");
		Files.writeString(feature.resolve("feature.bundles"),
				"# a feature\nbundle\tcom.example.some-bundle\t1.0.0\tcom.example:some-bundle:1.0\talways\t" + bundle + "\n");
		Files.writeString(tmp.resolve("launcher.jar"), "launcher");
	}

	@Test
	void aRebuildKeepsWhatAnOperatorChangedOrAdded() throws Exception {
		assemble();
		assertThat(dist.resolve("etc/kept.cfg")).hasContent("x = 1");
		assertThat(dist.resolve("bundle/some-bundle-1.0.jar")).exists();
		assertThat(dist.resolve("bin/crontainer")).isExecutable();

		// The operator's work
		Files.writeString(dist.resolve("etc/kept.cfg"), "x = 2\n");
		Files.writeString(dist.resolve("etc/mine.cfg"), "z = 3\n");
		Files.writeString(dist.resolve("deploy/my-plugin.jar"), "a plugin");
		Files.createDirectories(dist.resolve("data/state"));
		Files.writeString(dist.resolve("data/state/heartbeat"), "state");
		FileTime operatorTime = FileTime.fromMillis(1_000_000_000_000L);
		Files.setLastModifiedTime(dist.resolve("etc/mine.cfg"), operatorTime);
		// and a new version of the template
		Files.writeString(template.resolve("etc/kept.cfg"), "x = 10\n");
		Files.writeString(template.resolve("etc/updated.cfg"), "y = 10\n");
		Files.writeString(template.resolve("etc/new.cfg"), "n = 1\n");

		String log = assemble();

		assertThat(dist.resolve("etc/kept.cfg")).hasContent("x = 2");
		assertThat(log).contains("Kept " + dist.resolve("etc/kept.cfg") + ": changed since the build wrote it");
		assertThat(dist.resolve("etc/mine.cfg")).hasContent("z = 3");
		assertThat(Files.getLastModifiedTime(dist.resolve("etc/mine.cfg"))).isEqualTo(operatorTime);
		assertThat(dist.resolve("etc/updated.cfg")).hasContent("y = 10"); // unchanged by the operator: updated
		assertThat(dist.resolve("etc/new.cfg")).hasContent("n = 1");
		assertThat(dist.resolve("deploy/my-plugin.jar")).hasContent("a plugin");
		assertThat(dist.resolve("data/state/heartbeat")).hasContent("state");
		assertThat(dist.resolve("bin/crontainer")).isExecutable();
	}

	private String assemble() throws IOException, InterruptedException {
		Path out = Files.createTempFile(tmp, "assemble", ".log");
		Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
				Path.of("src/build/Assemble.java").toAbsolutePath().toString(), "--dist=" + dist, "--template=" + template,
				"--features-dir=" + tmp.resolve("features"), "--features=one", "--lib=" + tmp.resolve("launcher.jar"),
				"--version=1.0", "--timestamp=2026-11-29T00:00:00Z").redirectErrorStream(true).redirectOutput(out.toFile())
				.start();
		assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
		String log = Files.readString(out);
		assertThat(p.exitValue()).as(log).isZero();
		return log;
	}
}
