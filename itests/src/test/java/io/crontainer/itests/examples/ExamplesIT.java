package io.crontainer.itests.examples;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

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
import org.osgi.framework.ServiceReference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.itests.support.Await;
import io.crontainer.itests.support.CrontainerOptions;
import io.crontainer.itests.support.Gogo;

/**
 * The example plugins as the runtime ships them, with their {@code etc/} configuration: the heartbeat
 * and the token cleaner (on the embedded H2 database, through H2's OSGi JDBC service) are scheduled,
 * the file janitor waits for configuration; each does its job when fired, and a token-cleaner run
 * that cannot reach its database fails and leaves its window to the next run.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ExamplesIT {

	private static final String TOKEN_CLEANER_CFG = "io.crontainer.examples.tokencleaner.cfg";
	private static final String FILE_JANITOR_CFG = "io.crontainer.examples.filejanitor.cfg";

	@Inject
	private BundleContext context;
	@Inject
	private CronRuntime runtime;
	@Inject
	private MetaTypeService metaType;

	@Configuration
	public Option[] config() {
		return new Option[] { CrontainerOptions.features("core", "shell", "examples") };
	}

	@Test
	public void heartbeatAndTokenCleanerAreScheduledAndFileJanitorWaitsForConfiguration() throws Exception {
		awaitState("heartbeat", JobState.SCHEDULED);
		awaitState("token-cleaner", JobState.SCHEDULED);
		awaitState("file-janitor", JobState.DISABLED);
		assertEquals("* * * * *", runtime.getJob("heartbeat").interval);
		assertEquals("? * * * *", runtime.getJob("token-cleaner").interval);

		CronRunDTO run = fire("heartbeat");
		assertEquals(run.error, Outcome.SUCCEEDED, run.outcome);
	}

	@Test
	public void tokenCleanerDeletesTokensExpiredMoreThanAWeekAgoFromTheDefaultH2Database() throws Exception {
		awaitState("token-cleaner", JobState.SCHEDULED);
		CronRunDTO first = fire("token-cleaner"); // creates data/db/tokens.mv.db with its tables
		assertEquals(first.error, Outcome.SUCCEEDED, first.outcome);
		Path db = Path.of(context.getProperty("crontainer.data.dir"), "db");
		assertTrue(db + "/tokens.mv.db", Files.isRegularFile(db.resolve("tokens.mv.db")));

		String url = "jdbc:h2:file:" + db.resolve("tokens");
		try (Connection connection = connect(url)) {
			insertSeedTokens(connection, Instant.now());
		}
		CronRunDTO run = fire("token-cleaner");

		assertEquals(run.error, Outcome.SUCCEEDED, run.outcome);
		try (Connection connection = connect(url)) {
			assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), ids(connection, "access_tokens"));
			assertEquals(List.of(1000L, 1001L, 1002L, 1003L, 1004L, 1005L, 1006L, 1007L), ids(connection, "refresh_tokens"));
		}
	}

	@Test
	public void anUnreachableDatabaseFailsTheRunAndItsWindowIsRetried() throws Exception {
		Path cfg = Path.of(context.getProperty("crontainer.home"), "etc", TOKEN_CLEANER_CFG);
		String shipped = Files.readString(cfg);
		awaitState("token-cleaner", JobState.SCHEDULED);
		fire("token-cleaner");
		try {
			String unreachable = "jdbc:h2:tcp://127.0.0.1:1/tokens";
			write(cfg, "enabled = true\njdbc.url = " + unreachable + "\n");
			awaitProperty("token-cleaner", "jdbc.url", unreachable);
			Long lastEnd = runtime.getJob("token-cleaner").lastEnd;

			CronRunDTO failed = fire("token-cleaner");

			assertEquals(Outcome.FAILED, failed.outcome);
			assertTrue(failed.error, failed.error.contains("Cannot connect to " + unreachable + ": "));
			assertEquals("the failed window is not committed", lastEnd, runtime.getJob("token-cleaner").lastEnd);
			String history = Gogo.execute(context, "cron:history token-cleaner");
			assertTrue(history, history.contains("FAILED"));
		} finally {
			write(cfg, shipped);
		}
		awaitProperty("token-cleaner", "jdbc.url", "");
		Long failedStart = runtime.getHistory("token-cleaner", 1).get(0).windowStart;

		CronRunDTO retried = fire("token-cleaner");

		assertEquals(retried.error, Outcome.SUCCEEDED, retried.outcome);
		assertEquals("the next run covers the failed window", failedStart, retried.windowStart);
	}

	@Test
	public void fileJanitorDeletesOldFilesOnceConfigured() throws Exception {
		Path home = Path.of(context.getProperty("crontainer.home"));
		Path directory = Files.createDirectories(home.resolve("data/janitor"));
		Path old = Files.writeString(directory.resolve("old.log"), "old");
		Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
		Path recent = Files.writeString(directory.resolve("recent.log"), "recent");
		Path kept = Files.writeString(directory.resolve("old.keep"), "kept");
		Files.setLastModifiedTime(kept, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
		awaitState("file-janitor", JobState.DISABLED);

		Path cfg = home.resolve("etc").resolve(FILE_JANITOR_CFG);
		write(cfg, "enabled = true\n");
		awaitState("file-janitor", JobState.INVALID);
		assertTrue(runtime.getJob("file-janitor").reason,
				runtime.getJob("file-janitor").reason.contains("directory is not configured; max.age is not configured"));

		write(cfg, "enabled = true\ndirectory = ${crontainer.data.dir}/janitor\nmax.age = P2D\nexclude = *.keep, locks/*\n");
		awaitState("file-janitor", JobState.SCHEDULED);
		assertEquals("30 3 * * *", runtime.getJob("file-janitor").interval);
		CronRunDTO run = fire("file-janitor");

		assertEquals(run.error, Outcome.SUCCEEDED, run.outcome);
		assertFalse(Files.exists(old));
		assertTrue(Files.exists(recent));
		assertTrue("excluded", Files.exists(kept));
		assertTrue(Files.isDirectory(directory));
	}

	@Test
	public void theirConfigurationIsDescribedByMetatype() throws Exception {
		Map<String, String> pids = Map.of("io.crontainer.examples.heartbeat", "enabled cron.interval",
				"io.crontainer.examples.tokencleaner", "enabled cron.interval jdbc.url jdbc.user .jdbc.password jdbc.driver max.age schema.create",
				"io.crontainer.examples.filejanitor", "enabled cron.interval directory max.age dry.run exclude");
		for (Map.Entry<String, String> pid : pids.entrySet()) {
			Bundle bundle = Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals(pid.getKey()))
					.findFirst().orElseThrow();
			ObjectClassDefinition ocd = metaType.getMetaTypeInformation(bundle).getObjectClassDefinition(pid.getKey(), null);
			assertNotNull(pid.getKey(), ocd);
			List<String> ids = new ArrayList<>();
			for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
				ids.add(ad.getID());
				assertFalse(pid.getKey() + " " + ad.getID() + " has a description", ad.getDescription().isBlank());
			}
			assertEquals(pid.getKey(), List.of(pid.getValue().split(" ")), ids);
		}
		ObjectClassDefinition tokenCleaner = metaType.getMetaTypeInformation(Arrays.stream(context.getBundles())
				.filter(b -> b.getSymbolicName().equals("io.crontainer.examples.tokencleaner")).findFirst().orElseThrow())
				.getObjectClassDefinition("io.crontainer.examples.tokencleaner", null);
		AttributeDefinition password = Arrays.stream(tokenCleaner.getAttributeDefinitions(ObjectClassDefinition.ALL))
				.filter(ad -> ad.getID().equals(".jdbc.password")).findFirst().orElseThrow();
		assertEquals(AttributeDefinition.PASSWORD, password.getType());
	}

	private CronRunDTO fire(String name) throws Exception {
		return runtime.fire(name).toCompletableFuture().get(Await.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
	}

	private void awaitState(String name, JobState state) throws InterruptedException {
		Await.until(name + " " + state, () -> {
			CronJobDTO job = runtime.getJob(name);
			return job != null && job.state == state;
		}, () -> {
			CronJobDTO job = runtime.getJob(name);
			return job == null ? "No job " + name : "State " + job.state + ": " + job.reason;
		});
	}

	/** Waits until the plugin's service has the property (a configuration change reached it). */
	private void awaitProperty(String name, String key, String value) throws InterruptedException {
		Await.until(name + " " + key + "=" + value, () -> Objects.equals(value, property(name, key)),
				() -> "Seen: " + property(name, key));
	}

	private Object property(String name, String key) {
		try {
			Collection<ServiceReference<CronPlugin>> refs = context.getServiceReferences(CronPlugin.class,
					"(" + CronPlugin.NAME + "=" + name + ")");
			return refs.isEmpty() ? null : refs.iterator().next().getProperty(key);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	/** Writes atomically, as an editor or a deployment tool would. */
	private static void write(Path file, String content) throws Exception {
		Path tmp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), content);
		Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	/** A connection through H2's own OSGi JDBC service, as the token cleaner gets it. */
	private Connection connect(String url) throws Exception {
		Collection<ServiceReference<DataSourceFactory>> refs = context.getServiceReferences(DataSourceFactory.class,
				"(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=org.h2.Driver)");
		assertFalse("H2 registers a DataSourceFactory", refs.isEmpty());
		DataSourceFactory factory = context.getService(refs.iterator().next());
		assertNotNull(factory);
		Properties properties = new Properties();
		properties.setProperty(DataSourceFactory.JDBC_URL, url);
		return factory.createDataSource(properties).getConnection();
	}

	/**
	 * The seed project's tokens: 100 access tokens, token i created i days before {@code now}, expiring
	 * 24 h less 5 s after its creation, each with one refresh token; a run ending just after {@code now}
	 * deletes tokens 8 to 99.
	 */
	private static void insertSeedTokens(Connection connection, Instant now) throws SQLException {
		try (PreparedStatement access = connection.prepareStatement(
				"INSERT INTO access_tokens (id, access_token, created_at, expires_at) VALUES (?, ?, ?, ?)");
				PreparedStatement refresh = connection.prepareStatement(
						"INSERT INTO refresh_tokens (id, access_token_id, refresh_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
			for (int i = 0; i < 100; i++) {
				Instant created = now.minus(Duration.ofDays(i));
				access.setLong(1, i);
				access.setString(2, "access-" + i);
				access.setObject(3, OffsetDateTime.ofInstant(created, ZoneOffset.UTC));
				access.setObject(4, OffsetDateTime.ofInstant(created.plus(Duration.ofHours(24)).minusSeconds(5), ZoneOffset.UTC));
				access.executeUpdate();
				refresh.setLong(1, 1000 + i);
				refresh.setLong(2, i);
				refresh.setString(3, "refresh-" + i);
				refresh.setObject(4, OffsetDateTime.ofInstant(created, ZoneOffset.UTC));
				refresh.setObject(5, OffsetDateTime.ofInstant(created.plus(Duration.ofDays(30)), ZoneOffset.UTC));
				refresh.executeUpdate();
			}
		}
	}

	private static List<Long> ids(Connection connection, String table) throws SQLException {
		List<Long> ids = new ArrayList<>();
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
			while (rows.next()) {
				ids.add(rows.getLong(1));
			}
		}
		return ids;
	}
}
