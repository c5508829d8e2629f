package io.crontainer.deploy.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnreadableJarsTest {

	@TempDir
	Path dir;

	final UnreadableJars installer = new UnreadableJars();

	@Test
	void aCompleteBundleIsLeftToFileInstall() throws IOException {
		Path bundle = Files.write(dir.resolve("ok.jar"), jar("com.example.ok"));
		assertThat(installer.canHandle(bundle.toFile())).isFalse();
		assertThat(UnreadableJars.problem(bundle.toFile())).isNull();
	}

	@Test
	void aTruncatedJarIsClaimedWithItsReason() throws IOException {
		byte[] whole = jar("com.example.cut");
		Path cut = Files.write(dir.resolve("cut.jar"), Arrays.copyOf(whole, whole.length / 2));
		assertThat(installer.canHandle(cut.toFile())).isFalse(); // warns, and leaves it to FileInstall
		assertThat(UnreadableJars.problem(cut.toFile())).startsWith("it cannot be read as a jar, truncated or not a jar at all (")
				.endsWith("). Copy it again (to a name not ending in .jar, then rename it), and it is installed.");
	}

	@Test
	void aJarThatIsNoBundleIsClaimed() throws IOException {
		Path plain = Files.write(dir.resolve("plain.jar"), jar(null));
		assertThat(installer.canHandle(plain.toFile())).isFalse();
		// not "copy it again": that would change nothing
		assertThat(UnreadableJars.problem(plain.toFile())).startsWith("it is not an OSGi bundle (no Bundle-SymbolicName"
				+ " in its manifest), and copying it again changes nothing. A plugin must be built as a bundle: with the"
				+ " bnd-maven-plugin").doesNotContain("Copy it again");
	}

	@Test
	void otherFilesAreNotItsBusiness() throws IOException {
		assertThat(installer.canHandle(Files.writeString(dir.resolve("x.cfg"), "a = b").toFile())).isFalse();
		assertThat(installer.canHandle(Files.writeString(dir.resolve("x.jar.part"), "half").toFile())).isFalse();
		assertThat(installer.canHandle(Files.createDirectory(dir.resolve("d.jar")).toFile())).isFalse();
	}

	static byte[] jar(String bsn) throws IOException {
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		if (bsn != null) {
			manifest.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
			jar.putNextEntry(new ZipEntry("data.txt"));
			jar.write(new byte[4096]);
			jar.closeEntry();
		}
		return bytes.toByteArray();
	}
}
