package io.crontainer.archetype.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin author's chain, as the README tells it: {@code mvn archetype:generate} with our archetype,
 * then {@code mvn package} in the generated project, gives an OSGi bundle with a cron plugin
 * component; copied into the {@code deploy/} directory of the runtime distribution just built, it is
 * scheduled, shows in {@code cron:list} and runs on {@code cron:fire}.
 *
 * <p>
 * The nested Maven builds never touch the shared local repository: they use a throwaway one under
 * {@code target/}, into which this test installs the freshly built reactor artifacts (the parent pom,
 * the API bundle, the archetype), and a mirror that serves every other artifact from the shared local
 * repository as a {@code file:} repository. So they need no network and see exactly what the reactor
 * build resolved; an artifact the reactor did not resolve is a clear failure.
 */
class ArchetypeIT {

	static final Path TARGET = Path.of(System.getProperty("project.build.directory", "target"));
	static final Path WORK = TARGET.resolve("it");
	static final Path REPOSITORY = WORK.resolve("repository");
	static final Path SETTINGS = WORK.resolve("settings.xml");
	static final String VERSION = System.getProperty("crontainer.version");
	static final long TIMEOUT_SECONDS = 120;

	@BeforeAll
	static void repository() throws IOException {
		deleteRecursively(WORK);
		Files.createDirectories(REPOSITORY);
		Path shared = Path.of(System.getProperty("shared.repository"));
		Files.writeString(SETTINGS, """
				<settings>
				  <mirrors>
				    <mirror>
				      <id>reactor-local</id>
				      <mirrorOf>*</mirrorOf>
				      <url>%1$s</url>
				    </mirror>
				  </mirrors>
				  <!-- A local repository holds no checksums to verify. -->
				  <profiles>
				    <profile>
				      <id>reactor-local</id>
				      <repositories>
				        <repository><id>central</id><url>%1$s</url><releases><checksumPolicy>ignore</checksumPolicy></releases></repository>
				      </repositories>
				      <pluginRepositories>
				        <pluginRepository><id>central</id><url>%1$s</url><releases><checksumPolicy>ignore</checksumPolicy></releases></pluginRepository>
				      </pluginRepositories>
				    </profile>
				  </profiles>
				  <activeProfiles><activeProfile>reactor-local</activeProfile></activeProfiles>
				</settings>
				""".formatted(shared.toUri()));
		install("crontainer", "pom", Path.of(System.getProperty("parent.pom")), null);
		install("io.crontainer.api", "jar", Path.of(System.getProperty("api.pom")), Path.of(System.getProperty("api.jar")));
		install("io.crontainer.archetype.plugin", "jar", Path.of(System.getProperty("archetype.pom")), Path.of(System.getProperty("archetype.jar")));
	}

	/** Installs an artifact of ours the way {@code mvn install} lays it out. */
	static void install(String artifactId, String packaging, Path pom, Path file) throws IOException {
		Path directory = Files.createDirectories(REPOSITORY.resolve("io/crontainer").resolve(artifactId).resolve(VERSION));
		Files.copy(pom, directory.resolve(artifactId + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
		if (file != null) {
			Files.copy(file, directory.resolve(artifactId + "-" + VERSION + "." + packaging), StandardCopyOption.REPLACE_EXISTING);
		}
	}

	@Test
	void generatesAProjectWhosePackageIsACronPluginBundle() throws Exception {
		Path project = generate("com.example", "hello-cron", "com.example.hello", "HelloCron");

		assertThat(project.resolve("src/main/java/com/example/hello/HelloCron.java")).isRegularFile();
		assertThat(project.resolve("src/test/java/com/example/hello/HelloCronTest.java")).isRegularFile();

		String log = maven(project, "package");
		assertThat(log).contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0");

		Path bundle = project.resolve("target/hello-cron-1.0.0-SNAPSHOT.jar");
		try (JarFile jar = new JarFile(bundle.toFile())) {
			Attributes manifest = jar.getManifest().getMainAttributes();
			assertThat(manifest.getValue("Bundle-SymbolicName")).isEqualTo("com.example.hello-cron");
			assertThat(manifest.getValue("Bundle-Version")).isEqualTo("1.0.0.SNAPSHOT");
			// The plugin API's minor version it was built against, up to the next major (bnd's consumer range)
			assertThat(manifest.getValue("Import-Package")).containsPattern("io\\.crontainer\\.api;version=\"\\[1\\.\\d+,2\\)\"");
			assertThat(manifest.getValue("Service-Component")).isEqualTo("OSGI-INF/com.example.hello.HelloCron.xml");
			try (InputStream xml = jar.getInputStream(jar.getEntry("OSGI-INF/com.example.hello.HelloCron.xml"))) {
				assertThat(new String(xml.readAllBytes(), StandardCharsets.UTF_8))
						.contains("<property name=\"cron.name\" type=\"String\" value=\"hello-cron\"/>")
						.contains("<provide interface=\"io.crontainer.api.CronPlugin\"/>");
			}
		}

		deployAndFire(bundle, "hello-cron");
	}

	/**
	 * The root README's "Write your own cron plugin", followed as written: its {@code archetype:generate}
	 * command, then every Java source of that section put where its package and class name say (a class
	 * named {@code ...Test} under {@code src/test/java}, replacing the generated one), then
	 * {@code mvn package}, whose tests must all pass.
	 */
	@Test
	void theReadmesOwnPluginBuilds() throws Exception {
		String section = readmeSection("## Write your own cron plugin");
		Matcher command = Pattern.compile("(?s)```sh\n(mvn archetype:generate.*?)```").matcher(section);
		assertThat(command.find()).as("an archetype:generate command in the README's section").isTrue();
		List<String> arguments = new ArrayList<>();
		arguments.add("org.apache.maven.plugins:maven-archetype-plugin:" + System.getProperty("archetype.plugin.version") + ":generate");
		Matcher define = Pattern.compile("-D([\\w.]+)=(\\S+)").matcher(command.group(1));
		String artifactId = null;
		while (define.find()) {
			arguments.add(define.group());
			artifactId = define.group(1).equals("artifactId") ? define.group(2) : artifactId;
		}
		assertThat(artifactId).as("the README's -DartifactId").isNotNull();
		Path projects = Files.createDirectories(WORK.resolve("readme"));
		maven(projects, arguments.toArray(new String[0]));
		Path project = projects.resolve(artifactId);

		Matcher java = Pattern.compile("(?s)```java\n(.*?)```").matcher(section);
		int tests = 0;
		List<Path> written = new ArrayList<>();
		while (java.find()) {
			String source = java.group(1);
			Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(source);
			Matcher type = Pattern.compile("(?m)^(?:public )?(?:final )?class (\\w+)").matcher(source);
			assertThat(pkg.find() && type.find()).as("a package and a class in the README's Java block:%n%s", source).isTrue();
			boolean test = type.group(1).endsWith("Test");
			Path file = project.resolve(test ? "src/test/java" : "src/main/java").resolve(pkg.group(1).replace('.', '/'))
					.resolve(type.group(1) + ".java");
			assertThat(file).as("the README's %s replaces a file the archetype generated", type.group(1)).isRegularFile();
			Files.writeString(file, source);
			written.add(file);
			tests += test ? source.split("@Test\\b", -1).length - 1 : 0;
		}
		assertThat(written).as("Java sources in the README's section").isNotEmpty();

		String log = maven(project, "package");
		assertThat(log).contains("Tests run: " + tests + ", Failures: 0, Errors: 0, Skipped: 0").contains("BUILD SUCCESS");
	}

	/** The root README's section that starts with this heading, up to the next heading of its level. */
	static String readmeSection(String heading) throws IOException {
		String readme = Files.readString(Path.of(System.getProperty("readme")));
		int start = readme.indexOf("\n" + heading + "\n");
		assertThat(start).as("README section %s", heading).isNotNegative();
		int end = readme.indexOf("\n## ", start + heading.length() + 2);
		return readme.substring(start, end < 0 ? readme.length() : end);
	}

	/**
	 * Starts the runtime distribution as released (unpacked from its {@code .tar.gz}, so that nothing an
	 * operator put into {@code runtime/target/crontainer} takes part) with its Gogo console on a pipe and
	 * the web console's HTTP server on a free port, deploys the bundle as the README says (copy under
	 * another name, then rename), and drives the shell.
	 */
	static void deployAndFire(Path bundle, String name) throws Exception {
		Path home = unpackDistribution();
		Path output = WORK.resolve("crontainer.log");
		ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/crontainer").toString()).directory(WORK.toFile())
				.redirectErrorStream(true).redirectOutput(output.toFile());
		builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
		builder.environment().put("JAVA_OPTS", "-Dcrontainer.console=true -Dorg.osgi.service.http.port=0");
		Process runtime = builder.start();
		try (Writer console = new OutputStreamWriter(runtime.getOutputStream(), StandardCharsets.UTF_8)) {
			await(runtime, output, "Crontainer started in");

			Path part = Files.copy(bundle, home.resolve("deploy").resolve(bundle.getFileName() + ".part"));
			Files.move(part, home.resolve("deploy").resolve(bundle.getFileName()), StandardCopyOption.ATOMIC_MOVE);
			await(runtime, output, "Cron plugin " + name + " is scheduled: '*/5 * * * *'");

			console.write("cron:list\ncron:fire " + name + "\n");
			console.flush();
			await(runtime, output, name + ": SUCCEEDED");
			String log = Files.readString(output);
			assertThat(log).containsPattern("(?m)^" + name + " +SCHEDULED +\\*/5 \\* \\* \\* \\* .* com\\.example\\." + name + " \\[\\d+\\]$")
					.containsPattern("\\| " + name + ": \\[1970-01-01T00:00:00Z, \\S+\\), the first run");
		} // end of input: the console, and with it the runtime, stops
		if (!runtime.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
			runtime.destroyForcibly().waitFor();
			throw new AssertionError("The runtime did not stop:\n" + Files.readString(output));
		}
		assertThat(runtime.exitValue()).as("exit status; output:%n%s", Files.readString(output)).isZero();
	}

	/** Waits until the output contains the text, or fails with the output. */
	static void await(Process process, Path output, String text) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
		while (!Files.readString(output).contains(text)) {
			if (!process.isAlive() || System.nanoTime() - deadline > 0) {
				process.destroyForcibly().waitFor();
				throw new AssertionError("No '" + text + "' from the runtime; its output:\n" + Files.readString(output));
			}
			Thread.sleep(50);
		}
	}

	/** Runs {@code archetype:generate} in batch mode and returns the new project's directory. */
	static Path generate(String groupId, String artifactId, String packageName, String className) throws Exception {
		Path projects = Files.createDirectories(WORK.resolve("projects"));
		maven(projects, "org.apache.maven.plugins:maven-archetype-plugin:" + System.getProperty("archetype.plugin.version") + ":generate",
				"-DarchetypeGroupId=io.crontainer", "-DarchetypeArtifactId=io.crontainer.archetype.plugin", "-DarchetypeVersion=" + VERSION,
				"-DgroupId=" + groupId, "-DartifactId=" + artifactId, "-Dversion=1.0.0-SNAPSHOT", "-Dpackage=" + packageName,
				"-DclassName=" + className, "-DarchetypeCatalog=local");
		return projects.resolve(artifactId);
	}

	/**
	 * Runs Maven in {@code directory} in batch mode with the throwaway repository; returns its output.
	 *
	 * @throws AssertionError If Maven fails or does not finish in time, with its output.
	 */
	static String maven(Path directory, String... arguments) throws Exception {
		boolean windows = System.getProperty("os.name").startsWith("Windows");
		Path mvn = Path.of(System.getProperty("maven.home"), "bin", windows ? "mvn.cmd" : "mvn");
		List<String> command = new ArrayList<>(List.of(mvn.toString(), "-B", "-ntp", "-Dstyle.color=never",
				"-s", SETTINGS.toAbsolutePath().toString(), "-Dmaven.repo.local=" + REPOSITORY.toAbsolutePath()));
		command.addAll(List.of(arguments));
		Path output = Files.createTempFile(WORK, "maven-", ".log");
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
				.redirectOutput(output.toFile());
		builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
		builder.environment().remove("MAVEN_ARGS");
		Process process = builder.start();
		if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
			process.destroyForcibly().waitFor();
			throw new AssertionError("mvn " + String.join(" ", arguments) + " did not finish in " + TIMEOUT_SECONDS + " s:\n" + Files.readString(output));
		}
		String log = Files.readString(output);
		if (process.exitValue() != 0) {
			throw new AssertionError("mvn " + String.join(" ", arguments) + " failed:\n" + log);
		}
		return log;
	}

	/** Unpacks the distribution's {@code .tar.gz} (next to {@code crontainer.dist}) into the work directory. */
	static Path unpackDistribution() throws Exception {
		Path dist = Path.of(System.getProperty("crontainer.dist"));
		Path tar;
		try (Stream<Path> files = Files.list(dist.getParent())) {
			tar = files.filter(p -> p.getFileName().toString().matches("crontainer-.*\\.tar\\.gz")).findFirst()
					.orElseThrow(() -> new AssertionError("No crontainer-*.tar.gz next to " + dist));
		}
		Path into = Files.createDirectories(WORK.resolve("dist"));
		Process untar = new ProcessBuilder("tar", "xzf", tar.toString(), "-C", into.toString()).inheritIO().start();
		assertThat(untar.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("tar finished").isTrue();
		assertThat(untar.exitValue()).as("tar's exit status").isZero();
		try (Stream<Path> dirs = Files.list(into)) {
			return dirs.filter(Files::isDirectory).findFirst().orElseThrow(() -> new AssertionError("Empty " + tar));
		}
	}

	static void deleteRecursively(Path directory) throws IOException {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
				Files.delete(path);
			}
		}
	}
}
